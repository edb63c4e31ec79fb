// Input at three times what the daemon can parse, with ws clients watching.
// First the capacity is measured (writers that wait for the socket: the
// daemon's own pace is what gets through), as lines per second of the
// daemon's main thread's CPU time: the most it could take with a core to
// itself, so a machine busy with other work cannot make the flood smaller
// than three times what the daemon really takes; then three writers in their own
// processes each offer that much again, paced, keeping what the socket does
// not take (a shipper's queue) and counting it. The daemon must stay
// responsive (/healthz answers, the clients keep getting frames at their
// rate), say on /metrics that it is saturated, and count every line that
// reached it; nothing it read may go missing. What was not taken was pushed
// back to the writers, not shed by the daemon. What the daemon does shed is
// what its clients see: on /metrics the accounting is exact, lines read =
// events + ignored + unparsed per parser, and for each client the events it
// received + those dropped for it + those sampled out of its stream = events.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../server/http/healthz.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

let daemon: Daemon | undefined;
const writers: ChildProcess[] = [];
afterEach(async () => {
  for (const w of writers.splice(0)) w.kill('SIGKILL');
  await daemon?.stop();
  daemon = undefined;
});

/**
 * A writer: RATE lines/s (0: as fast as the socket takes them) for SECONDS,
 * as 10 ms batches of one-event Postfix lines. When the socket has not taken
 * the previous megabyte yet, a batch is not written but counted as refused.
 * Prints {written, refused} when done.
 */
const WRITER = `
const net = require('node:net');
const [path, rate, seconds] = [process.argv[1], Number(process.argv[2]), Number(process.argv[3])];
const ts = new Date().toISOString().replace('Z', '000+00:00');
const line = ts + ' mx1 postfix/lb/smtpd[7]: NOQUEUE: reject: RCPT from c.example[198.51.100.7]: 554 5.7.1 <r@d.example>: Relay access denied; from=<s@shop.example> to=<r@d.example> proto=ESMTP helo=<c.example>\\n';
const BATCH = 200;
const chunk = Buffer.from(line.repeat(BATCH));
let written = 0, refused = 0, waiting = false;
// Up to 1 MB waits in the writer's own buffer, as in a shipper's queue; beyond that it refuses.
const sock = net.connect({ path, writableHighWaterMark: 1 << 20 }, () => {
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  if (rate === 0) {
    const pump = () => {
      while (performance.now() < end) {
        written += BATCH;
        if (!sock.write(chunk)) return sock.once('drain', pump);
      }
      sock.end(() => process.stdout.write(JSON.stringify({ written, refused })));
    };
    return pump();
  }
  let due = 0;
  const timer = setInterval(() => {
    const now = performance.now();
    const target = Math.floor(((Math.min(now, end) - t0) * rate) / 1000 / BATCH);
    for (; due < target; due++) {
      if (waiting) { refused += BATCH; continue; }
      written += BATCH;
      if (!sock.write(chunk)) { waiting = true; sock.once('drain', () => (waiting = false)); }
    }
    if (now >= end) {
      clearInterval(timer);
      sock.end(() => process.stdout.write(JSON.stringify({ written, refused })));
    }
  }, 10);
});
`;

function writer(path: string, rate: number, seconds: number): ChildProcess & { result: Promise<{ written: number; refused: number }> } {
  const child = spawn(process.execPath, ['-e', WRITER, path, String(rate), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  writers.push(child);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const result = once(child, 'exit').then(() => JSON.parse(out) as { written: number; refused: number });
  return Object.assign(child, { result });
}

/** CPU seconds the daemon's main thread (the one that reads and parses) has used. */
function mainThreadCpuSec(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8');
  const [utime, stime] = stat.slice(stat.lastIndexOf(')') + 2).split(' ').slice(11, 13).map(Number);
  return (utime! + stime!) / CLOCK_TICKS;
}
/** USER_HZ, the unit of /proc's CPU times: 100 on every Linux architecture Node runs on. */
const CLOCK_TICKS = 100;

const health = async (d: Daemon) => (await (await fetch(`${d.url}/healthz`)).json()) as HealthReport;

/** Every sample of a metric in a /metrics scrape, by its label set ('' without labels). */
async function metrics(d: Daemon): Promise<Map<string, number>> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^(mtaviz_\w+)(\{[^}]*\})? (\S+)$/gm)) out.set(m[1]! + (m[2] ?? ''), Number(m[3]));
  return out;
}

const sum = (m: Map<string, number>, name: string) => [...m].filter(([k]) => k === name || k.startsWith(`${name}{`)).reduce((a, [, v]) => a + v, 0);

async function busyRatio(d: Daemon): Promise<number> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  return Number(/^mtaviz_event_loop_busy_ratio (\S+)$/m.exec(text)![1]);
}

