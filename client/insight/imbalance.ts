// The imbalance lens's statistics: for each row of a count matrix (an MTA's
// traffic per egress, an egress's traffic per destination), how far the row
// is from what was expected, and whether that is a finding or noise.
//
// A row is flagged only when all of these hold, so small samples and tiny
// but real deviations at huge volumes never raise a badge:
//   - its chi-square goodness of fit against the expected spread has p < alpha,
//     computed only over cells expected to hold at least minExpected (smaller
//     cells are pooled; a pool still below the minimum is left out, which
//     conditions the test on the remaining cells);
//   - at least one cell is flagged: its share is at least `ratio` times the
//     expected share, and its own excess (one-sided, normal approximation to
//     the binomial) has p < alpha.
// Under a balanced feed the chance that a row is flagged in one window is
// about alpha: the chi-square approximation is slightly optimistic this far
// into the tail, so alpha is 1e-10 for a real per-window probability below
// 1e-9 (test/insight/imbalance.test.ts computes it exactly by enumerating
// every outcome: 1.5e-10 for 3 egresses, 3.8e-10 for 4, 6.6e-10 for 5, at
// the smallest windows the lens tests).

import { cellExcessP, goodnessOfFit } from './chi-square.js';

export interface LensThresholds {
  /** Significance for the row test and for a cell's excess. */
  alpha: number;
  /** A cell counts only at this many times its expected share or more. */
  ratio: number;
  /** Cells expected to hold fewer events are pooled (chi-square validity). */
  minExpected: number;
}

export const LENS_DEFAULTS: LensThresholds = { alpha: 1e-10, ratio: 1.5, minExpected: 20 };

export interface RowVerdict {
  total: number;
  /** p of the row's goodness of fit; undefined when too few events to test. */
  p: number | undefined;
  /** Observed share / expected share per cell (NaN where nothing was expected). */
  ratios: Float64Array;
  /** Cells that deviate upwards beyond both thresholds. */
  flaggedCells: number[];
  flagged: boolean;
}

/**
 * Judges one row: `counts` per cell, `expectedShares` per cell (summing to
 * 1 over the cells, e.g. 1/k each for an even spread).
 */
export function judgeRow(counts: ArrayLike<number>, expectedShares: ArrayLike<number>, t: LensThresholds): RowVerdict {
  const n = counts.length;
  let total = 0;
  for (let i = 0; i < n; i++) total += counts[i]!;
  const ratios = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const share = expectedShares[i]!;
    ratios[i] = total > 0 && share > 0 ? counts[i]! / (total * share) : NaN;
  }
  const verdict: RowVerdict = { total, p: undefined, ratios, flaggedCells: [], flagged: false };
  if (total === 0) return verdict;

  // Cells big enough on their own, and one pool of the rest.
  const obs: number[] = [];
  const exp: number[] = [];
  let poolO = 0;
  let poolE = 0;
  for (let i = 0; i < n; i++) {
    const e = total * expectedShares[i]!;
    if (e >= t.minExpected) {
      obs.push(counts[i]!);
      exp.push(e);
    } else {
      poolO += counts[i]!;
      poolE += e;
    }
  }
  if (poolE >= t.minExpected) {
    obs.push(poolO);
    exp.push(poolE);
  }
  // Left-out cells: the test is on the rest, rescaled to their own total.
  let keptO = 0;
  let keptE = 0;
  for (let i = 0; i < obs.length; i++) {
    keptO += obs[i]!;
    keptE += exp[i]!;
  }
  if (keptE > 0 && keptO !== total) for (let i = 0; i < exp.length; i++) exp[i] = (exp[i]! * keptO) / keptE;
  const fit = goodnessOfFit(obs, exp);
  if (!fit) return verdict;
  verdict.p = fit.p;
  if (fit.p >= t.alpha) return verdict;

  for (let i = 0; i < n; i++) {
    const share = expectedShares[i]!;
    if (!(ratios[i]! >= t.ratio) || total * share < t.minExpected) continue;
    if (cellExcessP(counts[i]!, total, share) < t.alpha) verdict.flaggedCells.push(i);
  }
  verdict.flagged = verdict.flaggedCells.length > 0;
  return verdict;
}
