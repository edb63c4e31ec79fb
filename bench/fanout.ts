// Fan-out: the built daemon in its own process, fed through its Unix socket
// by writer threads in this process, watched by real `ws` clients in a third
// process, so the daemon's CPU time (read from /proc) is its own.
//
// - fanout.ingest.10-clients: lines/s through socket, parse, correlation and
//   hub with 10 clients connected (target >= 500,000 on the 2-core machine),
//   as the daemon itself counts them, over the steady part of the run; and
//   the same per CPU-second of the daemon, since on 2 cores the writers and
//   the clients compete with it for the second core.
// - fanout.200-clients.*: 200 clients each throttled to 1000 events/s from a
//   20x oversubscribed input: the daemon's CPU share (target: within one
//   core), what each client got, and the marginal CPU per delivered event
//   (CPU with the clients minus CPU for the same input with none). No latency
//   figure here: 200 clients parsing 200,000 events/s in one process measure
//   that process's backlog, not the daemon's.
// - fanout.latency.*: line written -> event parsed by a client, HDR
//   histogram, 10 clients at a 5x oversubscribed input (target p99 <= 50 ms).

import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import type { Figure } from './lib/figure.js';
import { getJson, spawnDaemon, type DaemonProcess } from './lib/daemon-process.js';
import { clientsReport, machine, settle, startClients, startWriter, stopClients, wsUrl } from './lib/load.js';

/** CPU share of the daemon (percent of one core) over `ms` of wall time. */
async function cpuShare(d: DaemonProcess, ms: number): Promise<{ share: number; cpuMs: number }> {
  const c0 = d.cpuMs();
  const t0 = performance.now();
  await settle(ms);
  const cpuMs = d.cpuMs() - c0;
  return { share: (100 * cpuMs) / (performance.now() - t0), cpuMs };
}

/** One reading of the daemon's own counters: when (ms since go), lines it handed to the parser, its CPU ms. */
interface Reading {
  at: number;
  lines: number;
  cpuMs: number;
}

async function ingestWithClients(): Promise<Figure[]> {
  const writers = 2;
  const perWriter = 1_500_000;
  const total = writers * perWriter;
  const d = await spawnDaemon(['--rate', '1000']);
  const clients = await startClients(wsUrl(d), 10);
  try {
    const started = Array.from({ length: writers }, (_, writer) =>
      startWriter({ mode: 'flood', socket: d.socket, lines: perWriter, perWrite: 400, writer }),
    );
    await Promise.all(started.map((w) => w.ready));
    const ws = started.map((w) => w.worker);
    const load = loadavg()[0]!.toFixed(1);
    clients.send({ cmd: 'reset' });
    const ours0 = process.cpuUsage();
    const readings: Reading[] = [{ at: 0, lines: 0, cpuMs: d.cpuMs() }];
    const t0 = performance.now();
    for (const w of ws) w.postMessage('go');
    // The daemon's own count of lines handed to the parser (parsing is
    // synchronous, so counted means parsed), read every 100 ms: often enough
    // for the window below, rarely enough that answering costs it nothing
    // worth measuring (~1 ms of CPU per second).
    while (readings.at(-1)!.lines < total) {
      await settle(100);
      const lines = (await getJson<{ lines: number }>(`${d.url}/healthz`)).lines;
      readings.push({ at: performance.now() - t0, lines, cpuMs: d.cpuMs() });
    }
    const ours = process.cpuUsage(ours0);
    const got = await clientsReport(clients);
    await Promise.all(ws.map((w) => w.terminate()));
    const snap = await getJson<{ stats: { lines: number; unparsed: number; events: number } }>(`${d.url}/api/snapshot`);
    if (snap.stats.lines !== total || snap.stats.unparsed !== 0) {
      throw new Error(`daemon parsed ${snap.stats.lines} lines (${snap.stats.unparsed} unparsed), ${total} were written`);
    }
    // Steady state: from the first reading past 10% of the lines to the last
    // one before 90%, so connection set-up, ramp-up and the drain are left out.
    const a = readings.find((r) => r.lines >= total * 0.1)!;
    const b = readings.findLast((r) => r.lines <= total * 0.9)!;
    const steady = b.at > a.at ? b : readings.at(-1)!;
    const lines = steady.lines - a.lines;
    const seconds = (steady.at - a.at) / 1000;
    const cpuSeconds = (steady.cpuMs - a.cpuMs) / 1000;
    const whole = readings.at(-1)!;
    const where =
      `${total} Postfix lines (${snap.stats.events} events, RFC 3339 syslog, 5 lines per accepted message) written by ${writers} writer threads ` +
      `(pre-generated and stamped then, so runs of lines share a millisecond stamp, as in a log written at this rate; 400 lines per write, in the bench process: ${Math.round((100 * (ours.user + ours.system)) / 1000 / whole.at)}% of a core), ` +
      `through the daemon's Unix socket, parse, correlation and hub, to 10 ws clients at --rate 1000 in a third process ` +
      `(${Math.round(got.events / got.seconds)} events/s delivered in all, ${Math.round(got.cpu)}% of a core); ` +
      `counted by the daemon (/healthz lines, every line parsed, 0 unparsed) over the steady ${Math.round(seconds * 10) / 10} s between 10% and 90% of the lines; ` +
      `daemon CPU ${Math.round((100 * cpuSeconds) / seconds)}% of one core there. On 2 cores the writers and clients share the second core with everything else; ` +
      `whole run ${Math.round(total / (whole.at / 1000))} lines/s; Node ${process.version}, ${availableParallelism()} cores, 1-min load average ${load} before the run`;
    return [
      {
        name: 'fanout.ingest.10-clients',
        value: Math.round(lines / seconds),
        unit: 'lines/s',
        conditions: `wall clock: ${where}`,
      },
      {
        // On a shared 2-core box the daemon may not get a whole core; this is what one core of it does.
        name: 'fanout.ingest.10-clients.per-cpu-second',
        value: Math.round(lines / cpuSeconds),
        unit: 'lines per daemon CPU second',
        conditions: `as fanout.ingest.10-clients, lines / the daemon's user+system CPU time over the same window (all its threads, GC included): ${where}`,
      },
    ];
  } finally {
    await stopClients(clients);
    await d.stop();
  }
}

