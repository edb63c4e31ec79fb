// Burn-in guard for wall screens: everything static (the heads-up line, the
// labels, the nodes) wanders a few pixels along a slow Lissajous path, about
// one lap in ten minutes, too slow to notice but enough that no pixel shows
// the same text for days. The scene moves its camera by offset(); the DOM
// overlay follows through a CSS variable.

export const DRIFT_PX = 8;
const PERIOD_X_MS = 7 * 60_000;
const PERIOD_Y_MS = 11 * 60_000;

export class Drift {
  private readonly point = { x: 0, y: 0 };

  constructor(
    private readonly enabled: () => boolean,
    private readonly amplitude = DRIFT_PX,
  ) {}

  /** The offset at `now` in CSS pixels; the same object every call (read it, do not keep it). */
  offset(now: number): Readonly<{ x: number; y: number }> {
    if (!this.enabled()) {
      this.point.x = 0;
      this.point.y = 0;
    } else {
      this.point.x = this.amplitude * Math.sin((2 * Math.PI * now) / PERIOD_X_MS);
      this.point.y = this.amplitude * Math.sin((2 * Math.PI * now) / PERIOD_Y_MS);
    }
    return this.point;
  }

  /** Moves the overlay with the scene; a few times a second is plenty at this pace. */
  applyTo(root: { style: { setProperty(name: string, value: string): void } }, now: number): void {
    const p = this.offset(now);
    root.style.setProperty('--drift-x', `${p.x.toFixed(2)}px`);
    root.style.setProperty('--drift-y', `${p.y.toFixed(2)}px`);
  }
}
