// Worker thread that writes PostfixTraffic into the daemon's Unix stream
// socket, off the thread that measures. Two modes:
// - flood: pre-generates `lines` lines (so generating costs nothing during the
//   run), then writes them as fast as the socket takes them;
// - paced: `messagesPerSec` messages stamped with the current time, a small
//   batch every couple of milliseconds, until told to stop (latency runs).
// Protocol with the parent: 'ready' -> parent posts 'go' -> ... -> {lines}.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { PostfixTraffic } from './postfix-traffic.js';

export type WriterJob =
  | { mode: 'flood'; socket: string; lines: number; perWrite: number; writer: number }
  | { mode: 'paced'; socket: string; messagesPerSec: number; writer: number };

const port = parentPort!;

async function write(sock: Socket, buf: Buffer): Promise<void> {
  if (!sock.write(buf)) await once(sock, 'drain');
}

async function flood(job: Extract<WriterJob, { mode: 'flood' }>, sock: Socket): Promise<number> {
  const traffic = new PostfixTraffic({ seed: job.writer + 1, firstMessage: job.writer * 1e9 });
  const chunks: Buffer[] = [];
  let pending: string[] = [];
  let made = 0;
  while (made < job.lines) {
    for (const line of traffic.batch(10)) {
      if (made === job.lines) break;
      pending.push(line);
      made++;
      if (pending.length === job.perWrite) {
        chunks.push(Buffer.from(pending.join('\n') + '\n'));
        pending = [];
      }
    }
  }
  if (pending.length) chunks.push(Buffer.from(pending.join('\n') + '\n'));
  port.postMessage('ready');
  await once(port, 'message');
  for (const c of chunks) await write(sock, c);
  return made;
}

async function paced(job: Extract<WriterJob, { mode: 'paced' }>, sock: Socket): Promise<number> {
  const traffic = new PostfixTraffic({ seed: job.writer + 1, firstMessage: job.writer * 1e9 });
  port.postMessage('ready');
  await once(port, 'message');
  let stop = false;
  port.once('message', () => (stop = true));
  const t0 = performance.now();
  let sent = 0;
  let lines = 0;
  while (!stop) {
    const due = Math.floor(((performance.now() - t0) * job.messagesPerSec) / 1000) - sent;
    if (due > 0) {
      const batch = traffic.batch(due, Date.now());
      lines += batch.length;
      sent += due;
      await write(sock, Buffer.from(batch.join('\n') + '\n'));
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  return lines;
}

async function main(job: WriterJob): Promise<void> {
  const sock = connect(job.socket);
  await once(sock, 'connect');
  const lines = job.mode === 'flood' ? await flood(job, sock) : await paced(job, sock);
  sock.end();
  await once(sock, 'close');
  port.postMessage({ lines });
}

if (parentPort && workerData) void main(workerData as WriterJob);
