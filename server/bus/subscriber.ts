// A view's side of the bus: subscribes to the boxes' subjects (PREFIX.*.events
// and PREFIX.*.stats, or the named boxes' only when --boxes lists plain
// names) and hands each message to the federation as it arrives, on the
// NATS client's read callback (no queue of our own in between). The NATS
// client re-subscribes by itself after a reconnect; a message lost while the
// view was away shows up as a gap in its box's numbering.

import { performance } from 'node:perf_hooks';
import type { Msg, NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import { BusConnection, type BusState } from './connection.js';
import type { Federation } from './federation.js';
import type { SubscribeSettings } from './options.js';
import { subject } from './wire.js';

export interface SubscribeStatus {
  /** 'connected' once the server has confirmed the subscriptions. */
  state: BusState;
  reconnects: number;
}

export class Subscriber {
  private readonly conn: BusConnection;
  private subscribedOn: NatsConnection | undefined;
  private confirmed = false;
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly settings: SubscribeSettings,
    private readonly federation: Federation,
    private readonly log: Logger,
  ) {
    this.conn = new BusConnection(settings.endpoint, 'mtaviz view', log);
    this.conn.watch(
      (nc) => this.up(nc),
      () => (this.confirmed = false),
    );
  }

  start(): void {
    this.conn.start();
    const every = Math.max(50, Math.min(1000, this.settings.expireMs / 10));
    this.sweeper = setInterval(() => this.federation.sweep(performance.now()), every);
  }

  status(): SubscribeStatus {
    const state = this.conn.state === 'connected' && !this.confirmed ? 'connecting' : this.conn.state;
    return { state, reconnects: this.conn.counters.reconnects };
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.conn.close(500);
  }

  private subjects(kind: 'events' | 'stats'): string[] {
    return (this.settings.exact ?? ['*']).map((box) => subject(this.settings.prefix, box, kind));
  }

  /** On every (re)connect: subscribe if this client has not yet, then confirm with a round trip. */
  private up(nc: NatsConnection): void {
    // Subscriptions live on in the client across its own reconnects; only a new client needs them again.
    if (this.subscribedOn !== nc) {
      this.subscribedOn = nc;
      this.subscribe(nc);
    }
    this.confirmed = false;
    nc.flush().then(
      () => {
        if (this.subscribedOn === nc && this.conn.connected) this.confirmed = true;
      },
      () => {
        // Dropped again before the server answered: the next reconnect confirms.
      },
    );
  }

  private subscribe(nc: NatsConnection): void {
    const start = this.settings.prefix.length + 1;
    const boxOf = (m: Msg) => m.subject.slice(start, m.subject.lastIndexOf('.'));
    const handler =
      (deliver: (box: string, data: Uint8Array, now: number) => void) =>
      (err: Error | null, m: Msg): void => {
        if (err) {
          this.log.warn({ err: err.message }, 'NATS subscription error');
          return;
        }
        const box = boxOf(m);
        if (this.federation.wants(box)) deliver(box, m.data, performance.now());
      };
    const onEvents = handler((box, data, now) => this.federation.onEvents(box, data, now));
    const onStats = handler((box, data, now) => this.federation.onReport(box, data, now));
    for (const s of this.subjects('events')) nc.subscribe(s, { callback: onEvents });
    for (const s of this.subjects('stats')) nc.subscribe(s, { callback: onStats });
  }
}
