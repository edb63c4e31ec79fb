// One connection to NATS that never gives up and never blocks the caller:
// the first connect is retried by us, later drops are retried by the NATS
// client (maxReconnectAttempts -1), both with the same backoff (100 ms
// doubling to --bus-reconnect-max, plus jitter). If the client ever closes for
// good (an auth error it will not retry), we start over, so an operator fixing
// the server's credentials needs no restart of the daemon.
//
// The NATS client keeps whatever is published while disconnected in an
// unbounded buffer and throws it away on reconnect; so callers publish only
// while `connected` is true and keep their own bounded buffer otherwise
// (publisher.ts).

import {
  connect,
  credsAuthenticator,
  nkeyAuthenticator,
  type ConnectionOptions,
  type NatsConnection,
  type Subscription,
  type SubscriptionOptions,
} from '@nats-io/transport-node';
import type { Logger } from '../log.js';
import type { BusEndpoint } from './options.js';

export type BusState = 'connecting' | 'connected' | 'disconnected' | 'closed';

const FIRST_DELAY_MS = 100;

export interface ConnectionCounters {
  /** Successful connects after the first one. */
  reconnects: number;
  /** Connect attempts that did not (yet) hold: ours that failed, and the client's dials after a drop. */
  attempts: number;
}

export class Backoff {
  private attempt = 0;
  private current: number | undefined;

  constructor(
    private readonly maxMs: number,
    private readonly random: () => number = Math.random,
  ) {}

  /** The delay before the next attempt; stable until fail() or reset() (the NATS client asks repeatedly). */
  delay(): number {
    if (this.current === undefined) {
      const base = Math.min(this.maxMs, FIRST_DELAY_MS * 2 ** Math.min(this.attempt, 30));
      // Full jitter on the upper half: many boxes reconnecting to a restarted server spread out.
      this.current = Math.round(base / 2 + (this.random() * base) / 2);
    }
    return this.current;
  }

  fail(): void {
    this.attempt++;
    this.current = undefined;
  }

  reset(): void {
    this.attempt = 0;
    this.current = undefined;
  }
}

export class BusConnection {
  state: BusState = 'connecting';
  readonly counters: ConnectionCounters = { reconnects: 0, attempts: 0 };
  /** The live NATS connection while there is one (for subscribe/publish/flush). */
  nc: NatsConnection | undefined;
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;
  private connectedOnce = false;
  private lastError = '';
  private readonly onUp: ((nc: NatsConnection) => void)[] = [];
  private readonly onDown: (() => void)[] = [];

  constructor(
    private readonly endpoint: BusEndpoint,
    /** Shown on the server's monitoring pages. */
    private readonly name: string,
    private readonly log: Logger,
  ) {
    this.backoff = new Backoff(endpoint.reconnectMaxMs);
  }

  get connected(): boolean {
    return this.state === 'connected';
  }

  /** `up` runs on every (re)connect, `down` on every disconnect. */
  watch(up: (nc: NatsConnection) => void, down: () => void): void {
    this.onUp.push(up);
    this.onDown.push(down);
  }

  /** Starts connecting in the background; never waits for the server. */
  start(): void {
    void this.attempt();
  }

  subscribe(subject: string, opts: SubscriptionOptions): Subscription | undefined {
    return this.nc?.subscribe(subject, opts);
  }

  /** Stops reconnecting; flushes what the client holds if connected (bounded by `graceMs`). */
  async close(graceMs = 2000): Promise<void> {
    this.closing = true;
    clearTimeout(this.timer);
    const nc = this.nc;
    const connected = this.connected;
    this.nc = undefined;
    this.state = 'closed';
    if (!nc || nc.isClosed()) return;
    if (connected) {
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([nc.drain().catch(() => {}), grace]);
      clearTimeout(timer);
    }
    // Also ends the client's own reconnect loop when the server is gone.
    if (!nc.isClosed()) await nc.close().catch(() => {});
  }

  private options(): ConnectionOptions {
    const e = this.endpoint;
    const opts: ConnectionOptions = {
      servers: e.servers,
      name: this.name,
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => this.backoff.delay(),
      // A dead peer that sends no RST (a pulled cable) is noticed within ~15 s.
      pingInterval: 5000,
      maxPingOut: 3,
      timeout: 5000,
      // Auth errors come back after an operator fixes the server; keep trying.
      ignoreAuthErrorAbort: true,
    };
    if (e.token !== undefined) opts.token = e.token;
    if (e.user !== undefined) {
      opts.user = e.user;
      opts.pass = e.pass;
    }
    if (e.nkeySeed) opts.authenticator = nkeyAuthenticator(e.nkeySeed);
    if (e.creds) opts.authenticator = credsAuthenticator(e.creds);
    if (e.tls) opts.tls = { ...e.tls };
    return opts;
  }

  private async attempt(): Promise<void> {
    if (this.closing) return;
    this.state = this.connectedOnce ? 'disconnected' : 'connecting';
    let nc: NatsConnection;
    try {
      nc = await connect(this.options());
    } catch (err) {
      this.counters.attempts++;
      this.note(err, 'cannot connect to NATS; retrying');
      this.retry();
      return;
    }
    if (this.closing) {
      await nc.close().catch(() => {});
      return;
    }
    this.nc = nc;
    this.up(nc);
    void this.follow(nc);
    void nc.closed().then((err) => {
      if (this.closing || this.nc !== nc) return;
      // Closed for good by the client (it gave up); start over with our own loop.
      this.nc = undefined;
      this.down();
      if (err) this.note(err, 'NATS connection closed; reconnecting');
      this.retry();
    });
  }

  private retry(): void {
    if (this.closing) return;
    const delay = this.backoff.delay();
    this.backoff.fail();
    this.timer = setTimeout(() => void this.attempt(), delay);
    this.timer.unref();
  }

  private async follow(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (this.nc !== nc) return;
      switch (s.type) {
        case 'disconnect':
          this.down();
          break;
        case 'reconnecting':
          if (this.state === 'disconnected') {
            // Each dial attempt after a drop: the next one waits longer.
            this.counters.attempts++;
            this.backoff.fail();
          }
          break;
        case 'reconnect':
          this.up(nc);
          break;
        case 'error':
          this.note(s.error, 'NATS error');
          break;
        default:
          break;
      }
    }
  }

  private up(nc: NatsConnection): void {
    if (this.connectedOnce) this.counters.reconnects++;
    this.connectedOnce = true;
    this.state = 'connected';
    this.backoff.reset();
    this.lastError = '';
    this.log.info({ bus: this.name, server: nc.getServer() }, 'connected to NATS');
    for (const f of this.onUp) f(nc);
  }

  private down(): void {
    if (this.state !== 'connected') return;
    this.state = 'disconnected';
    this.log.warn({ bus: this.name }, 'disconnected from NATS; reconnecting');
    for (const f of this.onDown) f();
  }

  /** Logs each distinct failure once, not once per retry. */
  private note(err: unknown, msg: string): void {
    const text = err instanceof Error ? err.message : String(err);
    if (text === this.lastError) return;
    this.lastError = text;
    this.log.warn({ bus: this.name, err: text }, msg);
  }
}
