// Events wait here between the network and the scene. A frame of events is
// released gradually over one tick, so balls leave in a stream rather than in
// clumps 50 times a second. Frames delayed a little (a GC pause) are released
// at double pace until the stream has caught up. Two guards keep old news off
// the screen, each drop counted: a pile of frames handed over at once (a
// blocked or throttled tab getting its backlog) replaces what is still
// waiting once the backlog passes maxLagMs, and anything that waited longer
// than maxAgeMs (no frames drawn: a busy or background tab) is dropped rather
// than dumped on screen when frames resume.

import type { MailEvent } from '../../server/protocol/index.js';

export interface QueueDrops {
  /** Waited longer than maxAgeMs, or was overtaken by a pile of newer frames. */
  late: number;
  /** The queue was full; the oldest were dropped. */
  overflow: number;
}

export class EventQueue {
  private readonly events: (MailEvent | undefined)[];
  private readonly releaseAt: Float64Array;
  /** When each event's frame arrived (the heads-up line counts a ball under its frame). */
  private readonly arrivedAt: Float64Array;
  private head = 0;
  private size = 0;
  private lastRelease = -Infinity;
  readonly drops: QueueDrops = { late: 0, overflow: 0 };

  constructor(
    readonly capacity: number,
    readonly maxLagMs = 250,
  ) {
    this.events = new Array<MailEvent | undefined>(capacity).fill(undefined);
    this.releaseAt = new Float64Array(capacity);
    this.arrivedAt = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /**
   * Queues one frame's events, releasing them evenly over `spreadMs` from
   * `now`. A frame arriving while the previous one is still being released
   * continues after it, over half the spread while more than one spread
   * behind, so the stream catches up; once the backlog passes maxLagMs, what is
   * still waiting is dropped and the new frame starts now.
   */
  push(events: readonly MailEvent[], now: number, spreadMs: number): void {
    const n = events.length;
    if (n === 0) return;
    let start = Math.max(now, this.lastRelease);
    if (start - now > this.maxLagMs) {
      this.drops.late += this.clear();
      start = now;
    }
    const step = (start - now > spreadMs ? spreadMs / 2 : spreadMs) / n;
    for (let i = 0; i < n; i++) {
      if (this.size === this.capacity) {
        this.dropOldest();
        this.drops.overflow++;
      }
      const slot = (this.head + this.size) % this.capacity;
      this.events[slot] = events[i];
      this.releaseAt[slot] = start + i * step;
      this.arrivedAt[slot] = now;
      this.size++;
    }
    this.lastRelease = start + n * step;
  }

  /**
   * Hands every event due by `now` to `visit` (with how late it is, in ms,
   * and when its frame arrived), dropping those more than `maxAgeMs` late.
   */
  take(now: number, maxAgeMs: number, visit: (ev: MailEvent, lateMs: number, arrivedAt: number) => void): void {
    while (this.size > 0) {
      const at = this.releaseAt[this.head]!;
      if (at > now) return;
      const ev = this.events[this.head]!;
      const arrived = this.arrivedAt[this.head]!;
      this.dropOldest();
      const late = now - at;
      if (late > maxAgeMs) this.drops.late++;
      else visit(ev, late, arrived);
    }
  }

  /** Removes the waiting events `drop` picks, keeping the others' release times; returns how many went. */
  remove(drop: (ev: MailEvent) => boolean): number {
    let kept = 0;
    for (let i = 0; i < this.size; i++) {
      const from = (this.head + i) % this.capacity;
      const ev = this.events[from]!;
      if (drop(ev)) continue;
      const to = (this.head + kept) % this.capacity;
      this.events[to] = ev;
      this.releaseAt[to] = this.releaseAt[from]!;
      this.arrivedAt[to] = this.arrivedAt[from]!;
      kept++;
    }
    for (let i = kept; i < this.size; i++) this.events[(this.head + i) % this.capacity] = undefined;
    const removed = this.size - kept;
    this.size = kept;
    return removed;
  }

  /** Empties the queue; returns how many events were discarded. */
  clear(): number {
    const n = this.size;
    while (this.size > 0) this.dropOldest();
    this.lastRelease = -Infinity;
    return n;
  }

  private dropOldest(): void {
    this.events[this.head] = undefined;
    this.head = (this.head + 1) % this.capacity;
    this.size--;
  }
}
