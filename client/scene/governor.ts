// Keeps the page responsive when more balls arrive than the machine can draw:
// while frames run long, the live-ball limit shrinks (new balls are dropped
// and counted), and it grows back while frames are fast. Without it, slow
// frames lengthen every flight in wall time, more balls pile up, and frames
// get slower still.

export interface GovernorOptions {
  /** Never limit below this many live balls. */
  floor: number;
  ceiling: number;
  /** Shrink while the smoothed frame interval is above this (ms). */
  slowMs: number;
  /** Grow while it is below this. */
  fastMs: number;
  /** How often the limit is revised (ms). */
  periodMs: number;
}

export const GOVERNOR_DEFAULTS: Omit<GovernorOptions, 'ceiling'> = { floor: 300, slowMs: 25, fastMs: 19, periodMs: 500 };

export class Governor {
  limit: number;
  private smoothed = 1000 / 60;
  private lastRevision = 0;

  constructor(private readonly opts: GovernorOptions) {
    this.limit = opts.ceiling;
  }

  /** One frame took `intervalMs`; `live` balls are alive. Returns the limit to apply. */
  frame(now: number, intervalMs: number, live: number): number {
    // Ignore stalls (tab switch, debugger): they say nothing about drawing cost.
    if (intervalMs > 0 && intervalMs < 250) this.smoothed += (intervalMs - this.smoothed) * 0.1;
    if (now - this.lastRevision < this.opts.periodMs) return this.limit;
    this.lastRevision = now;
    const { floor, ceiling, slowMs, fastMs } = this.opts;
    if (this.smoothed > slowMs && live > floor) {
      this.limit = Math.max(floor, Math.floor(Math.min(this.limit, live) * 0.85));
    } else if (this.smoothed < fastMs && this.limit < ceiling) {
      this.limit = Math.min(ceiling, this.limit + Math.max(25, Math.floor(this.limit * 0.05)));
    }
    return this.limit;
  }
}
