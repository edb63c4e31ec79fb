// The balls' motion: a fixed pool of slots whose paths and timing live in
// flat typed arrays, advanced by hand in update(). No tween or object is
// created per event: a tween per ball measured slower and churns the heap
// (docs/RENDERER.md). Drawing is a BallView's job (one per renderer).

import { KINDS, type MailEvent } from '../../server/protocol/index.js';
import { END_FALL, END_RETURN, MAX_POINTS, type Flight } from '../layout/paths.js';

/** Draws the live balls; BallLayer tells it when slots start and stop. */
export interface BallView {
  show(slot: number, kindIndex: number): void;
  hide(slot: number): void;
  /** After each update(): put every live ball where the layer says. */
  draw(layer: BallLayer): void;
}

/** Where a ball came to rest on screen, for the test hook. */
export interface Landing {
  kind: number;
  /** Destination bucket ("0".."255", "v6") for deliveries that reached the meter. */
  bucket: string | undefined;
  x: number;
  y: number;
}

export interface Timing {
  /** Canvas pixels per millisecond of travel. */
  speed: number;
  /** Flights never take less or more than this, whatever their length. */
  minFlightMs: number;
  maxFlightMs: number;
  /** Gravity for falling balls, canvas pixels per ms². */
  gravity: number;
  floorY: number;
}

const DWELL_MS = [160, 380, 0, 450, 450];
const LANDINGS_KEPT = 64;

/** Mostly ease-in-out, with some speed left at the ends so arrivals read as hits. */
function ease(u: number): number {
  return 0.3 * u + 0.7 * (0.5 - 0.5 * Math.cos(Math.PI * u));
}

export class BallLayer {
  readonly cap: number;
  readonly liveByKind = new Int32Array(KINDS.length);
  /** Where each slot's ball is this frame (canvas pixels, centre) and how opaque. */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly alpha: Float32Array;
  readonly kind: Uint8Array;
  /** Slots in use, the first liveTotal entries. */
  readonly live: Int32Array;
  /** Live balls allowed right now (the governor lowers it when frames run long). */
  limit: number;

  private readonly npts: Uint8Array;
  private readonly endMode: Uint8Array;
  private readonly landed: Uint8Array;
  private readonly px: Float32Array;
  private readonly py: Float32Array;
  /** Cumulative path length at each waypoint. */
  private readonly cum: Float32Array;
  private readonly t0: Float64Array;
  private readonly flightMs: Float32Array;
  private readonly fallMs: Float32Array;
  private readonly driftX: Float32Array;
  private readonly bucket: (string | undefined)[];
  /** The event each live ball shows (a reference the page already holds), for inspect-on-pause. */
  private readonly events: (MailEvent | undefined)[];

  private liveCount = 0;
  private readonly free: Int32Array;
  private freeCount: number;

  // The most recent landings, a ring in flat arrays (nothing allocated per ball).
  private readonly landKind = new Uint8Array(LANDINGS_KEPT);
  private readonly landX = new Float32Array(LANDINGS_KEPT);
  private readonly landY = new Float32Array(LANDINGS_KEPT);
  private readonly landBucket = new Array<string | undefined>(LANDINGS_KEPT).fill(undefined);
  private landCount = 0;
  private timing: Timing = { speed: 1, minFlightMs: 450, maxFlightMs: 2600, gravity: 0.001, floorY: 0 };

  constructor(
    cap: number,
    private readonly view: BallView,
  ) {
    this.cap = cap;
    this.limit = cap;
    this.x = new Float32Array(cap);
    this.y = new Float32Array(cap);
    this.alpha = new Float32Array(cap);
    this.kind = new Uint8Array(cap);
    this.npts = new Uint8Array(cap);
    this.endMode = new Uint8Array(cap);
    this.landed = new Uint8Array(cap);
    this.px = new Float32Array(cap * MAX_POINTS);
    this.py = new Float32Array(cap * MAX_POINTS);
    this.cum = new Float32Array(cap * MAX_POINTS);
    this.t0 = new Float64Array(cap);
    this.flightMs = new Float32Array(cap);
    this.fallMs = new Float32Array(cap);
    this.driftX = new Float32Array(cap);
    this.bucket = new Array<string | undefined>(cap).fill(undefined);
    this.events = new Array<MailEvent | undefined>(cap).fill(undefined);
    this.live = new Int32Array(cap);
    this.free = new Int32Array(cap);
    for (let i = 0; i < cap; i++) this.free[i] = cap - 1 - i;
    this.freeCount = cap;
  }

  get liveTotal(): number {
    return this.liveCount;
  }

  setTiming(t: Timing): void {
    this.timing = t;
  }

  /** Starts a ball; false when the pool or the current limit is exhausted (the caller counts the drop). */
  spawn(kindIndex: number, f: Flight, t0: number, random: number, ev?: MailEvent): boolean {
    if (this.freeCount === 0 || this.liveCount >= this.limit || f.n < 2) return false;
    const s = this.free[--this.freeCount]!;
    this.live[this.liveCount++] = s;
    this.liveByKind[kindIndex]!++;
    this.kind[s] = kindIndex;
    this.npts[s] = f.n;
    this.endMode[s] = f.end;
    this.landed[s] = 0;
    this.bucket[s] = f.bucket;
    this.events[s] = ev;
    const base = s * MAX_POINTS;
    let len = 0;
    for (let i = 0; i < f.n; i++) {
      const x = f.xs[i]!;
      const y = f.ys[i]!;
      if (i > 0) len += Math.hypot(x - this.px[base + i - 1]!, y - this.py[base + i - 1]!);
      this.px[base + i] = x;
      this.py[base + i] = y;
      this.cum[base + i] = len;
    }
    this.t0[s] = t0;
    const t = this.timing;
    this.flightMs[s] = Math.min(t.maxFlightMs, Math.max(t.minFlightMs, len / t.speed));
    if (f.end === END_FALL) {
      const drop = Math.max(0, t.floorY - this.py[base + f.n - 1]!);
      const fall = Math.sqrt((2 * drop) / t.gravity);
      this.fallMs[s] = fall;
      // Into its bin on the floor when it has one, else a little sideways.
      const lastX = this.px[base + f.n - 1]!;
      this.driftX[s] = Number.isNaN(f.landX) || !(fall > 0) ? (random - 0.5) * t.speed * 0.25 : (f.landX - lastX) / fall;
    }
    this.x[s] = f.xs[0]!;
    this.y[s] = f.ys[0]!;
    this.alpha[s] = 1;
    this.view.show(s, kindIndex);
    return true;
  }

