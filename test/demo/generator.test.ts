// The demo generator, measured the way the daemon sees it: its lines go
// through the real envelope reader and Postfix parser, and the proportions,
// the imbalance and the bursts are read off the resulting events.

import { describe, expect, it } from 'vitest';
import type { OptionSpec } from '../../server/cli/options.js';
import { Generator, type GeneratorOptions } from '../../server/demo/generator.js';
import { generatorOptions, generatorSettings } from '../../server/demo/options.js';
import { PROVIDERS } from '../../server/demo/providers.js';
import { preferredShare } from '../../server/demo/world.js';
import type { MailEvent } from '../../server/protocol/index.js';
import { parsePostfix } from './parse-postfix.js';

const START = Date.UTC(2025, 2, 4, 10, 0, 0);

/** The CLI defaults, as `mtaviz demo` with no flags uses them. */
function defaults(): GeneratorOptions {
  const config = Object.fromEntries(Object.entries(generatorOptions).map(([k, spec]) => [k, (spec as OptionSpec<unknown>).default]));
  return { ...generatorSettings(config as never), start: START };
}

function generate(opts: GeneratorOptions, ms: number): string[] {
  const lines: string[] = [];
  new Generator(opts).advance(opts.start + ms, (line) => lines.push(line));
  return lines;
}

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = ipv4ToInt(base!);
  const n = ipv4ToInt(ip);
  return n >= start && n < start + size;
}

function share(events: MailEvent[], pred: (e: MailEvent) => boolean): number {
  return events.filter(pred).length / events.length;
}

const isAttempt = (e: MailEvent) => e.kind === 'delivery' || e.kind === 'deferral' || e.kind === 'bounce';

