// Everything the page knows, in one place: written by the network module
// (and a few page events), read by the scene in update() and by the HUD a few
// times a second. No Phaser, no WebSocket here.

import {
  DEFAULT_PROVIDERS,
  KIND_INDEX,
  ProviderMatcher,
  type AlarmMessage,
  type ClientStatsMessage,
  type EventsMessage,
  type HelloMessage,
  type KindCounts,
  type Limits,
  type MailEvent,
  type StatsMessage,
  type TopologyDeltaMessage,
  type TopologyMessage,
} from '../../server/protocol/index.js';
import { RecentReasons } from '../insight/reasons.js';
import { EventQueue } from './event-queue.js';
import { ERROR_KINDS, kindIndexOf } from './kinds.js';
import { FlowRates, NodeRates } from './rates.js';
import type { Settings } from './settings.js';
import { StatsHistory } from './stats-history.js';
import { Topology } from './topology.js';

export type ConnState =
  /** Socket opening or waiting for the daemon's hello. */
  | 'connecting'
  | 'live'
  /** Socket open but nothing heard for too long. */
  | 'stale'
  /** Socket closed; a reconnect is scheduled. */
  | 'down'
  /** The daemon speaks another protocol version. */
  | 'incompatible';

export interface Connection {
  state: ConnState;
  /** performance.now() when the state last changed. */
  since: number;
  /** Connection attempts since the last successful hello. */
  attempts: number;
  /** Successful hellos after the first, i.e. recoveries. */
  reconnects: number;
  lastMessageAt: number;
  /** When the next reconnect attempt is due (state 'down'). */
  retryAt?: number;
  server?: string;
  detail?: string;
}

export interface ClientDrops {
  /** Arrived while the tab was hidden. */
  hidden: number;
  /** Arrived while paused (deliberate, shown separately). */
  paused: number;
  /** No free ball: the live-ball cap was reached. */
  pool: number;
  /** Shed because frames ran long (see scene/governor.ts). */
  overload: number;
}

const zero = (): KindCounts => [0, 0, 0, 0, 0];
const DEFAULT_LIMITS: Limits = { rate: 1000, tickMs: 100, maxClientMessageBytes: 4096 };


export class Store {
  readonly topology = new Topology();
  readonly nodeRates = new NodeRates();
  readonly queue: EventQueue;
  conn: Connection;
  limits: Limits = DEFAULT_LIMITS;
  showAddresses = false;
  stats: StatsMessage | undefined;
  /** The last minute of stats snapshots: windowed, exact shares and rates. */
  readonly history = new StatsHistory();
  /** The daemon's alarm state (undefined when it has no alarm rules). */
  alarms: AlarmMessage | undefined;
  /** Changes with every alarm message. */
  alarmsVersion = 0;
  /** The daemon's provider table (from the hello), to put balls in provider lanes as the daemon counts them. */
  providers = new ProviderMatcher(DEFAULT_PROVIDERS);
  /** Latest failures per failure class, as examples (never counts). */
  readonly reasons = new RecentReasons();
  /** Frames/events the daemon dropped for this page because it was slow, over all connections. */
  serverDrops = { frames: 0, events: 0 };
  /** The same for connections before the current one (the daemon counts per connection). */
  private serverDropsBefore = { frames: 0, events: 0 };
  /** Frames missing from the seq numbering (dropped before they reached us). */
  seqGaps = 0;
  private lastSeq: number | undefined;
  /** When frames were last found missing. */
  private lastGapAt = -Infinity;
  /** Events received per kind (sampled stream). */
  readonly received: KindCounts = zero();
  /** Balls put on screen per kind. */
  readonly shown: KindCounts = zero();
  /** Error events not shown because errors are squelched. */
  squelched = 0;
  readonly drops: ClientDrops = { hidden: 0, paused: 0, pool: 0, overload: 0 };
  /** Malformed or unknown messages, skipped. */
  badMessages = 0;
  /** Events without a known kind, skipped. */
  badEvents = 0;
  private hidden = false;
  private everLive = false;
  private readonly connListeners = new Set<(c: Readonly<Connection>) => void>();
  /** Events in, sent and drawn over the same recent frames (the heads-up line). */
  private readonly flow = new FlowRates();

  constructor(
    readonly settings: Settings,
    now: number,
    queueCapacity = 20_000,
  ) {
    this.queue = new EventQueue(queueCapacity);
    this.conn = { state: 'connecting', since: now, attempts: 0, reconnects: 0, lastMessageAt: now };
    settings.subscribe((s, changed) => {
      if (changed === 'paused' && s.paused) this.drops.paused += this.queue.clear();
      if (changed === 'errors' && !s.errors) this.dropQueuedErrors();
    });
  }

  // ---- connection lifecycle (network module) ----

  setConnState(state: ConnState, now: number, extra: Partial<Connection> = {}): void {
    const changed = state !== this.conn.state;
    this.conn = { ...this.conn, ...extra, state, since: changed ? now : this.conn.since };
    if (changed) for (const l of this.connListeners) l(this.conn);
  }

  /** Called on every connection state change; returns the remover. */
  onConnState(listener: (c: Readonly<Connection>) => void): () => void {
    this.connListeners.add(listener);
    return () => this.connListeners.delete(listener);
  }

