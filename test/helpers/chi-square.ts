// Pearson's chi-square goodness-of-fit test, for checking that a sample's mix
// (per kind, per edge) matches the input it was drawn from. The p-value comes
// from the regularised upper incomplete gamma function Q(df/2, x/2)
// (series for x < a + 1, Lentz's continued fraction otherwise; Numerical
// Recipes 6.2), with a Lanczos log-gamma. test/helpers/chi-square.test.ts
// checks it against published critical values.

export interface ChiSquareResult {
  statistic: number;
  df: number;
  pValue: number;
}

/**
 * Tests observed counts against expected proportions (any positive weights;
 * they are normalised). Categories expected to hold fewer than 5 are pooled
 * into one, the usual validity rule for the chi-square approximation.
 */
export function chiSquareGof(observed: readonly number[], weights: readonly number[]): ChiSquareResult {
  if (observed.length !== weights.length) throw new Error('observed and weights differ in length');
  const n = observed.reduce((a, b) => a + b, 0);
  const wsum = weights.reduce((a, b) => a + b, 0);
  if (!(n > 0) || !(wsum > 0)) throw new Error('empty sample or weights');
  const bins: { o: number; e: number }[] = [];
  const pooled = { o: 0, e: 0 };
  observed.forEach((o, i) => {
    const e = (n * weights[i]!) / wsum;
    if (e >= 5) bins.push({ o, e });
    else {
      pooled.o += o;
      pooled.e += e;
    }
  });
  if (pooled.e > 0) bins.push(pooled);
  if (bins.length < 2) throw new Error('fewer than two categories with enough expected counts');
  const statistic = bins.reduce((acc, { o, e }) => acc + (o - e) ** 2 / e, 0);
  const df = bins.length - 1;
  return { statistic, df, pValue: gammaQ(df / 2, statistic / 2) };
}

/** P(X >= x) for a chi-square variable with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return gammaQ(df / 2, x / 2);
}

function lnGamma(x: number): number {
  const c = [76.18009172947146, -86.50532032941677, 24.01409824083091, -1.231739572450155, 0.1208650973866179e-2, -0.5395239384953e-5];
  let y = x;
  const tmp = x + 5.5 - (x + 0.5) * Math.log(x + 5.5);
  let ser = 1.000000000190015;
  for (const ci of c) ser += ci / ++y;
  return -tmp + Math.log((2.5066282746310005 * ser) / x);
}

function gammaQ(a: number, x: number): number {
  if (x <= 0) return 1;
  if (x < a + 1) {
    let sum = 1 / a;
    let del = sum;
    for (let ap = a; Math.abs(del) > Math.abs(sum) * 1e-15; ) {
      del *= x / ++ap;
      sum += del;
    }
    return 1 - sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
  }
  const tiny = 1e-300;
  let b = x + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 10_000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const del = d * c;
    h *= del;
    if (Math.abs(del - 1) < 1e-15) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}
