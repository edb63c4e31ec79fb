// Summaries of the soak's sampled series: the least-squares slope over the
// samples after warm-up (a leak is a trend, so one noisy sample moves it
// little), plus first, last, min, max and mean of those samples.

export interface SeriesSummary {
  first: number;
  last: number;
  min: number;
  max: number;
  mean: number;
  /** Least-squares slope, per hour of wall time. */
  slopePerHour: number;
}

/** Least-squares slope of y over x; 0 for fewer than two distinct x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = xs.length;
  if (n < 2) return 0;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  return sxx === 0 ? 0 : sxy / sxx;
}

/** `seconds` are the sample times, `values` the series; both already cut to the post-warm-up samples. */
export function summarize(seconds: readonly number[], values: readonly number[], digits = 2): SeriesSummary {
  const round = (v: number) => Number(v.toFixed(digits));
  if (values.length === 0) return { first: 0, last: 0, min: 0, max: 0, mean: 0, slopePerHour: 0 };
  return {
    first: round(values[0]!),
    last: round(values.at(-1)!),
    min: round(Math.min(...values)),
    max: round(Math.max(...values)),
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
    slopePerHour: round(slope(seconds, values) * 3600),
  };
}
