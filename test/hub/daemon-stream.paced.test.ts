// The real built daemon, fed Postfix lines through its real Unix socket,
// watched by real `ws` clients: exact stats, the throttle's rate at 5x and
// 20x oversubscription, the sample's mix (chi-square), and a stalled client.

import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { KINDS, type KindCounts, type MailEvent, type StatsMessage } from '../../server/protocol/index.js';
import type { Snapshot } from '../../server/http/snapshot.js';
import { chiSquareGof } from '../helpers/chi-square.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient, type FrameRecord } from '../helpers/ws-client.js';

/**
 * Significance of the goodness-of-fit tests: a correct sampler fails one by
 * chance 1 time in 10,000. A first-N-per-tick throttle scores in the thousands
 * on the kinds test (p ~ 0), so this costs no power that matters.
 */
const ALPHA = 1e-4;
/** Events per generated message: injection + outcome for 95%, one rejection for 5%. */
const EVENTS_PER_MESSAGE = 0.95 * 2 + 0.05;

const daemons: Daemon[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

async function daemon(args: string[] = []): Promise<Daemon> {
  const d = await startDaemon({ args });
  daemons.push(d);
  return d;
}

async function writer(d: Daemon): Promise<TrafficWriter> {
  const w = await new TrafficWriter(d.socket).open();
  closers.push(() => w.close());
  return w;
}

async function client(d: Daemon, opts: Parameters<typeof RecordingClient.connect>[1] = {}): Promise<RecordingClient> {
  const c = await RecordingClient.connect(`${d.url.replace(/^http/, 'ws')}/ws`, opts);
  closers.push(() => c.close());
  return c;
}

async function snapshot(d: Daemon): Promise<Snapshot> {
  const res = await fetch(`${d.url}/api/snapshot`);
  expect(res.status).toBe(200);
  return (await res.json()) as Snapshot;
}

const sum = (k: KindCounts | undefined) => (k ? k.reduce((a, b) => a + b, 0) : 0);

describe('daemon streaming over WebSocket', () => {
  it('counts exactly what was written: lines, events per kind and per edge', async () => {
    const d = await daemon();
    const c = await client(d);
    const w = await writer(d);
    await w.write(20_000, 100);
    const lines = await w.close();
    const snap = await waitFor(() => snapshot(d), (s) => s.stats.lines === lines, { message: `${lines} lines counted` });
    const want = w.traffic.counts;
    expect(snap.stats.lines).toBe(want.lines);
    expect(snap.stats.unparsed).toBe(0);
    expect(snap.stats.byKind).toEqual(want.byKind);
    expect(snap.stats.events).toBe(sum(want.byKind));
    expect(snap.stats.edges).toEqual(want.edges);
    expect(snap.topology.edges.sort()).toEqual(Object.keys(want.edges).sort());
    // The WebSocket's stats frames carry the same exact numbers.
    const last = await waitFor(() => c.stats, (s) => s?.lines === lines && s.events === snap.stats.events, {
      message: 'a stats frame with every line',
    });
    expect(last!.byKind).toEqual(want.byKind);
    expect(last!.edges).toEqual(want.edges);
  });

  for (const factor of [5, 20]) {
    it(`sends 1000 +/- 5% events/s at ${factor}x oversubscription, a uniform sample of the input's mix`, async () => {
      const d = await daemon(['--rate', '1000']);
      const c = await client(d, { keepEvents: true });
      const w = await writer(d);
      w.pace(Math.ceil((factor * 1000) / EVENTS_PER_MESSAGE));
      // Steady state: skip the first 1.5 s of frames, then measure 5 s.
      const first = (await waitFor(() => c.frames[0], Boolean, { message: 'first frame' }))!.at;
      const from = first + 1500;
      const to = from + 5000;
      await waitFor(() => c.frames.at(-1)!.at, (at) => at >= to + 200, { message: 'a 5 s window', timeoutMs: 30_000 });
      await w.close();

      const inWindow = c.frames.filter((f) => f.at >= from && f.at < to);
      const kept = inWindow.reduce((a, f) => a + f.events, 0);
      const input = inWindow.reduce((a, f) => a + f.input, 0);
      const rate = kept / 5;
      expect(rate, `events/s over 5 s (${inWindow.length} frames)`).toBeGreaterThanOrEqual(950);
      expect(rate).toBeLessThanOrEqual(1050);
      expect(input / kept, 'input events per kept event').toBeGreaterThan(factor * 0.8);

      checkMix(c.statsLog, c.frames);
    });
  }

  it('drops and counts frames for a stalled client, then disconnects it; the healthy client and ingest carry on', async () => {
    const cap = 256 * 1024;
    const d = await daemon(['--rate', '50000', '--client-buffer', String(cap), '--stuck-timeout', '3s']);
    const healthy = await client(d);
    const stalled = await client(d);
    const w = await writer(d);
    stalled.stall();
    w.pace(8000); // ~15,600 events/s, all of them sent to each client (below --rate)
    let maxBacklog = 0;
    const metric = async (name: string) => {
      const text = await (await fetch(`${d.url}/metrics`)).text();
      const m = new RegExp(`^${name} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : NaN;
    };
    await waitFor(
      async () => {
        maxBacklog = Math.max(maxBacklog, await metric('mtaviz_client_backlog_bytes\\{of="max"\\}'));
        return metric('mtaviz_client_disconnects_total\\{reason="slow"\\}');
      },
      (n) => n === 1,
      { message: 'stalled client disconnected as slow', timeoutMs: 30_000 },
    );
    const healthyFrames = healthy.frames.length;
    await waitFor(() => healthy.frames.length, (n) => n > healthyFrames + 10, { message: 'healthy client still served' });
    const lines = await w.close();

    const snap = await waitFor(() => snapshot(d), (s) => s.stats.lines === lines, { message: 'every written line counted' });
    expect(snap.stats.drops.frames).toBeGreaterThan(0);
    expect(snap.stats.drops.events).toBeGreaterThan(0);
    expect(await metric('mtaviz_clients')).toBe(1);
    // The healthy client saw every frame of the stream: consecutive seqs, nothing dropped.
    const seqs = healthy.frames.map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(healthy.client?.framesDropped).toBe(0);
    // Memory: the stalled client's backlog never grew past the cap plus one frame.
    const biggest = Math.max(...healthy.frames.map((f) => f.bytes));
    expect(maxBacklog).toBeLessThanOrEqual(cap + biggest);
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${d.proc.pid}/status`, 'utf8'))![1]) * 1024;
    expect(rss).toBeLessThan(300 * 1024 * 1024);
  });
});

