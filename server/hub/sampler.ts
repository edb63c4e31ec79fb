// The per-stream throttle: at most `rate` events per second, and the events
// kept are a uniform sample of the input, not the first N of each tick.
//
// Budget: a token bucket filled by elapsed time (rate x ms / 1000), so a late
// or early timer changes the frame size, never the long-run rate. The bucket
// holds BUCKET_MS worth of events: enough to absorb timer drift and event-loop
// stalls without losing budget, small enough that an idle spell does not turn
// into a burst.
//
// Sample: a reservoir of the bucket's size per window, filled with Vitter's
// Algorithm L, which draws how many events to skip instead of a random number
// per event, so offer() costs an increment and a compare on the hot path.
// When the tick ends, k = floor(budget) events are drawn uniformly from the
// reservoir (a uniform subset of a uniform sample is a uniform sample) and
// returned in arrival order. If the budget is below one event, the window
// simply stays open into the next tick, so low rates stay uniform too.

import type { MailEvent } from '../protocol/index.js';

export const BUCKET_MS = 250;

export class TickSampler {
  readonly capacity: number;
  private readonly slots: (MailEvent | undefined)[];
  /** Arrival index (1-based, within the window) of the event in each slot. */
  private readonly arrival: Float64Array;
  private readonly pick: Int32Array;
  private seen = 0;
  private nextPick = 0;
  private w = 1;
  private credit = 0;
  private last: number;

  constructor(
    readonly rate: number,
    now: number,
    private readonly random: () => number = Math.random,
  ) {
    this.capacity = Math.max(1, Math.ceil((rate * BUCKET_MS) / 1000));
    this.slots = new Array<MailEvent | undefined>(this.capacity).fill(undefined);
    this.arrival = new Float64Array(this.capacity);
    this.pick = new Int32Array(this.capacity);
    this.last = now;
  }

  /** Events offered since the last frame (the frame's `input` so far). */
  get pending(): number {
    return this.seen;
  }

  offer(ev: MailEvent): void {
    const i = ++this.seen;
    const size = this.capacity;
    if (i <= size) {
      this.slots[i - 1] = ev;
      this.arrival[i - 1] = i;
      if (i === size) {
        this.w = Math.exp(Math.log(this.uniform()) / size);
        this.nextPick = i + this.skip() + 1;
      }
      return;
    }
    if (i !== this.nextPick) return;
    const slot = Math.floor(this.random() * size);
    this.slots[slot] = ev;
    this.arrival[slot] = i;
    this.w *= Math.exp(Math.log(this.uniform()) / size);
    this.nextPick = i + this.skip() + 1;
  }

  /**
   * Ends a tick at `now` (ms, monotonic). Pushes the kept events onto `out`
   * in arrival order and returns how many input events they stand for, or
   * returns 0 (pushing nothing) when there is no frame to send this tick.
   */
  take(now: number, out: MailEvent[]): number {
    const elapsed = now - this.last;
    this.last = now;
    if (elapsed > 0) this.credit = Math.min(this.capacity, this.credit + (this.rate * elapsed) / 1000);
    const input = this.seen;
    if (input === 0) return 0;
    const filled = Math.min(input, this.capacity);
    const k = Math.min(Math.floor(this.credit), filled);
    if (k === 0) return 0;
    this.credit -= k;

    const pick = this.pick;
    for (let j = 0; j < filled; j++) pick[j] = j;
    if (k < filled) {
      for (let j = 0; j < k; j++) {
        const r = j + Math.floor(this.random() * (filled - j));
        const t = pick[j]!;
        pick[j] = pick[r]!;
        pick[r] = t;
      }
    }
    const arrival = this.arrival;
    const chosen = pick.subarray(0, k).sort((a, b) => arrival[a]! - arrival[b]!);
    for (let j = 0; j < k; j++) out.push(this.slots[chosen[j]!]!);

    this.slots.fill(undefined, 0, filled);
    this.seen = 0;
    return input;
  }

  /** In (0, 1]: log() of it is finite. */
  private uniform(): number {
    return 1 - this.random();
  }

  private skip(): number {
    const s = Math.floor(Math.log(this.uniform()) / Math.log1p(-this.w));
    return s >= 0 ? s : 0;
  }
}
