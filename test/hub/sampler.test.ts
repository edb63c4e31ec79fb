import { describe, expect, it } from 'vitest';
import type { MailEvent } from '../../server/protocol/index.js';
import { BUCKET_MS, TickSampler } from '../../server/hub/sampler.js';
import { chiSquareGof } from '../helpers/chi-square.js';

// Significance of every goodness-of-fit test here: a correct sampler fails one
// of them by chance with probability 1e-4.
const ALPHA = 1e-4;

const ev = (i: number): MailEvent => ({ ts: i, format: 'json', kind: 'delivery', delayMs: i });

/** Offers n numbered events, ends the tick at `now`; returns [input, kept indexes]. */
function window(s: TickSampler, n: number, now: number): [number, number[]] {
  for (let i = 0; i < n; i++) s.offer(ev(i));
  const out: MailEvent[] = [];
  const input = s.take(now, out);
  return [input, out.map((e) => e.delayMs!)];
}

describe('TickSampler', () => {
  it('keeps every position of a window with equal probability (full reservoir)', () => {
    // rate 200 -> a 50-slot reservoir; a long gap fills the budget, so each window returns all 50.
    const s = new TickSampler(200, 0);
    expect(s.capacity).toBe((200 * BUCKET_MS) / 1000);
    const n = 2000;
    const bins = new Array<number>(20).fill(0);
    let now = 0;
    for (let w = 0; w < 400; w++) {
      const [input, kept] = window(s, n, (now += 10_000));
      expect(input).toBe(n);
      expect(kept).toHaveLength(s.capacity);
      for (const i of kept) bins[Math.floor(i / (n / bins.length))]!++;
    }
    const r = chiSquareGof(bins, bins.map(() => 1));
    expect(r.pValue, `chi-square ${r.statistic.toFixed(1)} on ${r.df} df`).toBeGreaterThan(ALPHA);
  });

  it('draws a uniform subset when the budget is smaller than the reservoir', () => {
    const s = new TickSampler(1000, 0);
    const n = 1000;
    const bins = new Array<number>(20).fill(0);
    let now = 0;
    let kept = 0;
    for (let w = 0; w < 1000; w++) {
      const [, picked] = window(s, n, (now += 20));
      kept += picked.length;
      for (const i of picked) bins[Math.floor(i / (n / bins.length))]!++;
    }
    expect(kept).toBe(20_000);
    const r = chiSquareGof(bins, bins.map(() => 1));
    expect(r.pValue, `chi-square ${r.statistic.toFixed(1)} on ${r.df} df`).toBeGreaterThan(ALPHA);
  });

  it('returns events in arrival order', () => {
    const s = new TickSampler(1000, 0);
    for (let w = 1; w <= 50; w++) {
      const [, kept] = window(s, 5000, w * 20);
      expect(kept).toEqual([...kept].sort((a, b) => a - b));
    }
  });

  it('holds the rate when ticks are late, early or stalled', () => {
    const rate = 1000;
    const s = new TickSampler(rate, 0);
    let now = 0;
    let kept = 0;
    // Irregular ticks: mostly 10..40 ms, now and then a 200 ms stall (within the bucket).
    for (let t = 0; t < 3000; t++) {
      const step = t % 97 === 0 ? 200 : 10 + ((t * 7919) % 31);
      now += step;
      kept += window(s, Math.ceil((step * rate * 20) / 1000), now)[1].length;
    }
    const expected = (now * rate) / 1000;
    expect(Math.abs(kept - expected)).toBeLessThanOrEqual(1);
  });

  it('keeps everything when the input is below the rate', () => {
    const s = new TickSampler(1000, 0);
    let now = 0;
    for (let t = 0; t < 100; t++) {
      const [input, kept] = window(s, 15, (now += 20));
      expect(input).toBe(15);
      expect(kept).toHaveLength(15);
    }
  });

  it('accounts for every input event at rates below one event per tick', () => {
    const s = new TickSampler(1, 0);
    let now = 0;
    let offered = 0;
    let accounted = 0;
    let frames = 0;
    for (let t = 0; t < 500; t++) {
      const [input, kept] = window(s, 3, (now += 20));
      offered += 3;
      accounted += input;
      if (input > 0) {
        frames++;
        expect(kept).toHaveLength(1);
      }
    }
    // One frame a second (10 s simulated), each standing for all the input since the previous one.
    expect(frames).toBe(10);
    expect(accounted + s.pending).toBe(offered);
  });
});
