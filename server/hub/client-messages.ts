// What a browser may say: only RateRequest. Requested rates are rounded down
// to 1-2-5 steps (never above the daemon's --rate), so however many clients
// ask for odd rates there are at most a dozen or so streams to sample and encode.

import type { RateRequest } from '../protocol/index.js';

/** A RateRequest, or undefined for anything else (counted by the caller). */
export function parseClientMessage(text: string): RateRequest | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof msg !== 'object' || msg === null) return undefined;
  const { type, rate } = msg as Record<string, unknown>;
  if (type !== 'rate' || typeof rate !== 'number' || !(rate >= 1)) return undefined;
  return { type, rate };
}

/** The largest 1-2-5 step at or below `requested`, or `max` when the request is at or above it. */
export function streamRate(requested: number, max: number): number {
  if (requested >= max) return max;
  let step = 1;
  for (let decade = 1; ; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const r = m * decade;
      if (r > requested) return step;
      step = r;
    }
  }
}
