// A box's side of the bus: every event the parse stage produces is added to
// the current batch (an O(1) append on the ingest path; nothing there ever
// waits on the bus); every --bus-flush the batch is encoded once and queued
// in the bounded outbox; every --bus-stats the hub's exact counters of this
// daemon's own input are queued behind them as a report, the latest
// superseding any not yet sent. While connected, the outbox is drained up to one flush window at a
// time: the NATS client offers no backpressure, so a flush round trip (PING,
// PONG) is what says the server has taken the window, and what bounds the
// bytes sitting in the client and the socket.

import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import type { MailEvent, StatsMessage } from '../protocol/index.js';
import { BusConnection } from './connection.js';
import type { PublishSettings } from './options.js';
import { Outbox } from './outbox.js';
import { BatchEncoder, WIRE_VERSION, subject, type BoxReport, type PublisherCounters } from './wire.js';

/** Bytes handed to the NATS client before waiting for the server to confirm them. */
const WINDOW_BYTES = 1024 * 1024;

export interface PublisherDeps {
  /** The hub's exact counters of this daemon's own input (never a view's merged ones). */
  localStats: () => StatsMessage;
  /** Epoch ms the daemon started. */
  startedAt: number;
  log: Logger;
}

export interface PublishStatus extends PublisherCounters {
  state: BusConnection['state'];
  box: string;
  /** Bytes of encoded batches waiting in the outbox. */
  buffered: number;
  /** Bytes published, batches and reports. */
  bytes: number;
  reconnects: number;
}

export class Publisher {
  /** This run of the daemon: a view seeing a new one knows the counters started again. */
  readonly boot = randomUUID();
  private readonly conn: BusConnection;
  private readonly encoder = new BatchEncoder();
  private readonly outbox: Outbox;
  private readonly eventsSubject: string;
  private readonly statsSubject: string;
  private readonly encoderText = new TextEncoder();
  private seq = 0;
  private upto = 0;
  private readonly published = { batches: 0, events: 0, bytes: 0, oversize: 0 };
  private inFlight = 0;
  /** The server's largest message; NATS' default until the server says otherwise. */
  private maxPayload = 1024 * 1024;
  private waiting = false;
  private flushTimer: NodeJS.Timeout | undefined;
  private statsTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Set while closing: called once everything queued has been confirmed by the server. */
  private whenDrained: (() => void) | undefined;

  constructor(
    private readonly settings: PublishSettings,
    private readonly deps: PublisherDeps,
  ) {
    this.conn = new BusConnection(settings.endpoint, `mtaviz publisher ${settings.box}`, deps.log);
    this.outbox = new Outbox(settings.bufferBytes);
    this.eventsSubject = subject(settings.prefix, settings.box, 'events');
    this.statsSubject = subject(settings.prefix, settings.box, 'stats');
    this.conn.watch(
      () => this.pump(),
      () => {
        // Whatever was in flight may not have reached the server: it goes again (duplicates are dropped by seq).
        this.outbox.rewind();
        this.inFlight = 0;
        this.waiting = false;
      },
    );
  }

  /** The event sink beside the hub's: appends to the current batch. */
  readonly add = (ev: MailEvent): void => {
    if (this.closed) return;
    this.encoder.add(ev);
    if (this.encoder.size >= this.settings.batchEvents) this.cut();
  };

  start(): void {
    this.conn.start();
    this.flushTimer = setInterval(() => this.cut(), this.settings.flushMs);
    this.statsTimer = setInterval(() => this.sendReport(), this.settings.statsMs);
  }

  status(): PublishStatus {
    return {
      state: this.conn.state,
      box: this.settings.box,
      ...this.counters(),
      buffered: this.outbox.buffered,
      bytes: this.published.bytes,
      reconnects: this.conn.counters.reconnects,
    };
  }

