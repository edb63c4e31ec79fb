// Share matrices for the imbalance lens, from windowed exact counts: rows x
// columns of event counts, each row's shares, and what each row was expected
// to look like. Two kinds of expectation:
//   - even: every column equally (MTA x egress: "a balanced platform spreads
//     each MTA's mail evenly over the egresses");
//   - marginal: the columns' overall mix (egress x destination: destinations
//     are never even, so an egress is judged against what all egresses send
//     to each destination together).

import { judgeRow, type LensThresholds, type RowVerdict } from './imbalance.js';

export interface ShareMatrix {
  rows: string[];
  cols: string[];
  /** counts[r][c] */
  counts: number[][];
  expectation: 'even' | 'marginal';
  /** Expected share of each column (the same for every row). */
  expected: number[];
  verdicts: RowVerdict[];
}

export function buildMatrix(
  rows: readonly string[],
  cols: readonly string[],
  counts: number[][],
  expectation: 'even' | 'marginal',
  t: LensThresholds,
): ShareMatrix {
  const expected = new Array<number>(cols.length).fill(0);
  if (expectation === 'even') {
    expected.fill(cols.length > 0 ? 1 / cols.length : 0);
  } else {
    let all = 0;
    for (const row of counts) for (let c = 0; c < cols.length; c++) all += row[c]!;
    for (const row of counts) for (let c = 0; c < cols.length; c++) expected[c]! += all > 0 ? row[c]! / all : 0;
  }
  const verdicts = counts.map((row) => judgeRow(row, expected, t));
  return { rows: [...rows], cols: [...cols], counts, expectation, expected, verdicts };
}