  noteMessage(now: number): void {
    this.conn.lastMessageAt = now;
  }

  onHello(msg: HelloMessage, now: number): void {
    const recovered = this.everLive;
    this.everLive = true;
    this.limits = msg.limits;
    this.showAddresses = msg.showAddresses;
    this.lastSeq = undefined;
    this.serverDropsBefore = { ...this.serverDrops };
    this.nodeRates.reset();
    this.stats = undefined;
    this.history.reset();
    this.flow.start(now);
    this.alarms = undefined;
    this.alarmsVersion++;
    if (Array.isArray(msg.providers) && msg.providers.every((p) => Array.isArray(p) && typeof p[0] === 'string' && Array.isArray(p[1]))) {
      this.providers = new ProviderMatcher(msg.providers);
    }
    // A new session (perhaps a restarted daemon): its topology message says what exists now.
    this.topology.reset([], []);
    this.setConnState('live', now, {
      server: msg.server,
      attempts: 0,
      reconnects: this.conn.reconnects + (recovered ? 1 : 0),
      retryAt: undefined,
      detail: undefined,
    });
  }

  onTopology(msg: TopologyMessage): void {
    this.topology.reset(msg.nodes, msg.edges);
  }

  onTopologyDelta(msg: TopologyDeltaMessage): void {
    this.topology.add(msg.nodes, msg.edges);
  }

  onEvents(msg: EventsMessage, now: number): void {
    if (this.lastSeq !== undefined && msg.seq > this.lastSeq + 1) {
      this.seqGaps += msg.seq - this.lastSeq - 1;
      this.lastGapAt = now;
    }
    this.lastSeq = msg.seq;
    this.flow.frame(now, Number(msg.input) || 0, msg.events.length);
    const s = this.settings.current;
    const shown: MailEvent[] = [];
    for (const ev of msg.events as unknown[]) {
      const k = kindIndexOf((ev as MailEvent | null)?.kind);
      if (k === undefined) {
        this.badEvents++;
        continue;
      }
      this.received[k] = this.received[k]! + 1;
      if (ERROR_KINDS.has(k)) this.reasons.note(ev as MailEvent);
      if (!s.errors && ERROR_KINDS.has(k)) this.squelched++;
      else shown.push(ev as MailEvent);
    }
    if (this.hidden) this.drops.hidden += shown.length;
    else if (s.paused) this.drops.paused += shown.length;
    else this.queue.push(shown, now, this.limits.tickMs);
  }

  onStats(msg: StatsMessage): void {
    this.stats = msg;
    this.nodeRates.update(msg);
    this.history.push(msg);
  }

  onAlarm(msg: AlarmMessage): void {
    this.alarms = msg;
    this.alarmsVersion++;
  }

  onClientStats(msg: ClientStatsMessage): void {
    const before = this.serverDropsBefore;
    this.serverDrops = { frames: before.frames + msg.framesDropped, events: before.events + msg.eventsDropped };
  }

  // ---- page events ----

  setHidden(hidden: boolean): void {
    this.hidden = hidden;
    // A background tab gets no frames; what is queued now would be stale on return.
    if (hidden) this.drops.hidden += this.queue.clear();
  }

  // ---- scene reports ----

  /** A ball was drawn for an event whose frame arrived at `frameAt`. */
  noteShown(kindIndex: number, frameAt: number): void {
    this.shown[kindIndex] = this.shown[kindIndex]! + 1;
    this.flow.ball(frameAt);
  }

  // ---- derived values (HUD, hook) ----

  /**
   * The heads-up line's figures, all over the same recent frames: events per
   * second into the daemon (exact, the frames' `input`), balls per second
   * drawn from those frames (never more), and how many messages a ball
   * stands for (1 when the daemon is not sampling). When the daemon dropped
   * frames for this page, their input never arrived: events in then comes
   * from its exact stats instead, which the balls stay below all the more.
   */
  flowRates(now: number): { eventsPerSec: number; ballsPerSec: number; messagesPerBall: number; spanMs: number; fromStats: boolean } {
    const r = this.flow.rates(now);
    const fromStats = now - this.lastGapAt < this.flow.windowMs && this.stats !== undefined;
    return {
      eventsPerSec: fromStats ? Math.max(r.inPerSec, this.stats!.rate.eventsPerSec) : r.inPerSec,
      ballsPerSec: r.shownPerSec,
      messagesPerBall: r.keptPerSec > 0 ? Math.max(1, r.inPerSec / r.keptPerSec) : r.inPerSec > 0 ? Infinity : 1,
      spanMs: r.spanMs,
      fromStats,
    };
  }

  /** Messages each ball stands for over the recent frames; 1 when not sampling. */
  messagesPerBall(now: number): number {
    return this.flowRates(now).messagesPerBall;
  }

  /** Everything accepted but not shown, excluding deliberate pause and squelch. */
  totalDrops(): number {
    const q = this.queue.drops;
    return this.drops.hidden + this.drops.pool + this.drops.overload + q.late + q.overflow + this.serverDrops.events;
  }

  private dropQueuedErrors(): void {
    this.squelched += this.queue.remove((ev) => ERROR_KINDS.has(KIND_INDEX[ev.kind]));
  }
}
