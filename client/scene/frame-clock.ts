// Frame intervals of the scene's own loop, kept in a ring for the test hook
// and the benchmark. Summaries are computed on demand, never per frame.

export interface FrameSummary {
  frames: number;
  fps: number;
  p50: number;
  p99: number;
  /** Intervals longer than 20 ms (a missed vsync at 60 Hz). */
  over20: number;
}

export class FrameClock {
  private readonly intervals: Float32Array;
  private count = 0;
  private last = -1;

  constructor(size = 600) {
    this.intervals = new Float32Array(size);
  }

  tick(now: number): void {
    if (this.last >= 0) this.intervals[this.count++ % this.intervals.length] = now - this.last;
    this.last = now;
  }

  summary(): FrameSummary {
    const n = Math.min(this.count, this.intervals.length);
    const xs = Array.from(this.intervals.subarray(0, n)).sort((a, b) => a - b);
    const sum = xs.reduce((a, b) => a + b, 0);
    const pct = (p: number) => (n ? xs[Math.min(n - 1, Math.floor(p * n))]! : 0);
    return {
      frames: this.count,
      fps: sum > 0 ? (n * 1000) / sum : 0,
      p50: pct(0.5),
      p99: pct(0.99),
      over20: xs.filter((x) => x > 20).length,
    };
  }
}