describe('demo generator', () => {
  it('gives the same lines for the same seed and start, and other lines for another seed', () => {
    const a = generate({ ...defaults(), seed: 42 }, 60_000);
    const b = generate({ ...defaults(), seed: 42 }, 60_000);
    const c = generate({ ...defaults(), seed: 43 }, 60_000);
    expect(a.length).toBeGreaterThan(1000);
    expect(b).toEqual(a);
    expect(c).not.toEqual(a);
  });

  it('writes only lines the Postfix parser reads, in every prefix style, in time order', () => {
    for (const style of ['syslog', 'rfc3339', 'maillog'] as const) {
      const opts = { ...defaults(), style, retryAfter: 20_000 };
      const stamps: number[] = [];
      const lines: string[] = [];
      new Generator(opts).advance(START + 90_000, (line, ts) => {
        lines.push(line);
        stamps.push(ts);
      });
      expect(stamps).toEqual([...stamps].sort((x, y) => x - y));
      const { events, unparsed } = parsePostfix(lines);
      expect(unparsed).toBe(0);
      const kinds = new Set(events.map((e) => e.kind));
      expect([...kinds].sort()).toEqual(['bounce', 'deferral', 'delivery', 'injection', 'rejection']);
      // Every delivery attempt knows where its message came in and went out;
      // only expiries of mail queued before the log began do not.
      for (const e of events.filter((x) => isAttempt(x) && x.reason !== 'expired')) {
        expect(e.ingress, JSON.stringify(e)).toBeDefined();
        expect(e.egress, JSON.stringify(e)).toMatch(/^proxy-[abc]$/);
        expect(e.mta).toMatch(/^mta[1-4]$/);
      }
    }
  });

  it('keeps the configured deferral, bounce and rejection rates and a provider-dominated domain mix', () => {
    // No bursts and no retries inside the window: first attempts only.
    const opts = { ...defaults(), bursts: false, retryAfter: 86_400_000, seed: 5 };
    const gen = new Generator(opts);
    const lines: string[] = [];
    gen.advance(START + 300_000, (line) => lines.push(line));
    const { events } = parsePostfix(lines);
    // Notices to our own bounce processors are not customer traffic.
    const customer = events.filter((e) => e.ingress !== 'internal');
    const attempts = customer.filter(isAttempt);
    expect(attempts.length).toBeGreaterThan(25_000);

    expect(share(attempts, (e) => e.kind === 'deferral')).toBeCloseTo(opts.deferralRate, 2);
    expect(Math.abs(share(attempts, (e) => e.kind === 'bounce') - opts.bounceRate)).toBeLessThan(0.004);
    const injections = customer.filter((e) => e.kind === 'injection');
    const rejections = customer.filter((e) => e.kind === 'rejection');
    expect(rejections.length / (injections.length + rejections.length)).toBeGreaterThan(opts.rejectRate * 0.6);
    expect(rejections.length / (injections.length + rejections.length)).toBeLessThan(opts.rejectRate * 1.4);
    // The REST API carries most of the injections, the SMTP balancer the rest.
    expect(share(injections, (e) => e.ingress === 'api-lb')).toBeCloseTo(0.6, 1);
    expect(share(injections, (e) => e.ingress === 'smtp-lb')).toBeCloseTo(0.4, 1);

    const weights = new Map<string, number>();
    let total = 0;
    for (const p of PROVIDERS) for (const [d, w] of p.domains) (weights.set(d, w), (total += w));
    const delivered = attempts.filter((e) => e.kind === 'delivery');
    expect(share(delivered, (e) => e.domain === 'gmail.com')).toBeCloseTo(weights.get('gmail.com')! / total, 1);
    const big = new Set(PROVIDERS.filter((p) => ['google', 'microsoft', 'microsoft365', 'yahoo', 'apple'].includes(p.name)).flatMap((p) => p.domains.map(([d]) => d)));
    expect(share(delivered, (e) => big.has(e.domain!))).toBeGreaterThan(0.75);

    // Destinations come from the providers' real address blocks, and spread over many first octets.
    const blocks = PROVIDERS.flatMap((p) => p.ipv4);
    const v4 = delivered.map((e) => e.destIp!).filter((ip) => !ip.includes(':'));
    const ownBounceMx = new Set(['198.51.100.25', '198.51.100.26']);
    for (const ip of v4) expect(blocks.some((b) => inCidr(ip, b)) || ownBounceMx.has(ip), ip).toBe(true);
    expect(new Set(v4.map((ip) => ip.split('.')[0])).size).toBeGreaterThanOrEqual(15);
    expect(delivered.some((e) => e.destIp?.includes(':'))).toBe(true);

    // Delays look like real ones: a few hundred milliseconds typically.
    const delays = delivered.map((e) => e.delayMs!).sort((x, y) => x - y);
    const median = delays[Math.floor(delays.length / 2)]!;
    expect(median).toBeGreaterThan(100);
    expect(median).toBeLessThan(2000);
  });

  it('makes the biased MTAs prefer their proxy, and spreads evenly with the imbalance off', () => {
    const measure = (opts: GeneratorOptions) => {
      const { events } = parsePostfix(generate({ ...opts, bursts: false }, 300_000));
      const out = new Map<string, Map<string, number>>();
      for (const e of events.filter(isAttempt)) {
        const row = out.get(e.mta!) ?? new Map<string, number>();
        row.set(e.egress!, (row.get(e.egress!) ?? 0) + 1);
        out.set(e.mta!, row);
      }
      const shareOf = (mta: string, proxy: string) => {
        const row = out.get(mta)!;
        const sum = [...row.values()].reduce((a, b) => a + b, 0);
        return (row.get(proxy) ?? 0) / sum;
      };
      return shareOf;
    };

    const on = defaults();
    const biased = measure(on);
    const expected = preferredShare(on.proxies, on.imbalance);
    expect(expected).toBeGreaterThan(0.6);
    // mta1 prefers proxy-a and mta2 proxy-b; mta3 and mta4 spread evenly.
    expect(biased('mta1', 'proxy-a')).toBeCloseTo(expected, 1);
    expect(biased('mta2', 'proxy-b')).toBeCloseTo(expected, 1);
    for (const mta of ['mta3', 'mta4']) for (const p of ['proxy-a', 'proxy-b', 'proxy-c']) expect(biased(mta, p)).toBeCloseTo(1 / 3, 1);

    const even = measure({ ...on, imbalance: 0 });
    for (const mta of ['mta1', 'mta2', 'mta3', 'mta4']) for (const p of ['proxy-a', 'proxy-b', 'proxy-c']) expect(even(mta, p)).toBeCloseTo(1 / 3, 1);
  });

  it('has occasional bursts that can be switched off', () => {
    const peakToMedian = (bursts: boolean) => {
      const perSecond = new Map<number, number>();
      const { events } = parsePostfix(generate({ ...defaults(), bursts, seed: 9 }, 420_000));
      for (const e of events) if (e.kind === 'injection' && e.ingress !== 'internal') perSecond.set(Math.floor(e.ts / 1000), (perSecond.get(Math.floor(e.ts / 1000)) ?? 0) + 1);
      const counts = [...perSecond.values()].sort((a, b) => a - b);
      return counts[counts.length - 1]! / counts[Math.floor(counts.length / 2)]!;
    };
    expect(peakToMedian(true)).toBeGreaterThan(2.5);
    expect(peakToMedian(false)).toBeLessThan(2);
  });
});
