// `npm run soak -- --minutes N`: runs the soak (soak.ts) against the built
// daemon and client, prints one line per sample on stderr and the summary as
// one JSON object on stdout; exits 1 when the verdict fails (verdict.ts).
//
//   --minutes N    run length (default 60: the release check)
//   --interval S   seconds between samples (default 10)
//   --warmup S     seconds left out of the slopes (default a third of the run, 60 to 300)
//   --rate N       input events per second (default 1000)
//   --clients N    ws clients besides the page (default 10)

import { parseArgs } from 'node:util';
import { runSoak } from './soak.js';

function number(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (!Number.isFinite(v) || v <= 0) {
    process.stderr.write(`mtaviz soak: --${name} wants a positive number, got ${JSON.stringify(raw)}\n`);
    process.exit(2);
  }
  return v;
}

const { values } = parseArgs({
  options: {
    minutes: { type: 'string' },
    interval: { type: 'string' },
    warmup: { type: 'string' },
    rate: { type: 'string' },
    clients: { type: 'string' },
  },
});
const minutes = number('minutes', values.minutes, 60);
const summary = await runSoak(
  {
    minutes,
    intervalSec: number('interval', values.interval, 10),
    warmupSec: number('warmup', values.warmup, Math.min(300, Math.max(60, (minutes * 60) / 3))),
    eventsPerSec: number('rate', values.rate, 1000),
    clients: Math.round(number('clients', values.clients, 10)),
  },
  (line) => process.stderr.write(`soak: ${line}\n`),
);
process.stdout.write(JSON.stringify(summary) + '\n');
process.exitCode = summary.verdict.pass ? 0 : 1;
