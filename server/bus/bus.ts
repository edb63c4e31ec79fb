// The federation stage as the daemon sees it: the publisher (with
// --publish), the view's subscriber and merge (with --subscribe), or both.
// The daemon wires three things: sink() beside the hub's event sink, the hub's
// `remote` hook (mergeInto: the boxes' counters and the bus status go into
// every stats message), and close() after parse and before the hub.

import type { Logger } from '../log.js';
import type { BusStats, MailEvent, StatsMessage } from '../protocol/index.js';
import { Federation, type FederationBounds, type FederationHub } from './federation.js';
import type { BusSettings } from './options.js';
import { Publisher } from './publisher.js';
import { Subscriber } from './subscriber.js';

export interface BusHub extends FederationHub {
  /** The exact counters of this daemon's own input, unmerged (what a box publishes). */
  localStats(): StatsMessage;
}

export interface BusDeps {
  /** The hub, once it exists (it is built with this bus as its `remote`). */
  hub: () => BusHub;
  /** Epoch ms the daemon started. */
  startedAt: number;
  bounds: FederationBounds;
  log: Logger;
}

export class Bus {
  readonly publisher: Publisher | undefined;
  readonly federation: Federation | undefined;
  private readonly subscriber: Subscriber | undefined;
  readonly headless: boolean;

  /** The bus for these settings, or undefined when the daemon neither publishes nor subscribes. */
  static create(settings: BusSettings, deps: BusDeps): Bus | undefined {
    return settings.publish || settings.subscribe ? new Bus(settings, deps) : undefined;
  }

  private constructor(settings: BusSettings, deps: BusDeps) {
    this.headless = settings.headless;
    this.publisher = settings.publish
      ? new Publisher(settings.publish, { localStats: () => deps.hub().localStats(), startedAt: deps.startedAt, log: deps.log })
      : undefined;
    if (settings.subscribe) {
      this.federation = new Federation(settings.subscribe, deps.bounds, deps.hub, deps.log);
      this.subscriber = new Subscriber(settings.subscribe, this.federation, deps.log);
    }
  }

  /** The parse stage's sink: `next` (the hub's), then the publisher's batch. */
  sink(next: (ev: MailEvent) => void): (ev: MailEvent) => void {
    const publisher = this.publisher;
    if (!publisher) return next;
    const add = publisher.add;
    return (ev) => {
      next(ev);
      add(ev);
    };
  }

  /** Connects in the background: the daemon never waits for NATS. */
  start(): void {
    this.publisher?.start();
    this.subscriber?.start();
  }

  status(now = performance.now()): BusStats {
    const out: BusStats = {};
    if (this.publisher) {
      const p = this.publisher.status();
      out.publish = {
        box: p.box,
        state: p.state,
        batches: p.batches,
        events: p.events,
        dropped: { batches: p.droppedBatches, events: p.droppedEvents },
        oversize: p.oversize,
        buffered: p.buffered,
        bytes: p.bytes,
        reconnects: p.reconnects,
      };
    }
    if (this.subscriber && this.federation) {
      out.subscribe = { ...this.subscriber.status(), ...this.federation.counters };
      out.boxes = this.federation.status(now);
    }
    return out;
  }

  /** The hub's remote hook: every stats message gets the boxes' counters and the bus status. */
  mergeInto(msg: StatsMessage): void {
    const now = performance.now();
    this.federation?.mergeInto(msg, now);
    msg.bus = this.status(now);
  }

  /** Publishes the final batch and report, then leaves the bus. */
  async close(): Promise<void> {
    await Promise.all([this.publisher?.close(), this.subscriber?.close()]);
  }
}
