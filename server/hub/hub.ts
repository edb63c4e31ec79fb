// The hub: every parsed event comes through publish(). It keeps exact stats
// and the topology, offers the event to each stream's sampler, and once per
// tick sends each stream's frame (encoded once) to that stream's clients.
// Nothing here ever waits on a client: a slow one has frames dropped and
// counted, and is disconnected if it stays stuck, so ingest and the other
// clients run at their own pace and memory stays bounded by
// clients x --client-buffer.

import { performance } from 'node:perf_hooks';
import type { RawData, WebSocket } from 'ws';
import type { Logger } from '../log.js';
import {
  DEFAULT_PROVIDERS,
  PROTOCOL_VERSION,
  type ClientStatsMessage,
  type HelloMessage,
  type KindCounts,
  type Limits,
  type MailEvent,
  type ProviderTable,
  type ServerMessage,
  type StatsMessage,
} from '../protocol/index.js';
import { Breakdown } from './breakdown.js';
import { Client, type DisconnectReason } from './client.js';
import { parseClientMessage, streamRate } from './client-messages.js';
import type { HubConfig } from './options.js';
import type { PipelineCounters } from './pipeline-counters.js';
import { ExactStats } from './stats.js';
import { Stream } from './stream.js';
import { Topology } from './topology.js';

/** Stats frames go out about this often. */
export const STATS_MS = 1000;

/** Largest client message accepted, in bytes (ws closes the connection beyond it). */
export const MAX_CLIENT_MESSAGE_BYTES = 1024;

export interface HubDeps {
  /** Daemon version, sent in the hello. */
  version: string;
  showAddresses: boolean;
  counters: () => PipelineCounters;
  log: Logger;
  /** Domain/address-block -> provider table for the per-provider counts (DEFAULT_PROVIDERS if absent). */
  providers?: ProviderTable;
  /** Counters from elsewhere (federated boxes, server/bus) added into every stats message built here. */
  remote?: { mergeInto(msg: StatsMessage): void };
}

export interface HubTotals {
  framesSent: number;
  eventsSent: number;
  framesDropped: number;
  eventsDropped: number;
  /** Client messages that were not a valid RateRequest. */
  badMessages: number;
  disconnects: Record<DisconnectReason, number>;
}

interface Rates {
  linesPerSec: number;
  eventsPerSec: number;
  byKind: KindCounts;
}

export class Hub {
  readonly topology = new Topology();
  readonly stats: ExactStats;
  /** Per failure class and per provider, exact (insight views, alarms). */
  readonly breakdown: Breakdown;
  readonly totals: HubTotals = {
    framesSent: 0,
    eventsSent: 0,
    framesDropped: 0,
    eventsDropped: 0,
    badMessages: 0,
    disconnects: { slow: 0, timeout: 0 },
  };
  private readonly clients = new Set<Client>();
  private readonly streams = new Map<number, Stream>();
  /** The streams as an array: publish() walks it for every event. */
  private streamList: Stream[] = [];
  private readonly defaultStream: Stream;
  private tickTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;
  private readonly startedAt = Date.now();
  private lastStatsAt: number;
  private prev: { at: number; lines: number; events: number; byKind: KindCounts } | undefined;
  private rates: Rates = { linesPerSec: 0, eventsPerSec: 0, byKind: [0, 0, 0, 0, 0] };
  /** The default stream's sample ratio over the last stats period. */
  private lastRatio = 1;
  private readonly statsListeners: ((msg: StatsMessage) => void)[] = [];
  /** Latest message per type that every client gets on connect (after the stats) and when it changes. */
  private readonly sticky = new Map<string, Buffer>();

  constructor(
    readonly config: HubConfig,
    private readonly deps: HubDeps,
  ) {
    this.stats = new ExactStats(this.topology, config.maxNodes, config.maxEdges);
    this.breakdown = new Breakdown(deps.providers ?? DEFAULT_PROVIDERS, config.maxNodes);
    const now = performance.now();
    this.lastStatsAt = now;
    this.defaultStream = this.stream(config.rate, now);
  }

  /** The event sink the parse stage feeds; per event: counts plus an O(1) offer per stream. */
  readonly publish = (ev: MailEvent): void => {
    this.stats.record(ev);
    this.breakdown.record(ev);
    const streams = this.streamList;
    for (let i = 0; i < streams.length; i++) streams[i]!.sampler.offer(ev);
  };

  /** An event for the samplers only, not the counters: a federated box's, whose counts come in its reports. */
  offer(ev: MailEvent): void {
    const streams = this.streamList;
    for (let i = 0; i < streams.length; i++) streams[i]!.sampler.offer(ev);
  }

