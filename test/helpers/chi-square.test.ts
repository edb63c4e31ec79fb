import { describe, expect, it } from 'vitest';
import { chiSquareGof, chiSquareSurvival } from './chi-square.js';

describe('chi-square helper', () => {
  it('matches published critical values', () => {
    // [x, df, upper-tail probability] from standard chi-square tables.
    const table: [number, number, number][] = [
      [3.841, 1, 0.05],
      [10.828, 1, 0.001],
      [18.467, 4, 0.001],
      [23.209, 10, 0.01],
      [86.661, 50, 0.001],
      [124.342, 100, 0.05],
    ];
    for (const [x, df, p] of table) expect(chiSquareSurvival(x, df)).toBeCloseTo(p, 4);
  });

  it('accepts a sample from the stated mix and rejects one from another', () => {
    expect(chiSquareGof([500, 300, 200], [5, 3, 2]).pValue).toBeCloseTo(1, 6);
    expect(chiSquareGof([600, 250, 150], [5, 3, 2]).pValue).toBeLessThan(1e-6);
  });

  it('pools categories with small expected counts', () => {
    const r = chiSquareGof([50, 45, 3, 2], [50, 45, 3, 2]);
    expect(r.df).toBe(2);
  });
});
