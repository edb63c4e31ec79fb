// Rates derived on the client: a sliding window counter for what the page
// itself sees (balls shown, sampling), and per-node rates from differencing
// two of the daemon's exact cumulative stats snapshots.

import type { KindCounts, StatsMessage } from '../../server/protocol/index.js';

/**
 * Sums of two quantities over the last `windowMs`, in fixed buckets so adding
 * is O(1) and nothing is allocated per event.
 */
export class WindowCounter {
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly stamp: Float64Array;
  private readonly bucketMs: number;

  constructor(
    readonly windowMs = 1000,
    buckets = 10,
  ) {
    this.bucketMs = windowMs / buckets;
    this.a = new Float64Array(buckets);
    this.b = new Float64Array(buckets);
    this.stamp = new Float64Array(buckets).fill(-Infinity);
  }

  add(now: number, a: number, b = 0): void {
    const slot = Math.floor(now / this.bucketMs);
    const i = slot % this.a.length;
    if (this.stamp[i] !== slot) {
      this.stamp[i] = slot;
      this.a[i] = 0;
      this.b[i] = 0;
    }
    this.a[i]! += a;
    this.b[i]! += b;
  }

  /** [sum of a, sum of b] over the buckets inside the window ending at `now`. */
  sums(now: number): [number, number] {
    const current = Math.floor(now / this.bucketMs);
    let sa = 0;
    let sb = 0;
    for (let i = 0; i < this.a.length; i++) {
      if (current - this.stamp[i]! < this.a.length) {
        sa += this.a[i]!;
        sb += this.b[i]!;
      }
    }
    return [sa, sb];
  }

  /** Per-second rate of a. */
  rate(now: number): number {
    return (this.sums(now)[0] * 1000) / this.windowMs;
  }
}

function total(k: KindCounts | undefined): number {
  return k ? k[0] + k[1] + k[2] + k[3] + k[4] : 0;
}

/** Per-node events/s from two consecutive stats snapshots. */
export class NodeRates {
  private prev: StatsMessage | undefined;
  readonly perNode = new Map<string, number>();
  /** Changes with every update, so labels are redrawn only when there is something new. */
  version = 0;

  update(next: StatsMessage): void {
    this.version++;
    const prev = this.prev;
    this.prev = next;
    this.perNode.clear();
    if (!prev) return;
    const dt = (next.at - prev.at) / 1000;
    // A restarted daemon starts its counters again; differences across that are meaningless.
    if (!(dt > 0) || next.uptimeMs < prev.uptimeMs) return;
    for (const [id, counts] of Object.entries(next.nodes)) {
      const d = total(counts) - total(prev.nodes[id]);
      this.perNode.set(id, d > 0 ? d / dt : 0);
    }
  }

  reset(): void {
    this.version++;
    this.prev = undefined;
    this.perNode.clear();
  }
}