  /** Moves every live ball to where it is at `now`, retires finished ones, and has the view draw. */
  update(now: number): void {
    const { px, py, cum } = this;
    for (let i = this.liveCount - 1; i >= 0; i--) {
      const s = this.live[i]!;
      const base = s * MAX_POINTS;
      const n = this.npts[s]!;
      const last = base + n - 1;
      const flight = this.flightMs[s]!;
      const e = now - this.t0[s]!;
      let x: number;
      let y: number;
      let alpha = 1;
      if (e < flight) {
        const total = cum[last]!;
        const d = ease(e < 0 ? 0 : e / flight) * total;
        let k = base + 1;
        while (k < last && cum[k]! < d) k++;
        const segStart = cum[k - 1]!;
        const seg = cum[k]! - segStart;
        const f = seg > 0 ? (d - segStart) / seg : 1;
        x = px[k - 1]! + (px[k]! - px[k - 1]!) * f;
        y = py[k - 1]! + (py[k]! - py[k - 1]!) * f;
        if (this.endMode[s] === END_RETURN && k === last) alpha = 1 - f;
      } else {
        const after = e - flight;
        const mode = this.endMode[s]!;
        if (mode === END_RETURN) {
          this.retire(i, s);
          continue;
        }
        x = px[last]!;
        y = py[last]!;
        let dwellFrom = 0;
        if (mode === END_FALL) {
          const fall = this.fallMs[s]!;
          const t = after < fall ? after : fall;
          x += this.driftX[s]! * t;
          y += 0.5 * this.timing.gravity * t * t;
          dwellFrom = fall;
        }
        if (after >= dwellFrom && this.landed[s] === 0) {
          this.landed[s] = 1;
          this.recordLanding(s, x, y);
        }
        const dwell = DWELL_MS[this.kind[s]!]!;
        if (after >= dwellFrom + dwell) {
          this.retire(i, s);
          continue;
        }
        if (after > dwellFrom) alpha = 1 - (after - dwellFrom) / dwell;
      }
      this.x[s] = x;
      this.y[s] = y;
      this.alpha[s] = alpha;
    }
    this.view.draw(this);
  }

  /** Removes every live ball whose kind is set in `kinds` (indexes into KINDS). */
  clearKinds(kinds: ReadonlySet<number>): void {
    for (let i = this.liveCount - 1; i >= 0; i--) {
      const s = this.live[i]!;
      if (kinds.has(this.kind[s]!)) this.retire(i, s);
    }
  }

  private retire(liveIndex: number, s: number): void {
    this.view.hide(s);
    this.bucket[s] = undefined;
    this.events[s] = undefined;
    this.liveByKind[this.kind[s]!]!--;
    this.live[liveIndex] = this.live[--this.liveCount]!;
    this.free[this.freeCount++] = s;
  }

  /** The live ball nearest to (x, y) within `radius` (canvas pixels), with its event; undefined if none. */
  nearest(x: number, y: number, radius: number): { slot: number; ev: MailEvent; x: number; y: number } | undefined {
    let best = -1;
    let bestD = radius * radius;
    for (let i = 0; i < this.liveCount; i++) {
      const s = this.live[i]!;
      if (this.alpha[s]! <= 0 || !this.events[s]) continue;
      const dx = this.x[s]! - x;
      const dy = this.y[s]! - y;
      const d = dx * dx + dy * dy;
      if (d <= bestD) {
        bestD = d;
        best = s;
      }
    }
    return best < 0 ? undefined : { slot: best, ev: this.events[best]!, x: this.x[best]!, y: this.y[best]! };
  }

  /** Every live ball with its event, for the test hook (not per frame). */
  inspectable(): { ev: MailEvent; x: number; y: number; kind: number }[] {
    const out: { ev: MailEvent; x: number; y: number; kind: number }[] = [];
    for (let i = 0; i < this.liveCount; i++) {
      const s = this.live[i]!;
      const ev = this.events[s];
      if (ev && this.alpha[s]! > 0) out.push({ ev, x: this.x[s]!, y: this.y[s]!, kind: this.kind[s]! });
    }
    return out;
  }

  /** The most recent landings, oldest first. */
  landings(): Landing[] {
    const n = Math.min(this.landCount, LANDINGS_KEPT);
    const out: Landing[] = [];
    for (let j = this.landCount - n; j < this.landCount; j++) {
      const i = j % LANDINGS_KEPT;
      out.push({ kind: this.landKind[i]!, bucket: this.landBucket[i], x: this.landX[i]!, y: this.landY[i]! });
    }
    return out;
  }

  private recordLanding(s: number, x: number, y: number): void {
    const i = this.landCount++ % LANDINGS_KEPT;
    this.landKind[i] = this.kind[s]!;
    this.landBucket[i] = this.bucket[s];
    this.landX[i] = x;
    this.landY[i] = y;
  }

}