  /** Publishes the last batch and a final report (so views end with exact totals), then disconnects. */
  async close(graceMs = 2000): Promise<void> {
    if (this.closed) return;
    clearInterval(this.flushTimer);
    clearInterval(this.statsTimer);
    this.cut();
    this.sendReport();
    this.closed = true;
    const started = Date.now();
    if (this.conn.connected && !this.outbox.empty) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        new Promise<void>((resolve) => (this.whenDrained = resolve)),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs))),
      ]);
      clearTimeout(timer);
    }
    await this.conn.close(Math.max(0, graceMs - (Date.now() - started)));
  }

  private counters(): PublisherCounters {
    return {
      batches: this.published.batches,
      events: this.published.events,
      droppedBatches: this.outbox.droppedBatches,
      droppedEvents: this.outbox.droppedEvents,
      oversize: this.published.oversize,
    };
  }

  /** Ends the current batch: numbered and queued even when it cannot be sent now (a gap the view will count). */
  private cut(): void {
    const n = this.encoder.size;
    if (n === 0) return;
    this.seq++;
    this.upto += n;
    const text = this.encoder.take({ box: this.settings.box, boot: this.boot, seq: this.seq, upto: this.upto });
    const data = this.encoderText.encode(text);
    if (data.length > this.maxPayload) {
      // No server with this max_payload would ever take it: given up on at once.
      this.oversize('batch', data.length);
      this.outbox.drop(n);
      return;
    }
    this.outbox.push({ data, events: n });
    this.pump();
  }

  private sendReport(): void {
    if (this.closed) return;
    const report: BoxReport = {
      v: WIRE_VERSION,
      box: this.settings.box,
      boot: this.boot,
      startedAt: this.deps.startedAt,
      seq: this.seq,
      upto: this.upto,
      publisher: this.counters(),
      stats: this.deps.localStats(),
    };
    const data = this.encoderText.encode(JSON.stringify(report));
    if (data.length > this.maxPayload) return this.oversize('report', data.length);
    this.outbox.push({ data, events: 0, report: true });
    this.pump();
  }

  private pump(): void {
    const nc = this.conn.nc;
    if (!nc || !this.conn.connected || this.waiting) return;
    this.maxPayload = nc.info?.max_payload ?? this.maxPayload;
    // Counted as published once the server has confirmed them (a resend is not counted twice).
    const window = { entries: 0, batches: 0, events: 0 };
    while (this.inFlight < WINDOW_BYTES) {
      const e = this.outbox.next();
      if (!e) break;
      if (!this.publish(nc, e.report ? this.statsSubject : this.eventsSubject, e.data)) {
        this.outbox.rewind();
        this.inFlight = 0;
        return;
      }
      window.entries++;
      this.inFlight += e.data.length;
      if (e.report) continue;
      window.batches++;
      window.events += e.events;
    }
    if (this.inFlight === 0) return;
    this.waiting = true;
    const bytes = this.inFlight;
    nc.flush().then(
      () => {
        if (this.conn.nc !== nc || !this.waiting) return;
        this.outbox.confirm(window.entries);
        this.published.batches += window.batches;
        this.published.events += window.events;
        this.published.bytes += bytes;
        this.inFlight = 0;
        this.waiting = false;
        if (this.outbox.empty) this.whenDrained?.();
        this.pump();
      },
      () => {
        // Disconnected before the server confirmed: the connection's 'down' rewinds the outbox.
        // Any other failure must not leave the publisher waiting for ever.
        if (this.conn.nc !== nc || !this.waiting) return;
        this.outbox.rewind();
        this.inFlight = 0;
        this.waiting = false;
      },
    );
  }

  private publish(nc: NatsConnection, subj: string, data: Uint8Array): boolean {
    try {
      nc.publish(subj, data);
      return true;
    } catch (err) {
      // Closed or draining under us: the connection module reconnects; the data waits.
      this.deps.log.debug({ err }, 'publish failed');
      return false;
    }
  }

  private oversize(what: string, size: number): void {
    this.published.oversize++;
    if (this.published.oversize === 1) {
      this.deps.log.warn({ what, size, max: this.maxPayload }, 'bus message larger than the NATS server accepts (max_payload): dropped; raise max_payload or lower --max-edges / --bus-batch');
    }
  }
}