/**
 * The sample received between two stats frames against the exact input
 * between them (their difference): per kind, per mta>egress edge and per
 * ingress>mta edge.
 */
function checkMix(statsLog: { at: number; stats: StatsMessage }[], frames: FrameRecord[]): void {
  const a = statsLog[1]!;
  const b = statsLog.at(-1)!;
  const sample: MailEvent[] = frames.filter((f) => f.at > a.at && f.at <= b.at).flatMap((f) => f.list!);
  expect(sample.length).toBeGreaterThan(3000);

  const inputByKind = b.stats.byKind.map((n, i) => n - a.stats.byKind[i]!);
  const sampleByKind = KINDS.map((k) => sample.filter((e) => e.kind === k).length);
  const kinds = chiSquareGof(sampleByKind, inputByKind);
  expect(kinds.pValue, `kinds: chi-square ${kinds.statistic.toFixed(2)} on ${kinds.df} df; sample ${sampleByKind}, input ${inputByKind}`).toBeGreaterThan(ALPHA);

  for (const [from, to] of [
    ['mta', 'egress'],
    ['ingress', 'mta'],
  ] as const) {
    const edges = Object.keys(b.stats.edges).filter((e) => e.startsWith(`${from}:`) && e.includes(`>${to}:`));
    const input = edges.map((e) => sum(b.stats.edges[e]) - sum(a.stats.edges[e]));
    const observed = edges.map((e) => sample.filter((ev) => `${from}:${ev[from]}>${to}:${ev[to]}` === e).length);
    const r = chiSquareGof(observed, input);
    expect(r.pValue, `${from}>${to}: chi-square ${r.statistic.toFixed(2)} on ${r.df} df`).toBeGreaterThan(ALPHA);
  }
}
