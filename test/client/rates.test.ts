import { describe, expect, it } from 'vitest';
import { WindowCounter } from '../../client/state/rates.js';

describe('WindowCounter', () => {
  it('sums over the last window only', () => {
    const w = new WindowCounter(1000, 10);
    w.add(0, 5, 1);
    w.add(450, 5, 1);
    expect(w.sums(900)).toEqual([10, 2]);
    expect(w.rate(900)).toBe(10);
    expect(w.sums(1050)).toEqual([5, 1]);
    expect(w.sums(5000)).toEqual([0, 0]);
  });

  it('reuses a bucket for a later window without carrying old counts', () => {
    const w = new WindowCounter(1000, 10);
    w.add(0, 7);
    w.add(1000, 1);
    expect(w.sums(1000)[0]).toBe(1);
  });
});
