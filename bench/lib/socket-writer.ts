// Worker thread for the ingest benchmark: connects to a Unix stream socket
// and writes `lines` copies of a realistic Postfix line, `perWrite` lines to
// a write() call, honouring backpressure. Runs off the main thread so the
// reader's core is measured, not the writers'.

import { once } from 'node:events';
import { connect } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';

export interface WriterJob {
  socket: string;
  lines: number;
  perWrite: number;
  writer: number;
}

export const SAMPLE_LINES = [
  'Dec  4 10:33:25 mx1 postfix/smtp[14678]: 4F2A81C0E2B: to=<user@example.com>, relay=mx.example.com[93.184.216.34]:25, delay=0.42, delays=0.01/0/0.2/0.21, dsn=2.0.0, status=sent (250 2.0.0 OK 1701686005 q3si)',
  'Dec  4 10:33:25 mx1 postfix/qmgr[1211]: 4F2A81C0E2B: from=<news@shop.example>, size=18231, nrcpt=1 (queue active)',
  'Dec  4 10:33:26 mx2 postfix/smtp[14702]: 7B1C21C0F11: to=<a@example.net>, relay=mx1.example.net[203.0.113.9]:25, delay=3.1, delays=0.1/0/3/0, dsn=4.4.1, status=deferred (connect to mx1.example.net[203.0.113.9]:25: Connection timed out)',
  'Dec  4 10:33:26 mx1 postfix/smtpd[14690]: 9C3D41C0A07: client=relay.example.org[198.51.100.7]',
];

function block(job: WriterJob): Buffer {
  const lines: string[] = [];
  for (let i = 0; i < job.perWrite; i++) lines.push(SAMPLE_LINES[(i + job.writer) % SAMPLE_LINES.length]!);
  return Buffer.from(lines.join('\n') + '\n');
}

async function run(job: WriterJob): Promise<void> {
  const sock = connect(job.socket);
  await once(sock, 'connect');
  parentPort!.postMessage('connected');
  await once(parentPort!, 'message');
  const buf = block(job);
  let sent = 0;
  while (sent < job.lines) {
    const n = Math.min(job.perWrite, job.lines - sent);
    const ok = sock.write(n === job.perWrite ? buf : block({ ...job, perWrite: n }));
    sent += n;
    if (!ok) await once(sock, 'drain');
  }
  sock.end();
  await once(sock, 'close');
  parentPort!.postMessage('done');
}

if (parentPort && workerData) void run(workerData as WriterJob);
