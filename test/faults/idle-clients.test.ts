// 1000 WebSocket connections that never say anything (wall screens, tabs left
// open), held by another process while the daemon streams: every one stays
// connected through several keep-alive rounds and keeps getting frames, a
// watching client still gets every event exactly, the daemon's memory per
// connection stays small, and they all go when they close.
//
// --max-clients stays 256 by default: a connection costs little memory (this
// test measures it), but each one at the full 1000 events/s costs CPU (about
// 200 per core, performance-anchors.md), so a bigger audience is the
// operator's explicit choice, as here.

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientsReport } from '../../bench/lib/ws-clients.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

const IDLE = 1000;
const CLIENTS = resolve(import.meta.dirname, '../../dist/bench/lib/ws-clients.js');

let daemon: Daemon | undefined;
let holder: ChildProcess | undefined;
afterEach(async () => {
  // Its exit is not awaited: the daemon's view of the connections is what counts.
  holder?.kill('SIGKILL');
  await daemon?.stop();
  daemon = undefined;
});

const rssKiB = (pid: number) => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

async function metric(d: Daemon, name: string): Promise<number> {
  const text = await (await fetch(`${d.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return Number(line?.split(' ')[1]);
}

async function report(child: ChildProcess): Promise<ClientsReport> {
  const reply = once(child, 'message') as Promise<[ClientsReport]>;
  child.send({ cmd: 'report' });
  return (await reply)[0];
}

describe(`${IDLE} idle WebSocket connections`, () => {
  it('are held while streaming, cost little memory each, and a watching client still gets every event', async () => {
    // Pings every 5 s (30 s by default): often enough for rounds within the test, with room for a
    // holder process that 1000 connections' frames keep busy on a shared machine to answer each.
    daemon = await startDaemon({ args: ['--max-clients', String(IDLE + 1), '--ping-interval', '5s', '--tick', '50ms'] });
    const d = daemon;
    const ws = `${d.url.replace('http', 'ws')}/ws`;
    const baseline = rssKiB(d.proc.pid!);

    holder = fork(CLIENTS, [ws, String(IDLE), '0'], { stdio: 'inherit' });
    const [ready] = (await once(holder, 'message')) as [unknown];
    expect(ready).toBe('connected');
    await waitFor(() => metric(d, 'mtaviz_clients'), (n) => n === IDLE, { message: `${IDLE} clients at the daemon` });
    const perConnKiB = (rssKiB(d.proc.pid!) - baseline) / IDLE;

    const watcher = await RecordingClient.connect(ws);
    holder.send({ cmd: 'reset' });
    const writer = await new TrafficWriter(d.socket, { seed: 51 }).open();
    // A trickle (a frame every few ticks): 1000 connections cost the daemon per frame, not per event,
    // and a heavier stream would measure how fast one holder process reads 1000 sockets instead.
    writer.pace(3);
    // Keep-alive rounds while streaming: nobody may miss a ping.
    const from = await metric(d, 'mtaviz_frames_sent_total');
    // A generous deadline: 1000 sends per tick is a real share of a core, and the machine may be shared.
    await waitFor(() => metric(d, 'mtaviz_frames_sent_total'), (n) => n > from + 10 * IDLE, { message: 'frames to the idle connections', timeoutMs: 90_000 });
    await new Promise<void>((resolveRounds) => {
      let pings = 0;
      watcher.ws.on('ping', () => ++pings === 2 && resolveRounds());
    });
    await writer.close();
    const want = writer.traffic.counts.byKind;
    const total = want.reduce((a, b) => a + b, 0);

    const stats = await waitFor(() => watcher.stats, (s) => s?.events === total, { message: 'the watcher has every event counted' });
    expect(stats!.byKind).toEqual(want);
    const received = watcher.frames.reduce((a, f) => a + f.events, 0);
    expect(received).toBe(total);
    const seqs = watcher.frames.map((f) => f.seq);
    expect(seqs.every((s, i) => i === 0 || s === seqs[i - 1]! + 1)).toBe(true);

    const held = await report(holder);
    const dropped = (await (await fetch(`${d.url}/metrics`)).text()).match(/^mtaviz_client_disconnects_total\{.*$/gm);
    expect(held.connected, `daemon: ${dropped?.join(', ')}`).toBe(IDLE);
    expect(held.minRate).toBeGreaterThan(0);
    expect(held.framesDropped).toBe(0);
    expect(await metric(d, 'mtaviz_clients')).toBe(IDLE + 1);
    const disconnects = (await (await fetch(`${d.url}/metrics`)).text()).match(/^mtaviz_client_disconnects_total\{.*\} (\d+)$/gm) ?? [];
    expect(disconnects.map((l) => Number(l.split(' ').at(-1)))).toEqual([0, 0]);
    // ws's own figure is 8-9 KiB per idle connection (websockets/ws#804); a hub client adds a little.
    expect(perConnKiB).toBeLessThan(64);
    console.log(`idle connections: ${perConnKiB.toFixed(1)} KiB of daemon RSS each`);

    // The holder goes away at once; the daemon must let go of all its connections.
    holder.kill('SIGKILL');
    await watcher.close();
    await waitFor(() => metric(d, 'mtaviz_clients'), (n) => n === 0, { message: 'every connection gone' });
  }, 180_000);
});
