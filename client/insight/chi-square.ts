// Pearson's chi-square goodness of fit and a one-sided test for a single
// cell's excess, with p-values from the regularised upper incomplete gamma
// function (@stdlib): Q(df/2, x/2) for chi-square, and half of Q(1/2, z²/2)
// for a standard normal tail. Accurate far into the tail (p of 1e-12 and
// below), which is where the imbalance lens sets its significance.

import gammainc from '@stdlib/math-base-special-gammainc';

export interface ChiSquare {
  statistic: number;
  df: number;
  p: number;
}

/** P(X >= x) for X chi-square with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  if (!(x > 0)) return 1;
  return gammainc(x / 2, df / 2, true, true);
}

/** P(Z >= z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  if (z <= 0) return z === 0 ? 0.5 : 1 - normalUpperTail(-z);
  return 0.5 * gammainc((z * z) / 2, 0.5, true, true);
}

/**
 * Observed counts against expected counts of the same total (the caller has
 * pooled cells too small for the approximation). Undefined with fewer than
 * two cells.
 */
export function goodnessOfFit(observed: ArrayLike<number>, expected: ArrayLike<number>, cells = observed.length): ChiSquare | undefined {
  if (cells < 2) return undefined;
  let x = 0;
  for (let i = 0; i < cells; i++) {
    const e = expected[i]!;
    const d = observed[i]! - e;
    x += (d * d) / e;
  }
  return { statistic: x, df: cells - 1, p: chiSquareSurvival(x, cells - 1) };
}

/**
 * One-sided p-value that a cell holding `observed` of `total`, where a share
 * `p` was expected, holds that many or more by chance (normal approximation
 * to the binomial, valid at the lens's minimum expected count).
 */
export function cellExcessP(observed: number, total: number, p: number): number {
  const e = total * p;
  const sd = Math.sqrt(e * (1 - p));
  if (!(sd > 0)) return observed > e ? 0 : 1;
  return normalUpperTail((observed - e) / sd);
}
