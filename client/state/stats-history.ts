// The daemon's last minute of exact cumulative stats snapshots (about one a
// second). Everything the insight views show over a window (shares, failure
// bins, the deferral pen) is the difference between the
// latest snapshot and one a window older, so it is exact however the events
// were sampled. A daemon restart (uptime going backwards) starts the history
// over, since differences across it mean nothing.

import type { KindCounts, StatsMessage } from '../../server/protocol/index.js';

/** Longest window any view may ask for, in ms. */
export const MAX_WINDOW_MS = 60_000;
/** Snapshots kept: a minute of them, with room for uneven arrival. */
const CAPACITY = 64;

export interface Arrival {
  stats: StatsMessage;
}

export class StatsHistory {
  private readonly ring: (Arrival | undefined)[] = new Array<Arrival | undefined>(CAPACITY).fill(undefined);
  private head = 0;
  private size = 0;
  /** Changes with every snapshot, so views recompute only when there is news. */
  version = 0;

  push(stats: StatsMessage): void {
    const last = this.latest;
    if (last && (stats.uptimeMs < last.stats.uptimeMs || stats.at <= last.stats.at)) this.reset();
    this.ring[this.head] = { stats };
    this.head = (this.head + 1) % CAPACITY;
    this.size = Math.min(this.size + 1, CAPACITY);
    this.version++;
  }

  reset(): void {
    this.ring.fill(undefined);
    this.size = 0;
    this.version++;
  }

  get latest(): Arrival | undefined {
    return this.size > 0 ? this.ring[(this.head - 1 + CAPACITY) % CAPACITY] : undefined;
  }

  /**
   * The newest snapshot at least `windowMs` (daemon clock) older than the
   * latest, or the oldest kept when the history is shorter than that.
   */
  base(windowMs: number): Arrival | undefined {
    const latest = this.latest;
    if (!latest) return undefined;
    const edge = latest.stats.at - Math.min(windowMs, MAX_WINDOW_MS);
    let best: Arrival | undefined;
    for (let i = this.size; i >= 1; i--) {
      const a = this.ring[(this.head - i + CAPACITY) % CAPACITY]!;
      if (!best || a.stats.at <= edge) best = a;
      else break;
    }
    return best;
  }
}

/** Sum of a count array's chosen kinds (all of them by default). */
export function total(c: KindCounts | undefined, kinds?: readonly number[]): number {
  if (!c) return 0;
  if (!kinds) return c[0] + c[1] + c[2] + c[3] + c[4];
  let s = 0;
  for (const k of kinds) s += c[k]!;
  return s;
}

/** now - then for one counter record entry, over the chosen kinds. */
export function delta(now: KindCounts | undefined, then: KindCounts | undefined, kinds?: readonly number[]): number {
  return total(now, kinds) - total(then, kinds);
}