describe('input at three times the ingest capacity', () => {
  it('keeps the daemon responsive, pushes the excess back to the writers and loses nothing it read', async () => {
    daemon = await startDaemon();
    const d = daemon;
    const clients = await Promise.all(Array.from({ length: 3 }, () => RecordingClient.connect(`${d.url.replace('http', 'ws')}/ws`)));

    await busyRatio(d);
    await new Promise((r) => setTimeout(r, 500)); // a quiet half second to compare with: time passing is the condition
    const idle = await busyRatio(d);

    // Capacity: writers that wait for the socket get exactly what the daemon can take.
    const before = (await health(d)).lines;
    const t0 = performance.now();
    const cpu0 = mainThreadCpuSec(d.proc.pid!);
    const calibration = await Promise.all([writer(d.socket, 0, 3).result, writer(d.socket, 0, 3).result]);
    const sent = calibration.reduce((a, r) => a + r.written, 0);
    await waitFor(() => health(d), (h) => h.lines === before + sent, { message: 'the calibration lines' });
    const wallCapacity = Math.round(sent / ((performance.now() - t0) / 1000));
    const capacity = Math.round(sent / (mainThreadCpuSec(d.proc.pid!) - cpu0));

    // Three times that, offered by three paced writers.
    await busyRatio(d);
    const from = (await health(d)).lines;
    const framesBefore = clients.map((c) => c.frames.length);
    const flood = [0, 1, 2].map(() => writer(d.socket, capacity, 5));
    const latencies: number[] = [];
    let busy = 0;
    const probing = (async () => {
      for (let i = 0; flood.some((w) => w.exitCode === null); i++) {
        const t = performance.now();
        await health(d);
        latencies.push(performance.now() - t);
        if (i === 20) busy = await busyRatio(d);
        await new Promise((r) => setTimeout(r, 100));
      }
    })();
    const results = await Promise.all(flood.map((w) => w.result));
    await probing;
    const written = results.reduce((a, r) => a + r.written, 0);
    const refused = results.reduce((a, r) => a + r.refused, 0);

    // Everything that reached the daemon is counted, exactly.
    const h = await waitFor(() => health(d), (x) => x.lines >= from + written, { message: 'every line the writers got through' });
    expect(h.lines).toBe(from + written);
    const src = Object.values(h.sources).find((s) => s.kind === 'unix-stream')!;
    expect(src.errors).toBe(0);

    // The accounting, exact: every line read went to a parser and came out as an event, was ignored or
    // counted unparsed; every event reached each client, was dropped for it (slow) or sampled out of its stream.
    const m = await waitFor(
      () => metrics(d),
      (x) => x.get('mtaviz_stream_pending_events{rate="1000"}') === 0 && sum(x, 'mtaviz_events_total') === h.lines,
      { message: 'the last events through the sampler' },
    );
    expect(m.get('mtaviz_lines_total')).toBe(h.lines);
    expect(sum(m, 'mtaviz_parser_lines_total')).toBe(h.lines);
    expect(sum(m, 'mtaviz_parser_events_total') + sum(m, 'mtaviz_parser_ignored_total') + sum(m, 'mtaviz_parser_unparsed_total')).toBe(h.lines);
    const events = sum(m, 'mtaviz_events_total');
    const sampledOut = m.get('mtaviz_events_sampled_out_total{rate="1000"}')!;
    expect(sampledOut).toBeGreaterThan(events / 2);
    const kept = events - sampledOut;
    expect(m.get('mtaviz_events_sent_total')! + m.get('mtaviz_dropped_events_total')!).toBe(clients.length * kept);
    for (const c of clients) {
      const received = await waitFor(
        () => c.frames.reduce((a, f) => a + f.events, 0) + (c.client?.eventsDropped ?? 0),
        (n) => n >= kept,
        { message: 'every frame at the client' },
      );
      expect(received).toBe(kept);
      // Each frame says how many events it stands for; with none dropped they add up to every event.
      if (!c.client?.eventsDropped) expect(c.frames.reduce((a, f) => a + f.input, 0)).toBe(events);
    }

    latencies.sort((a, b) => a - b);
    const report = {
      capacityLinesPerSec: capacity,
      calibratedWallLinesPerSec: wallCapacity,
      offeredLinesPerSec: 3 * capacity,
      takenLinesPerSec: Math.round(written / 5),
      pushedBackLines: refused,
      events,
      sampledOutEvents: sampledOut,
      droppedEvents: m.get('mtaviz_dropped_events_total'),
      busyRatio: { idle: Number(idle.toFixed(3)), flooded: Number(busy.toFixed(3)) },
      healthz: { probes: latencies.length, p50Ms: Math.round(latencies[latencies.length >> 1]!), maxMs: Math.round(latencies.at(-1)!) },
      framesPerClient: clients.map((c, i) => c.frames.length - framesBefore[i]!),
    };
    console.log(`overload: ${JSON.stringify(report)}`);
    // The excess was pushed back, and the daemon said it was saturated.
    expect(refused).toBeGreaterThan(written / 2);
    expect(busy).toBeGreaterThan(Math.max(0.5, 3 * idle));
    // It answered throughout, and every client kept getting frames (5 s of 20 ms ticks).
    expect(latencies.length).toBeGreaterThan(20);
    for (const n of report.framesPerClient) expect(n).toBeGreaterThan(50);
    for (const c of clients) {
      expect(c.closed).toBeUndefined();
      await c.close();
    }
  }, 60_000);
});
