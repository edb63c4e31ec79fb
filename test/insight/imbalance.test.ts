// The lens's false-flag probability, computed exactly: under a balanced feed
// an MTA's window is a multinomial draw with equal shares, so summing the
// probability of every outcome the lens would flag gives the chance of a
// false badge in one window. Plus its power on the planted skew of the
// browser test, and its restraint on tiny deviations at huge volumes.

import { describe, expect, it } from 'vitest';
import { chiSquareSurvival, normalUpperTail } from '../../client/insight/chi-square.js';
import { LENS_DEFAULTS, judgeRow } from '../../client/insight/imbalance.js';
import { buildMatrix } from '../../client/insight/matrix.js';

function lnFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/** P(flagged) for one row of `total` events spread evenly over k cells, by enumerating every outcome. */
function exactFalseFlag(k: number, total: number, t = LENS_DEFAULTS): { p: number; outcomes: number } {
  const lnF = new Float64Array(total + 1);
  for (let i = 1; i <= total; i++) lnF[i] = lnF[i - 1]! + Math.log(i);
  const shares = new Array<number>(k).fill(1 / k);
  const counts = new Array<number>(k).fill(0);
  const base = lnF[total]! - total * Math.log(k);
  let p = 0;
  let outcomes = 0;
  const walk = (cell: number, left: number, lnDen: number) => {
    if (cell === k - 1) {
      counts[cell] = left;
      outcomes++;
      if (judgeRow(counts, shares, t).flagged) p += Math.exp(base - lnDen - lnF[left]!);
      return;
    }
    for (let n = 0; n <= left; n++) {
      counts[cell] = n;
      walk(cell + 1, left - n, lnDen + lnF[n]!);
    }
  };
  walk(0, total, 0);
  return { p, outcomes };
}

describe('the imbalance lens statistics', () => {
  it('computes tail probabilities far out (checked against known values)', () => {
    expect(chiSquareSurvival(3.841458820694124, 1)).toBeCloseTo(0.05, 10);
    expect(chiSquareSurvival(7.814727903251178, 3)).toBeCloseTo(0.05, 10);
    // chi-square(3) survival at 50: exact closed form Q(3/2, 25).
    const x = 50;
    const closed = 2 * normalUpperTail(Math.sqrt(x)) + Math.sqrt((2 * x) / Math.PI) * Math.exp(-x / 2);
    expect(chiSquareSurvival(x, 3) / closed).toBeCloseTo(1, 8);
    expect(normalUpperTail(6) / 9.865876450376946e-10).toBeCloseTo(1, 8);
    expect(normalUpperTail(-1) + normalUpperTail(1)).toBeCloseTo(1, 12);
  });

  it('flags a balanced row with probability below one in a billion per window (exact)', () => {
    // At the smallest totals the lens tests at all (every expected count = minExpected) and above.
    // The chi-square approximation is a little optimistic this far out (exactly: 1.5e-10 for 3
    // egresses at 60 events, 3.8e-10 for 4 at 80, 6.6e-10 for 5 at 100), hence alpha = 1e-10.
    const cases: [number, number][] = [
      [2, 40],
      [3, 60],
      [3, 150],
      [4, 80],
      [4, 200],
      [5, 100],
    ];
    for (const [k, total] of cases) {
      const { p, outcomes } = exactFalseFlag(k, total);
      expect(outcomes).toBe(Math.round(Math.exp(lnFactorial(total + k - 1) - lnFactorial(k - 1) - lnFactorial(total))));
      expect(p, `k=${k} n=${total}`).toBeLessThan(1e-9);
    }
  });

  it('tests nothing below the minimum expected count', () => {
    const v = judgeRow([19, 0, 0, 0], [0.25, 0.25, 0.25, 0.25], LENS_DEFAULTS);
    expect(v.p).toBeUndefined();
    expect(v.flagged).toBe(false);
  });

  it('flags exactly the cell of a planted 3x skew, at the smallest testable window', () => {
    // One MTA sends 3/4 of its mail to one of 4 egresses (3x its even share of 1/4), the rest evenly.
    const m = buildMatrix(
      ['mta:a', 'mta:b', 'mta:c'],
      ['egress:w', 'egress:x', 'egress:y', 'egress:z'],
      [
        [60, 7, 6, 7],
        [21, 19, 20, 20],
        [18, 22, 21, 19],
      ],
      'even',
      LENS_DEFAULTS,
    );
    expect(m.verdicts.map((v) => v.flagged)).toEqual([true, false, false]);
    expect(m.verdicts[0]!.flaggedCells).toEqual([0]);
    expect(m.verdicts[0]!.ratios[0]).toBeCloseTo(3);
    expect(m.verdicts[0]!.p).toBeLessThan(1e-20);
  });

  it('does not flag a deviation that is significant but small, however large the volume', () => {
    // 1.3x the even share on a million events: p is astronomically small, the effect is below 1.5x.
    const v = judgeRow([325_000, 225_000, 225_000, 225_000], [0.25, 0.25, 0.25, 0.25], LENS_DEFAULTS);
    expect(v.p).toBeLessThan(1e-100);
    expect(v.flagged).toBe(false);
  });

  it('judges an egress against the destination mix of all egresses, pooling thin destinations', () => {
    const m = buildMatrix(
      ['egress:a', 'egress:b', 'egress:c'],
      ['Google', 'Microsoft', 'Yahoo', 'tiny1', 'tiny2'],
      [
        [500, 300, 200, 2, 1],
        [480, 310, 210, 1, 2],
        [150, 300, 550, 2, 2],
      ],
      'marginal',
      LENS_DEFAULTS,
    );
    expect(m.expected.reduce((a, b) => a + b, 0)).toBeCloseTo(1);
    // c sends Yahoo about 1.7x what all egresses do together.
    expect(m.verdicts.map((v) => v.flagged)).toEqual([false, false, true]);
    expect(m.verdicts[2]!.flaggedCells).toEqual([2]);
  });
});
