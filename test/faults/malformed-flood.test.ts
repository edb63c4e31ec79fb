// A flood of malformed lines mixed into good Postfix traffic on several
// writers at once: random bytes, invalid UTF-8, NULs, lines far over
// --max-line, syslog lines whose Postfix message is garbage, real lines cut
// short. Every line is counted, the long ones as oversize, and the good lines
// come out as exactly the events they carry, per kind and per edge.

import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PostfixTraffic } from '../../bench/lib/postfix-traffic.js';
import type { HealthReport } from '../../server/http/healthz.js';
import type { KindCounts, StatsMessage } from '../../server/protocol/index.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';

const MAX_LINE = 4096;
let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

/** A seeded stream of numbers in [0, 1) (the same garbage every run). */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** One malformed line, without its LF; never empty and never ending in CR (so it is exactly one line). */
function garbage(r: () => number, good: string): Buffer {
  const kind = Math.floor(r() * 6);
  let b: Buffer;
  switch (kind) {
    case 0: // random bytes
      b = Buffer.from(Array.from({ length: 1 + Math.floor(r() * 300) }, () => Math.floor(r() * 256)));
      break;
    case 1: // invalid UTF-8 and NULs around a plausible start
      b = Buffer.concat([Buffer.from('Dec  4 10:33:25 mx1 postfix/smtp[1]: '), Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0xe2, 0x82]), Buffer.alloc(20)]);
      break;
    case 2: // far over --max-line
      b = Buffer.alloc(MAX_LINE + 1 + Math.floor(r() * 20_000), 0x41 + Math.floor(r() * 26));
      break;
    case 3: // a syslog line whose Postfix message is noise
      b = Buffer.from(`Dec  4 10:33:25 mx1 postfix/in-smtp/smtpd[77]: ${Math.floor(r() * 1e9).toString(36)} %%% <> ,, status= relay=`);
      break;
    case 4: // a real line cut before its queue ID ends
      b = Buffer.from(good.slice(0, good.indexOf(': ') + 2 + Math.floor(r() * 6)));
      break;
    default: // half a JSON document
      b = Buffer.from('{"type":"delivery","ts":');
  }
  for (let i = 0; i < b.length; i++) if (b[i] === 0x0a) b[i] = 0x0b;
  if (b[b.length - 1] === 0x0d) b[b.length - 1] = 0x78;
  return b;
}

describe('malformed lines mixed with good ones', () => {
  it('counts every line and every good line exactly', async () => {
    daemon = await startDaemon({ args: ['--max-line', String(MAX_LINE)] });
    const d = daemon;
    const WRITERS = 4;
    const traffics = Array.from({ length: WRITERS }, (_, w) => new PostfixTraffic({ seed: 30 + w, firstMessage: w * 1_000_000 }));
    let garbageLines = 0;
    let oversize = 0;
    await Promise.all(
      traffics.map(async (traffic, w) => {
        const r = random(100 + w);
        const parts: Buffer[] = [];
        for (const line of traffic.batch(4000)) {
          while (r() < 0.5) {
            const g = garbage(r, line);
            garbageLines++;
            if (g.length > MAX_LINE) oversize++;
            parts.push(g, Buffer.from('\n'));
          }
          parts.push(Buffer.from(line + '\n'));
        }
        const sock = connect(d.socket);
        await once(sock, 'connect');
        // Uneven writes, so lines of every kind straddle reads.
        const all = Buffer.concat(parts);
        for (let at = 0; at < all.length; at += 7919) if (!sock.write(all.subarray(at, at + 7919))) await once(sock, 'drain');
        sock.end();
        await once(sock, 'close');
      }),
    );
    const good = traffics.reduce((a, t) => a + t.counts.lines, 0);
    expect(garbageLines).toBeGreaterThan(good / 2);

    const total = good + garbageLines;
    const h = await waitFor(
      async () => (await (await fetch(`${d.url}/healthz`)).json()) as HealthReport,
      (x) => x.lines >= total,
      { message: `${total} lines` },
    );
    const src = Object.values(h.sources).find((s) => s.kind === 'unix-stream')!;
    expect(src).toMatchObject({ lines: total, oversize, errors: 0 });

    const stats = await waitFor(
      async () => ((await (await fetch(`${d.url}/api/snapshot`)).json()) as { stats: StatsMessage }).stats,
      (s) => s.lines === total,
      { message: 'the hub to have every line' },
    );
    const sum = (pick: (t: PostfixTraffic) => KindCounts | undefined) =>
      traffics.reduce<KindCounts>((acc, t) => acc.map((n, i) => n + (pick(t)?.[i] ?? 0)) as KindCounts, [0, 0, 0, 0, 0]);
    expect(stats.byKind).toEqual(sum((t) => t.counts.byKind));
    const edges = new Set(traffics.flatMap((t) => Object.keys(t.counts.edges)));
    for (const e of edges) expect(stats.edges[e], e).toEqual(sum((t) => t.counts.edges[e]));
    expect(Object.keys(stats.edges).sort()).toEqual([...edges].sort());
    expect(stats.unparsed).toBeLessThanOrEqual(garbageLines);
    expect(d.proc.exitCode).toBeNull();
  });
});
