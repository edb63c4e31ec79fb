// How fast the demo generator makes Postfix lines on one core: what bounds
// `mtaviz demo --fast` when it writes log files for tests and benchmarks.

import { Generator } from '../server/demo/generator.js';
import type { Benchmark, Figure } from './lib/figure.js';

const bench: Benchmark = async () => {
  const start = Date.UTC(2025, 0, 1);
  const gen = new Generator({
    seed: 1,
    start,
    rate: 2000,
    ingresses: 2,
    mtas: 4,
    proxies: 3,
    imbalance: 0.6,
    deferralRate: 0.04,
    bounceRate: 0.015,
    rejectRate: 0.01,
    expireRate: 0.002,
    bursts: true,
    pickupShare: 0,
    ipv6Share: 0.03,
    retryAfter: 300_000,
    queueLifetime: 5 * 86_400_000,
    style: 'syslog',
  });
  let lines = 0;
  let bytes = 0;
  const sink = (line: string) => {
    lines++;
    bytes += line.length + 1;
  };
  // Warm-up, then the measured stretch of simulated time.
  gen.advance(start + 10_000, sink);
  lines = 0;
  bytes = 0;
  const t0 = performance.now();
  for (let s = 11; s <= 130; s++) gen.advance(start + s * 1000, sink);
  const secs = (performance.now() - t0) / 1000;
  const conditions = `Generator.advance over 120 s of simulated traffic at 2000 messages/s (defaults otherwise), syslog style, lines discarded; one core; ${lines} lines`;
  const figures: Figure[] = [
    { name: 'demo.generator.lines', value: Math.round(lines / secs), unit: 'lines/s', conditions },
    { name: 'demo.generator.bytes', value: Math.round(bytes / secs / 1e6), unit: 'MB/s', conditions },
  ];
  return figures;
};

export default bench;
