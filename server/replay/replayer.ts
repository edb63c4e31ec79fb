// Plays a captured log back with its original pacing, scaled by a speed
// factor: a line logged t ms after the first timestamped line is written
// t / speed ms after the replay began. Lines without a timestamp follow the
// previous line at once; a timestamp that goes backwards does not wait.
// Due times are computed from one origin, so waiting never accumulates drift.

import { setTimeout as sleep } from 'node:timers/promises';
import type { LineOutput } from '../demo/output.js';
import type { LineClock } from './clock.js';
import { readLines } from './lines.js';

export interface ReplayOptions {
  file: string;
  /** Speed factor: 10 plays ten times faster; 0 writes as fast as the reader takes lines. */
  speed: number;
  /** Start again from the top at the end of the file. */
  loop: boolean;
  /** Idle stretches in the capture longer than this are cut to it; 0 keeps them. */
  maxGapMs: number;
  signal?: AbortSignal;
}

export interface ReplayResult {
  lines: number;
  bytes: number;
  /** Lines without a timestamp (sent right after the previous line). */
  untimed: number;
  /** Passes through the file completed. */
  passes: number;
  reason: 'end' | 'aborted' | 'closed';
}

/** Batches are flushed at this size even when no wait is due. */
const BATCH_BYTES = 64 * 1024;

export async function replay(out: LineOutput, clock: LineClock, opts: ReplayOptions): Promise<ReplayResult> {
  const result: ReplayResult = { lines: 0, bytes: 0, untimed: 0, passes: 0, reason: 'end' };
  let batch = '';
  const flush = async () => {
    if (batch === '') return;
    result.bytes += Buffer.byteLength(batch);
    const text = batch;
    batch = '';
    await out.write(text);
  };
  const stopped = (): ReplayResult['reason'] | undefined => (opts.signal?.aborted ? 'aborted' : out.closed ? 'closed' : undefined);

  do {
    // Each pass is anchored afresh: its first timestamped line goes out at once.
    let origin: number | undefined;
    let wall0 = 0;
    let last = -Infinity;
    const before = result.lines;
    for await (const line of readLines(opts.file)) {
      const ts = clock(line);
      if (ts === undefined) {
        result.untimed++;
      } else if (origin === undefined) {
        origin = ts;
        last = ts;
        wall0 = performance.now();
      } else if (ts > last) {
        if (opts.maxGapMs > 0 && ts - last > opts.maxGapMs) origin += ts - last - opts.maxGapMs;
        last = ts;
        if (opts.speed > 0) {
          const wait = wall0 + (ts - origin) / opts.speed - performance.now();
          if (wait > 0) {
            await flush();
            if (stopped()) break;
            await sleep(wait, undefined, opts.signal ? { signal: opts.signal } : undefined).catch(() => undefined);
          }
        }
      }
      if (stopped()) break;
      batch += line + '\n';
      result.lines++;
      if (batch.length >= BATCH_BYTES) await flush();
    }
    await flush();
    const why = stopped();
    if (why) {
      result.reason = why;
      return result;
    }
    result.passes++;
    // An empty file would otherwise loop without end and without output.
    if (result.lines === before) break;
  } while (opts.loop);
  return result;
}
