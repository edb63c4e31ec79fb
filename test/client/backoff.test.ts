import { describe, expect, it } from 'vitest';
import { backoffDelay, BACKOFF } from '../../client/net/backoff.js';

describe('reconnect backoff', () => {
  it('doubles from the base and stops at the cap', () => {
    const ceilings = [0, 1, 2, 3, 4, 5, 10, 100].map((a) => backoffDelay(a, 0.999999));
    expect(ceilings.slice(0, 5)).toEqual([250, 500, 1000, 2000, 4000]);
    expect(ceilings.slice(5)).toEqual([BACKOFF.maxMs, BACKOFF.maxMs, BACKOFF.maxMs]);
  });

  it('jitters between half the ceiling and the ceiling', () => {
    expect(backoffDelay(3, 0)).toBe(1000);
    expect(backoffDelay(3, 0.5)).toBe(1500);
    for (let i = 0; i < 100; i++) {
      const d = backoffDelay(7, Math.random());
      expect(d).toBeGreaterThanOrEqual(BACKOFF.maxMs / 2);
      expect(d).toBeLessThanOrEqual(BACKOFF.maxMs);
    }
  });
});