async function manyClients(): Promise<Figure[]> {
  const clientsCount = 200;
  const messagesPerSec = 10_000; // ~19,500 events/s: each client at --rate 1000 is ~20x oversubscribed
  const d = await spawnDaemon(['--rate', '1000', '--max-clients', '256']);
  const { worker: writer, ready } = startWriter({ mode: 'paced', socket: d.socket, messagesPerSec, writer: 0 });
  let clients: ChildProcess | undefined;
  try {
    await ready;
    writer.postMessage('go');
    await settle(2000);
    const idle = await cpuShare(d, 10_000);
    clients = await startClients(wsUrl(d), clientsCount, 10);
    await settle(2000);
    clients.send({ cmd: 'reset' });
    const busy = await cpuShare(d, 10_000);
    const got = await clientsReport(clients);
    const conditions =
      `${clientsCount} ws clients in a separate process (10 parse every frame, the rest count events), --rate 1000 each, input ${messagesPerSec} Postfix messages/s ` +
      `(~${Math.round(messagesPerSec * 4.8)} lines/s) through the Unix socket, 10 s window after 2 s warm-up; ${machine()}`;
    return [
      {
        name: 'fanout.200-clients.daemon-cpu',
        value: Math.round(busy.share),
        unit: '% of one core',
        conditions: `${conditions}; the same input with no clients: ${Math.round(idle.share)}%`,
      },
      {
        name: 'fanout.200-clients.events-per-client',
        value: Math.round(got.minRate),
        unit: 'events/s (slowest client)',
        conditions:
          `${conditions}; fastest client ${Math.round(got.maxRate)}/s; ${got.connected} connected; ` +
          `${got.framesDropped} frames dropped; the clients' process used ${Math.round(got.cpu)}% of a core`,
      },
      {
        name: 'fanout.cpu-per-delivered-event',
        value: Math.round(((busy.cpuMs - idle.cpuMs) * 1e6) / got.events),
        unit: 'ns/event',
        conditions: `${conditions}; (daemon CPU with clients - without) / event copies delivered (${got.events})`,
      },
    ];
  } finally {
    writer.postMessage('stop');
    await once(writer, 'message');
    if (clients) await stopClients(clients);
    await d.stop();
  }
}

async function latency(): Promise<Figure[]> {
  const messagesPerSec = 2500; // ~4,900 events/s: 5x a client's --rate 1000
  const d = await spawnDaemon(['--rate', '1000']);
  const { worker: writer, ready } = startWriter({ mode: 'paced', socket: d.socket, messagesPerSec, writer: 0 });
  const clients = await startClients(wsUrl(d), 10);
  try {
    await ready;
    writer.postMessage('go');
    await settle(2000);
    clients.send({ cmd: 'reset' });
    await settle(10_000);
    const got = await clientsReport(clients);
    const conditions =
      `line stamped and written -> event parsed by a ws client (clock: Date.now, ms), 10 clients in a separate process, ` +
      `--rate 1000, default --tick, input ${messagesPerSec} Postfix messages/s, ${got.latency.count} events over 10 s; ${machine()}`;
    return [
      { name: 'fanout.latency.p50', value: got.latency.p50, unit: 'ms', conditions },
      { name: 'fanout.latency.p99', value: got.latency.p99, unit: 'ms', conditions: `${conditions}; p99.9 ${got.latency.p999} ms, max ${got.latency.max} ms` },
    ];
  } finally {
    writer.postMessage('stop');
    await once(writer, 'message');
    await stopClients(clients);
    await d.stop();
  }
}

export default async function fanout(): Promise<Figure[]> {
  return [...(await ingestWithClients()), ...(await manyClients()), ...(await latency())];
}
