// The load around a daemon under benchmark, from the bench process: writer
// threads feeding its socket (traffic-writer.ts) and a separate process of ws
// clients (ws-clients.ts), so the daemon's CPU time stays its own.

import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { DaemonProcess } from './daemon-process.js';
import type { WriterJob } from './traffic-writer.js';
import type { ClientsReport } from './ws-clients.js';

/** Where and how busy: other work on a 2-core box moves every figure. */
export const machine = () => `Node ${process.version}, ${availableParallelism()} cores, load average ${loadavg()[0]!.toFixed(1)}`;

/** Waits `ms` of wall time while the system runs: measurement windows, not test sleeps. */
export const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const wsUrl = (d: DaemonProcess) => d.url.replace(/^http/, 'ws') + '/ws';

/** A writer thread, and its 'ready' (listened for at once: a message nobody listens for is lost). */
export function startWriter(job: WriterJob): { worker: Worker; ready: Promise<unknown> } {
  const worker = new Worker(new URL('./traffic-writer.js', import.meta.url), { workerData: job });
  return { worker, ready: once(worker, 'message') };
}

/** `count` clients in one process, connected; `parsed` of them parse every frame and measure latency, the rest count events. */
export async function startClients(url: string, count: number, parsed = count): Promise<ChildProcess> {
  const child = fork(new URL('./ws-clients.js', import.meta.url).pathname, [url, String(count), String(parsed)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const [msg] = (await once(child, 'message')) as [unknown];
  if (msg !== 'connected') throw new Error(`clients: unexpected ${JSON.stringify(msg)}`);
  return child;
}

export async function clientsReport(child: ChildProcess): Promise<ClientsReport> {
  child.send({ cmd: 'report' });
  const [r] = (await once(child, 'message')) as [ClientsReport];
  return r;
}

export async function stopClients(child: ChildProcess): Promise<void> {
  child.kill();
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}
