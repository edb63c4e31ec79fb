// The latest failures per failure class, as examples for the bounce floor's
// tooltips. These come from the (possibly sampled) event stream, so they are
// examples, never counts; counts come from the daemon's exact stats. Each
// class keeps a fixed ring of references to events the page already has:
// nothing is copied or allocated per event.

import { FAILURE_CLASSES, failureClass, type MailEvent } from '../../server/protocol/index.js';

export const REASONS_KEPT = 8;

export class RecentReasons {
  private readonly rings: (MailEvent | undefined)[][] = FAILURE_CLASSES.map(() => new Array<MailEvent | undefined>(REASONS_KEPT).fill(undefined));
  private readonly counts = new Int32Array(FAILURE_CLASSES.length);

  /** Files a deferral, bounce or rejection under its class; returns the class index. */
  note(ev: MailEvent): number {
    const c = failureClass(ev.dsn, ev.reason);
    this.rings[c]![this.counts[c]! % REASONS_KEPT] = ev;
    this.counts[c]!++;
    return c;
  }

  /** The latest examples of a class, newest first. */
  latest(classIndex: number): MailEvent[] {
    const ring = this.rings[classIndex];
    if (!ring) return [];
    const n = this.counts[classIndex]!;
    const out: MailEvent[] = [];
    for (let i = 1; i <= Math.min(n, REASONS_KEPT); i++) out.push(ring[(n - i) % REASONS_KEPT]!);
    return out;
  }

  clear(): void {
    for (const ring of this.rings) ring.fill(undefined);
    this.counts.fill(0);
  }
}
