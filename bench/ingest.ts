// Ingest throughput: lines per second from several concurrent writers through
// the Unix stream socket (UnixStreamSource, LineFramer) into a LineHandler
// that counts them. Writers are worker threads, so the main thread (the
// reader) gets a core of its own on a 2-core machine; the clock runs from the
// moment every writer is told to go until the reader has seen every line.

import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { LineFramer } from '../server/ingest/line-framer.js';
import { newCounters } from '../server/ingest/source.js';
import { UnixStreamSource } from '../server/ingest/unix-stream.js';
import { silentLogger } from '../server/log.js';
import type { Figure } from './lib/figure.js';
import { SAMPLE_LINES, type WriterJob } from './lib/socket-writer.js';

interface Scenario {
  name: string;
  writers: number;
  linesPerWriter: number;
  perWrite: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'ingest.unix-stream.batched', writers: 4, linesPerWriter: 1_500_000, perWrite: 400 },
  { name: 'ingest.unix-stream.line-per-write', writers: 4, linesPerWriter: 150_000, perWrite: 1 },
];

async function measure(s: Scenario): Promise<Figure> {
  const dir = mkdtempSync(join(tmpdir(), 'mtaviz-bench-'));
  const path = join(dir, 'ingest.sock');
  const total = s.writers * s.linesPerWriter;
  let seen = 0;
  let chars = 0;
  let finish: () => void = () => {};
  const allSeen = new Promise<void>((resolve) => (finish = resolve));
  const source = new UnixStreamSource(
    { path, mode: 0o600, maxLine: 64 * 1024, maxConnections: 64 },
    (line) => {
      chars += line.length;
      if (++seen === total) finish();
    },
    silentLogger(),
  );
  await source.start();
  try {
    const workers = Array.from({ length: s.writers }, (_, writer) => {
      const job: WriterJob = { socket: path, lines: s.linesPerWriter, perWrite: s.perWrite, writer };
      return new Worker(new URL('./lib/socket-writer.js', import.meta.url), { workerData: job });
    });
    await Promise.all(workers.map((w) => once(w, 'message')));
    const t0 = process.hrtime.bigint();
    for (const w of workers) w.postMessage('go');
    await allSeen;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    await Promise.all(workers.map((w) => w.terminate()));
    const avgLen = Math.round(SAMPLE_LINES.reduce((a, l) => a + l.length, 0) / SAMPLE_LINES.length);
    if (chars === 0) throw new Error('no line content seen');
    return {
      name: s.name,
      value: Math.round(total / seconds),
      unit: 'lines/s',
      conditions:
        `${s.writers} writer threads x ${s.linesPerWriter} lines, ${s.perWrite} line(s) per write(), ` +
        `~${avgLen}-byte Postfix lines; reader: UnixStreamSource on the main thread, handler counts; ` +
        `${(source.counters.bytes / seconds / 1e6).toFixed(0)} MB/s; Node ${process.version}, ${availableParallelism()} cores`,
    };
  } finally {
    await source.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The framer alone, on 64 KiB chunks that cut lines anywhere: the ceiling for every stream input. */
function framerOnly(): Figure {
  const text = Buffer.from(Array.from({ length: 100_000 }, (_, i) => SAMPLE_LINES[i % SAMPLE_LINES.length]).join('\n') + '\n');
  const chunks: Buffer[] = [];
  for (let at = 0; at < text.length; at += 65536) chunks.push(text.subarray(at, at + 65536));
  let chars = 0;
  const counters = newCounters();
  const framer = new LineFramer(64 * 1024, (line) => (chars += line.length), counters);
  const ROUNDS = 40;
  for (const c of chunks) framer.push(c); // warm-up
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < ROUNDS; r++) for (const c of chunks) framer.push(c);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (chars === 0) throw new Error('no line content seen');
  return {
    name: 'ingest.line-framer',
    value: Math.round((ROUNDS * 100_000) / seconds),
    unit: 'lines/s',
    conditions: `LineFramer.push on 64 KiB chunks of ~160-byte Postfix lines, ${ROUNDS * 100_000} lines, one thread; Node ${process.version}`,
  };
}

export default async function ingest(): Promise<Figure[]> {
  const figures: Figure[] = [framerOnly()];
  for (const s of SCENARIOS) figures.push(await measure(s));
  return figures;
}