  /** The exact counters of this daemon's own input, without any `remote` ones (what a box publishes). */
  localStats(): StatsMessage {
    return this.statsMessage(Date.now(), this.lastRatio, false);
  }

  start(): void {
    if (this.tickTimer) return;
    this.tickTimer = setInterval(() => this.tick(performance.now()), this.config.tick);
    // Judged after the poll phase: when the loop was stalled (a burst of
    // input, a long GC), the pongs that arrived meanwhile are read first,
    // instead of healthy peers being dropped for replies still in their sockets.
    this.pingTimer = setInterval(() => setImmediate(() => this.ping()), this.config.pingInterval);
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Bytes waiting in client send buffers: the sum and the largest. */
  backlog(): { total: number; max: number } {
    let total = 0;
    let max = 0;
    for (const c of this.clients) {
      const b = c.backlog;
      total += b;
      if (b > max) max = b;
    }
    return { total, max };
  }

  /** Per stream: its rate, its clients, the events waiting for the next tick and those its sampler left out so far. */
  streamInfo(): { rate: number; clients: number; pending: number; sampledOut: number }[] {
    return this.streamList.map((s) => ({ rate: s.rate, clients: s.clients.size, pending: s.sampler.pending, sampledOut: s.sampledOut }));
  }

  /** Takes over an open WebSocket: hello, topology, latest stats, then the live stream. */
  attach(ws: WebSocket): void {
    const client = new Client(ws, this.defaultStream);
    this.clients.add(client);
    client.stream.clients.add(client);
    ws.on('error', (err) => this.deps.log.debug({ err }, 'websocket error'));
    ws.on('close', () => this.detach(client));
    ws.on('pong', () => (client.alive = true));
    ws.on('message', (data, isBinary) => this.onMessage(client, data, isBinary));
    client.sendNow(JSON.stringify(this.hello(client.stream.rate)));
    client.sendNow(this.topology.encodedFull());
    client.sendNow(client.stream.lastStats ?? JSON.stringify(this.statsMessage(Date.now(), 1)));
    for (const data of this.sticky.values()) client.sendNow(data);
  }

  /** Calls `listener` with every stats snapshot (exact cumulative counters), about once a second. */
  onStats(listener: (msg: StatsMessage) => void): void {
    this.statsListeners.push(listener);
  }

  /**
   * Sends `msg` to every client now, and to every client that connects later
   * (after its stats), until another message of the same type replaces it.
   */
  broadcastSticky(msg: ServerMessage): void {
    const data = Buffer.from(JSON.stringify(msg));
    this.sticky.set(msg.type, data);
    for (const c of this.clients) c.sendIfRoom(data, this.config.clientBuffer);
  }

  /** Topology and exact counters now, in the wire shapes (for /api/snapshot). */
  snapshot(): { topology: ReturnType<Topology['message']>; stats: StatsMessage } {
    return { topology: this.topology.message(), stats: this.statsMessage(Date.now(), this.lastRatio) };
  }

  /** Stops the timers and closes every client with 1001 (going away). */
  async close(): Promise<void> {
    clearInterval(this.tickTimer);
    clearInterval(this.pingTimer);
    this.tickTimer = undefined;
    const closed = [...this.clients].map(
      (c) => new Promise<void>((resolve) => (c.ws.readyState === c.ws.CLOSED ? resolve() : c.ws.once('close', () => resolve()))),
    );
    for (const c of this.clients) c.ws.close(1001, 'daemon shutting down');
    // A peer that never answers the close handshake must not hold up the exit.
    const grace = setTimeout(() => {
      for (const c of this.clients) c.ws.terminate();
    }, 1000);
    await Promise.all(closed);
    clearTimeout(grace);
  }

  /** One tick: topology news, then each stream's frame to its clients, then slow-client policing. */
  tick(now: number): void {
    const cap = this.config.clientBuffer;
    const delta = this.topology.takeDelta();
    const deltaData = delta && Buffer.from(JSON.stringify(delta));
    for (const c of this.clients) {
      if (c.topologyStale) {
        if (c.sendIfRoom(this.topology.encodedFull(), cap)) c.topologyStale = false;
      } else if (deltaData && !c.sendIfRoom(deltaData, cap)) {
        c.topologyStale = true;
      }
    }

    const totals = this.totals;
    for (const stream of this.streamList) {
      const frame = stream.tick(now);
      if (!frame) continue;
      for (const c of stream.clients) {
        if (c.sendFrame(frame, cap)) {
          totals.framesSent++;
          totals.eventsSent += frame.events;
        } else if (c.open) {
          totals.framesDropped++;
          totals.eventsDropped += frame.events;
        }
      }
    }

    for (const c of this.clients) {
      if (c.open && c.stuck(now, cap, this.config.stuckTimeout)) this.disconnect(c, 'slow');
    }

    if (now - this.lastStatsAt >= STATS_MS) {
      this.lastStatsAt = now;
      this.sendStats();
    }
  }

  private sendStats(): void {
    const at = Date.now();
    this.updateRates(at);
    const cap = this.config.clientBuffer;
    const msg = this.statsMessage(at, 1);
    for (const stream of this.streamList) {
      msg.sampleRatio = stream.closePeriod();
      if (stream === this.defaultStream) this.lastRatio = msg.sampleRatio;
      const data = Buffer.from(JSON.stringify(msg));
      stream.lastStats = data;
      for (const c of stream.clients) {
        // Stats are cumulative: a skipped one is superseded by the next.
        if (!c.sendIfRoom(data, cap)) continue;
        const mine: ClientStatsMessage = { type: 'client', framesDropped: c.framesDropped, eventsDropped: c.eventsDropped };
        c.sendIfRoom(JSON.stringify(mine), cap);
      }
    }
    msg.sampleRatio = this.lastRatio;
    for (const listener of this.statsListeners) listener(msg);
  }

  private updateRates(at: number): void {
    const lines = this.deps.counters().lines;
    const { events, byKind } = this.stats;
    const prev = this.prev;
    if (prev && at > prev.at) {
      const per = 1000 / (at - prev.at);
      this.rates = {
        linesPerSec: Math.round((lines - prev.lines) * per),
        eventsPerSec: Math.round((events - prev.events) * per),
        byKind: byKind.map((n, i) => Math.round((n - prev.byKind[i]!) * per)) as KindCounts,
      };
    }
    this.prev = { at, lines, events, byKind: byKind.slice() as KindCounts };
  }

  private statsMessage(at: number, sampleRatio: number, merged = true): StatsMessage {
    const c = this.deps.counters();
    const s = this.stats;
    const msg: StatsMessage = {
      type: 'stats',
      at,
      uptimeMs: at - this.startedAt,
      lines: c.lines,
      unparsed: c.unparsed,
      events: s.events,
      byKind: s.byKind.slice() as KindCounts,
      nodes: s.nodeCounts(),
      edges: s.edgeCounts(),
      rate: this.rates,
      sampleRatio,
      drops: { frames: this.totals.framesDropped, events: this.totals.eventsDropped, evictions: c.evictions },
      sources: c.sources,
      failures: this.breakdown.failureCounts(),
      providers: this.breakdown.providerCounts(),
      providerEdges: this.breakdown.providerEdgeCounts(),
    };
    if (merged) this.deps.remote?.mergeInto(msg);
    return msg;
  }

  private hello(rate: number): HelloMessage {
    const limits: Limits = { rate, tickMs: this.config.tick, maxClientMessageBytes: MAX_CLIENT_MESSAGE_BYTES };
    return {
      type: 'hello',
      protocol: PROTOCOL_VERSION,
      server: this.deps.version,
      limits,
      showAddresses: this.deps.showAddresses,
      providers: this.breakdown.matcher.table,
    };
  }

  private onMessage(client: Client, data: RawData, isBinary: boolean): void {
    client.alive = true;
    const req = isBinary ? undefined : parseClientMessage(data.toString());
    if (!req) {
      this.totals.badMessages++;
      return;
    }
    const rate = streamRate(req.rate, this.config.rate);
    if (rate === client.stream.rate) return;
    this.leave(client);
    client.stream = this.stream(rate, performance.now());
    client.stream.clients.add(client);
  }

  private ping(): void {
    for (const c of this.clients) {
      if (!c.open) continue;
      if (!c.alive) {
        this.disconnect(c, 'timeout');
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }

  private disconnect(client: Client, reason: DisconnectReason): void {
    client.disconnecting = reason;
    this.totals.disconnects[reason]++;
    this.deps.log.info({ reason, backlog: client.backlog }, 'disconnecting client');
    client.ws.terminate();
  }

  private detach(client: Client): void {
    if (!this.clients.delete(client)) return;
    this.leave(client);
  }

  private leave(client: Client): void {
    const stream = client.stream;
    stream.clients.delete(client);
    if (stream.clients.size === 0 && stream !== this.defaultStream) {
      this.streams.delete(stream.rate);
      this.streamList = [...this.streams.values()];
    }
  }

  private stream(rate: number, now: number): Stream {
    let stream = this.streams.get(rate);
    if (!stream) {
      stream = new Stream(rate, now);
      this.streams.set(rate, stream);
      this.streamList = [...this.streams.values()];
    }
    return stream;
  }
}
