// Rates derived on the client: events in, sent and drawn over the same
// frames (the heads-up line), and per-node rates from differencing two of the
// daemon's exact cumulative stats snapshots.

import type { KindCounts, StatsMessage } from '../../server/protocol/index.js';

/**
 * What the heads-up line compares, over the last `windowMs` of event frames
 * (page clock): the events the daemon took in for those frames (each frame's
 * exact `input`), the events it sent (a sample when it samples), and the
 * balls drawn from them. A ball counts under its frame's arrival, not the
 * moment it was drawn, so every figure covers the same frames and
 * balls <= events sent <= events in holds by construction, whatever the
 * bursts, the queue's release spread or the frame rate. Fixed buckets: O(1)
 * per frame and per ball, nothing allocated.
 */
export class FlowRates {
  private readonly input: Float64Array;
  private readonly kept: Float64Array;
  private readonly shown: Float64Array;
  private readonly slot: Float64Array;
  private readonly bucketMs: number;
  private firstAt = NaN;

  constructor(
    readonly windowMs = 5000,
    buckets = 20,
  ) {
    this.bucketMs = windowMs / buckets;
    // One more bucket than the window holds: the current one fills while the oldest still counts.
    const n = buckets + 1;
    this.input = new Float64Array(n);
    this.kept = new Float64Array(n);
    this.shown = new Float64Array(n);
    this.slot = new Float64Array(n).fill(-Infinity);
  }

  /** The stream began (the daemon's hello): a quiet stream measures zero from here. */
  start(now: number): void {
    if (Number.isNaN(this.firstAt)) this.firstAt = now;
  }

  /** An events frame arrived at `now`: `input` events came in at the daemon, `kept` of them were sent. */
  frame(now: number, input: number, kept: number): void {
    if (Number.isNaN(this.firstAt)) this.firstAt = now;
    const slot = Math.floor(now / this.bucketMs);
    const i = slot % this.slot.length;
    if (this.slot[i] !== slot) {
      this.slot[i] = slot;
      this.input[i] = 0;
      this.kept[i] = 0;
      this.shown[i] = 0;
    }
    // A frame never stands for fewer events than it carries.
    this.input[i]! += Math.max(input, kept);
    this.kept[i]! += kept;
  }

  /** A ball was drawn from an event of the frame that arrived at `frameAt`. */
  ball(frameAt: number): void {
    const slot = Math.floor(frameAt / this.bucketMs);
    const i = slot % this.slot.length;
    // Its frame has left the window (or never registered): so does the ball.
    if (this.slot[i] === slot) this.shown[i]! += 1;
  }

  /**
   * Per-second rates over the frames that arrived in the window ending at
   * `now`, and how long a stretch that is (shorter just after the first frame).
   */
  rates(now: number): { inPerSec: number; keptPerSec: number; shownPerSec: number; spanMs: number } {
    const current = Math.floor(now / this.bucketMs);
    const n = this.slot.length;
    let input = 0;
    let kept = 0;
    let shown = 0;
    for (let i = 0; i < n; i++) {
      if (current - this.slot[i]! < n) {
        input += this.input[i]!;
        kept += this.kept[i]!;
        shown += this.shown[i]!;
      }
    }
    const from = Math.max((current - n + 1) * this.bucketMs, Number.isNaN(this.firstAt) ? now : this.firstAt);
    const spanMs = Math.max(0, now - from);
    const per = spanMs > 0 ? 1000 / spanMs : 0;
    return { inPerSec: input * per, keptPerSec: kept * per, shownPerSec: shown * per, spanMs };
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
