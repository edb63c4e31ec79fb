// Compares two runs of `npm run bench` (JSON lines of {name, value, unit,
// conditions}) figure by figure: old, new, change in percent, and whether the
// change is for the worse beyond a threshold. Which way is better follows
// from the unit: rates and counts (lines/s, fps, balls) are better higher,
// times, CPU shares and sizes (ms, ns/event, % of one core, MB, bytes/event) better lower.
// A figure that appears several times in one file (runs appended to one
// another) is compared by its median.

import type { Figure } from '../lib/figure.js';

export type Better = 'higher' | 'lower';

export interface Comparison {
  name: string;
  unit: string;
  old: number | undefined;
  new: number | undefined;
  /** (new - old) / old, percent; undefined when either is missing or old is 0. */
  changePct: number | undefined;
  better: Better | undefined;
  /** worse/better: beyond the threshold in that direction; same: within it; unknown: the unit does not say which way is better. */
  verdict: 'worse' | 'better' | 'same' | 'unknown' | 'new' | 'gone';
}

/** Which way is better for a unit, or undefined when the unit does not say. */
export function better(unit: string): Better | undefined {
  const u = unit.trim().toLowerCase();
  if (/\/s\b|\bper (\w+ )*second\b|^fps$|^balls$/.test(u)) return 'higher';
  if (/^(ns|µs|us|ms|s)\b|^% of\b|^(b|bytes|kb|kib|mb|mib|gb|gib)(\/\w+)?$/.test(u)) return 'lower';
  return undefined;
}

/** Figures of a `npm run bench` output; other lines (a stray log line) are skipped. */
export function parseFigures(text: string): Figure[] {
  const out: Figure[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const f = JSON.parse(line) as Partial<Figure>;
      if (typeof f.name === 'string' && typeof f.value === 'number' && typeof f.unit === 'string') {
        out.push({ name: f.name, value: f.value, unit: f.unit, conditions: f.conditions ?? '' });
      }
    } catch {
      // Not a figure.
    }
  }
  return out;
}

function medians(figures: readonly Figure[]): Map<string, { value: number; unit: string }> {
  const by = new Map<string, { values: number[]; unit: string }>();
  for (const f of figures) {
    const entry = by.get(f.name) ?? { values: [], unit: f.unit };
    entry.values.push(f.value);
    by.set(f.name, entry);
  }
  const out = new Map<string, { value: number; unit: string }>();
  for (const [name, { values, unit }] of by) {
    const sorted = values.slice().sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    out.set(name, { value: sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2, unit });
  }
  return out;
}

/** Every figure of either run, in the old run's order, then the new run's new ones. */
export function compare(oldRun: readonly Figure[], newRun: readonly Figure[], thresholdPct: number): Comparison[] {
  const a = medians(oldRun);
  const b = medians(newRun);
  const names = [...a.keys(), ...[...b.keys()].filter((n) => !a.has(n))];
  return names.map((name) => {
    const o = a.get(name);
    const n = b.get(name);
    const unit = (n ?? o)!.unit;
    const dir = better(unit);
    const base = { name, unit, old: o?.value, new: n?.value, better: dir };
    if (!o) return { ...base, changePct: undefined, verdict: 'new' as const };
    if (!n) return { ...base, changePct: undefined, verdict: 'gone' as const };
    const changePct = o.value === 0 ? undefined : ((n.value - o.value) / Math.abs(o.value)) * 100;
    let verdict: Comparison['verdict'] = 'same';
    if (!dir) verdict = 'unknown';
    else if (changePct !== undefined && Math.abs(changePct) > thresholdPct) {
      const up = changePct > 0;
      verdict = up === (dir === 'higher') ? 'better' : 'worse';
    }
    return { ...base, changePct: changePct === undefined ? undefined : Number(changePct.toFixed(1)), verdict };
  });
}

/** A plain table for a terminal. */
export function table(rows: readonly Comparison[]): string {
  const fmt = (v: number | undefined) => (v === undefined ? '-' : String(Number(v.toPrecision(6))));
  const cells = rows.map((r) => [
    r.name,
    fmt(r.old),
    fmt(r.new),
    r.changePct === undefined ? '-' : `${r.changePct > 0 ? '+' : ''}${r.changePct}%`,
    r.unit + (r.better ? ` (${r.better} is better)` : ''),
    r.verdict === 'worse' ? 'WORSE' : r.verdict,
  ]);
  const head = ['figure', 'old', 'new', 'change', 'unit', ''];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  return [head, ...cells].map((c) => c.map((v, i) => (i === 1 || i === 2 || i === 3 ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd()).join('\n');
}
