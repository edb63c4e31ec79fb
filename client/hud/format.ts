// Number formatting for the overlay: short, stable-width-ish, readable from afar.

const int = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
const one = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });

export function count(n: number): string {
  if (n >= 1e6) return `${one.format(n / 1e6)}M`;
  if (n >= 1e4) return `${one.format(n / 1e3)}k`;
  return int.format(n);
}

export function ratio(n: number): string {
  if (!Number.isFinite(n)) return 'many';
  return n >= 10 ? int.format(n) : one.format(n);
}

export function seconds(ms: number): string {
  return `${Math.max(0, Math.round(ms / 1000))} s`;
}
