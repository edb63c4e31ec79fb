// Runs the generator against the wall clock (or as fast as the reader takes
// lines) and writes its lines in batches: one write per tick, never more than
// a second of simulated traffic per write, and never ahead of the reader.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Generator } from './generator.js';
import type { LineOutput } from './output.js';

export interface PaceOptions {
  /** Epoch ms the generator's clock started at. */
  start: number;
  /** Stop after this much simulated time; 0 = no limit. */
  durationMs: number;
  /** Stop after this many lines; 0 = no limit. */
  maxLines: number;
  /** Ignore the wall clock: produce simulated time as fast as the output drains. */
  fast: boolean;
  /** Milliseconds between batches when paced. */
  tickMs?: number;
  signal?: AbortSignal;
}

export interface PaceResult {
  lines: number;
  bytes: number;
  /** Why it stopped. */
  reason: 'duration' | 'count' | 'aborted' | 'closed';
}

/** Largest slice of simulated time turned into one write. */
const MAX_STEP_MS = 1000;

export async function pace(gen: Generator, out: LineOutput, opts: PaceOptions): Promise<PaceResult> {
  const tickMs = opts.tickMs ?? 50;
  const end = opts.durationMs > 0 ? opts.start + opts.durationMs : Infinity;
  const wall0 = performance.now();
  let simNow = opts.start;
  let lines = 0;
  let bytes = 0;
  const limit = opts.maxLines > 0 ? opts.maxLines : Infinity;

  for (;;) {
    if (opts.signal?.aborted) return { lines, bytes, reason: 'aborted' };
    if (out.closed) return { lines, bytes, reason: 'closed' };
    const wallNow = opts.fast ? Infinity : opts.start + (performance.now() - wall0);
    const target = Math.min(wallNow, end, simNow + MAX_STEP_MS);
    if (target > simNow) {
      let batch = '';
      gen.advance(target, (line) => {
        if (lines >= limit) return;
        batch += line + '\n';
        lines++;
      });
      simNow = target;
      if (batch) {
        bytes += Buffer.byteLength(batch);
        await out.write(batch);
      }
      if (lines >= limit) return { lines, bytes, reason: 'count' };
      if (simNow >= end) return { lines, bytes, reason: 'duration' };
    }
    if (!opts.fast && simNow >= wallNow) {
      await sleep(tickMs, undefined, opts.signal ? { signal: opts.signal } : undefined).catch(() => undefined);
    }
  }
}
