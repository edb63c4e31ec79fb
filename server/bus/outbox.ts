// The publisher's bounded queue of encoded messages, in publishing order:
// event batches and the box's reports. A report goes behind the batches cut
// before it, so a view that gets a report has had every batch it counts (or
// has lost it for good): that is how the view counts a lost last batch too.
// Only the latest report matters (they are cumulative): a new one replaces an
// unsent older one.
//
// Entries before `sentUpTo` have been handed to the NATS client but not yet
// confirmed (a flush round trip); if the connection drops first they are sent
// again after the reconnect (a view skips what it already has by seq).
// Only unsent bytes count against the limit: when a new batch would pass it,
// the oldest unsent batches are dropped and counted, so a live view gets the
// freshest traffic and memory stays below limit + one flush window + one
// report. "Dropped" means given up on by the box; whether a view missed a
// batch is what its seq gaps say.

export interface OutboxEntry {
  readonly data: Uint8Array;
  /** Events in the batch (0 for a report). */
  readonly events: number;
  readonly report?: boolean;
}

export class Outbox {
  private readonly entries: OutboxEntry[] = [];
  /** Index of the first entry not yet handed to the client. */
  private sentUpTo = 0;
  private unsentBytes = 0;
  droppedBatches = 0;
  droppedEvents = 0;

  constructor(private readonly limitBytes: number) {}

  /** Bytes waiting to be sent. */
  get buffered(): number {
    return this.unsentBytes;
  }

  get empty(): boolean {
    return this.entries.length === 0;
  }

  push(entry: OutboxEntry): void {
    if (entry.report) {
      const older = this.entries.findIndex((e, i) => i >= this.sentUpTo && e.report);
      if (older >= 0) this.unsentBytes -= this.entries.splice(older, 1)[0]!.data.length;
    }
    this.entries.push(entry);
    this.unsentBytes += entry.data.length;
    this.enforce();
  }

  /** The next unsent entry, now counted as in flight. */
  next(): OutboxEntry | undefined {
    const e = this.entries[this.sentUpTo];
    if (!e) return undefined;
    this.sentUpTo++;
    this.unsentBytes -= e.data.length;
    return e;
  }

  /** The first `count` entries handed on have been confirmed by the server. */
  confirm(count: number): void {
    const n = Math.min(count, this.sentUpTo);
    this.entries.splice(0, n);
    this.sentUpTo -= n;
  }

  /** The connection dropped before confirming: everything in flight goes out again. */
  rewind(): void {
    for (let i = 0; i < this.sentUpTo; i++) this.unsentBytes += this.entries[i]!.data.length;
    this.sentUpTo = 0;
    // Two reports may now be unsent; the older one is superseded.
    const reports = this.entries.filter((e) => e.report);
    if (reports.length > 1) {
      const keep = reports.at(-1);
      for (let i = this.entries.length - 1; i >= 0; i--) {
        const e = this.entries[i]!;
        if (e.report && e !== keep) {
          this.entries.splice(i, 1);
          this.unsentBytes -= e.data.length;
        }
      }
    }
    this.enforce();
  }

  /** Counts a batch given up on before it was queued. */
  drop(events: number): void {
    this.droppedBatches++;
    this.droppedEvents += events;
  }

  /** Drops the oldest unsent batches while over the limit (the newest batch and the report stay). */
  private enforce(): void {
    let i = this.sentUpTo;
    while (this.unsentBytes > this.limitBytes && i < this.entries.length - 1) {
      const e = this.entries[i]!;
      if (e.report) {
        i++;
        continue;
      }
      this.entries.splice(i, 1);
      this.unsentBytes -= e.data.length;
      this.drop(e.events);
    }
  }
}
