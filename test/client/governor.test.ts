import { describe, expect, it } from 'vitest';
import { Governor } from '../../client/scene/governor.js';

const opts = { floor: 300, ceiling: 6000, slowMs: 25, fastMs: 19, periodMs: 500 };

/** Runs `seconds` of frames `interval` ms apart with `live` balls; returns the final limit. */
function run(g: Governor, from: number, seconds: number, interval: number, live: (limit: number) => number): number {
  let t = from;
  let limit = g.limit;
  while (t < from + seconds * 1000) {
    t += interval;
    limit = g.frame(t, interval, live(limit));
  }
  return limit;
}

describe('Governor', () => {
  it('leaves the limit alone while frames are fast', () => {
    const g = new Governor(opts);
    expect(run(g, 0, 5, 16.7, () => 5000)).toBe(6000);
  });

  it('shrinks the limit below the live population while frames are slow, never under the floor', () => {
    const g = new Governor(opts);
    const after = run(g, 0, 3, 50, () => 4000);
    expect(after).toBeLessThan(4000);
    expect(run(g, 3000, 30, 50, (l) => l)).toBe(300);
  });

  it('grows back once frames are fast again', () => {
    const g = new Governor(opts);
    run(g, 0, 30, 50, (l) => l);
    const recovered = run(g, 30_000, 60, 16.7, (l) => l);
    expect(recovered).toBe(6000);
  });

  it('ignores a single long stall such as a tab switch', () => {
    const g = new Governor(opts);
    run(g, 0, 2, 16.7, () => 5000);
    g.frame(3000, 2000, 5000);
    expect(run(g, 3000, 1, 16.7, () => 5000)).toBe(6000);
  });
});
