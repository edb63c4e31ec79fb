// The only code that touches the WebSocket. It connects to the daemon on the
// page's own origin, validates the hello, turns each message into a store
// call, watches for silence, and reconnects with backoff when the socket goes.

import { PROTOCOL_VERSION, type ServerMessage } from '../../server/protocol/index.js';
import type { Store } from '../state/store.js';
import { BACKOFF, backoffDelay, type BackoffOptions } from './backoff.js';
import { socketUrl } from './socket-url.js';

export interface ConnectionOptions {
  /** Page URL; the socket URL and the token come from it. */
  pageUrl: string;
  store: Store;
  backoff?: BackoffOptions;
  /** No message for this long marks the connection stale (stats arrive about once a second). */
  staleAfterMs?: number;
  /** Still nothing after this long: assume a dead peer and reconnect. */
  deadAfterMs?: number;
}

export class Connection {
  private ws: WebSocket | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private watchdog: ReturnType<typeof setInterval> | undefined;
  private stopped = true;
  private readonly url: string;
  private readonly store: Store;
  private readonly backoff: BackoffOptions;
  private readonly staleAfterMs: number;
  private readonly deadAfterMs: number;

  constructor(opts: ConnectionOptions) {
    this.url = socketUrl(opts.pageUrl);
    this.store = opts.store;
    this.backoff = opts.backoff ?? BACKOFF;
    this.staleAfterMs = opts.staleAfterMs ?? 3000;
    this.deadAfterMs = opts.deadAfterMs ?? 10_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.watchdog = setInterval(() => this.checkSilence(), 250);
    this.open();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchdog);
    this.closeSocket();
  }

  private open(): void {
    const store = this.store;
    const now = performance.now();
    store.setConnState(store.conn.state === 'incompatible' ? 'incompatible' : 'connecting', now, {
      attempts: store.conn.attempts + 1,
      retryAt: undefined,
    });
    let ws: WebSocket;
    try {
      ws = new WebSocket(this.url);
    } catch (err) {
      this.scheduleRetry(String(err));
      return;
    }
    this.ws = ws;
    ws.onopen = () => store.noteMessage(performance.now());
    ws.onmessage = (e: MessageEvent) => this.onMessage(e.data);
    ws.onerror = () => {
      /* a close event always follows; it does the work */
    };
    ws.onclose = (e: CloseEvent) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.scheduleRetry(e.reason || `socket closed (${e.code})`);
    };
  }

  private onMessage(data: unknown): void {
    const store = this.store;
    const now = performance.now();
    store.noteMessage(now);
    if (store.conn.state === 'stale') store.setConnState('live', now);
    let msg: ServerMessage;
    try {
      msg = JSON.parse(typeof data === 'string' ? data : '') as ServerMessage;
    } catch {
      store.badMessages++;
      return;
    }
    switch (msg?.type) {
      case 'hello':
        if (msg.protocol !== PROTOCOL_VERSION) {
          store.setConnState('incompatible', now, {
            detail: `daemon speaks protocol ${String(msg.protocol)}, this page ${PROTOCOL_VERSION}: reload the page`,
          });
          this.closeSocket();
          this.scheduleRetry(undefined);
          return;
        }
        store.onHello(msg, now);
        return;
      case 'topology':
        if (Array.isArray(msg.nodes) && Array.isArray(msg.edges)) store.onTopology(msg);
        else store.badMessages++;
        return;
      case 'topology-delta':
        if (Array.isArray(msg.nodes) && Array.isArray(msg.edges)) store.onTopologyDelta(msg);
        else store.badMessages++;
        return;
      case 'events':
        if (Array.isArray(msg.events) && typeof msg.seq === 'number') store.onEvents(msg, now);
        else store.badMessages++;
        return;
      case 'stats':
        if (typeof msg.at === 'number' && msg.nodes && msg.rate) store.onStats(msg);
        else store.badMessages++;
        return;
      case 'alarm':
        if (Array.isArray(msg.active) && Array.isArray(msg.rules)) store.onAlarm(msg);
        else store.badMessages++;
        return;
      case 'client':
        store.onClientStats(msg);
        return;
      default:
        store.badMessages++;
    }
  }

  private checkSilence(): void {
    const store = this.store;
    const { state, lastMessageAt } = store.conn;
    const now = performance.now();
    const silent = now - lastMessageAt;
    if (state === 'live' && silent > this.staleAfterMs) store.setConnState('stale', now);
    // TCP can stay "open" to a peer that is gone (suspended laptop, dropped NAT entry).
    if ((state === 'stale' || state === 'connecting') && silent > this.deadAfterMs && this.ws) {
      this.closeSocket();
      this.scheduleRetry('no data from the daemon');
    }
  }

  private closeSocket(): void {
    const ws = this.ws;
    this.ws = undefined;
    if (!ws) return;
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
    ws.close();
  }

  private scheduleRetry(detail: string | undefined): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    const store = this.store;
    const now = performance.now();
    const delay = backoffDelay(Math.max(0, store.conn.attempts - 1), Math.random(), this.backoff);
    const state = store.conn.state === 'incompatible' ? 'incompatible' : 'down';
    store.setConnState(state, now, { retryAt: now + delay, ...(detail !== undefined ? { detail } : {}) });
    this.retryTimer = setTimeout(() => this.open(), delay);
  }
}
