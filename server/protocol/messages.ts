// Wire messages between the daemon and the browser. JSON text frames, one
// `type`-keyed union each way. Bump PROTOCOL_VERSION on any incompatible
// change; the client refuses a hello with another version.

import type { KindCounts, MailEvent } from './event.js';
import type { FailureClass } from './failure.js';
import type { ProviderTable } from './providers.js';
import type { TopoNode } from './topology.js';

export const PROTOCOL_VERSION = 1;

/** The WebSocket path served by the daemon. */
export const WS_PATH = '/ws';

export interface Limits {
  /** Events per second this client receives at most. */
  rate: number;
  /** Milliseconds between event frames. */
  tickMs: number;
  /** Largest client message the daemon accepts, in bytes. */
  maxClientMessageBytes: number;
}

export interface HelloMessage {
  type: 'hello';
  protocol: number;
  /** Daemon version string. */
  server: string;
  limits: Limits;
  /** True when the operator opted in to showing address local parts. */
  showAddresses: boolean;
  /** The domain/address-block -> provider table the daemon counts `providers` with (providers.ts). */
  providers?: ProviderTable;
}

/** Full topology seen so far; sent on connect. */
export interface TopologyMessage {
  type: 'topology';
  nodes: TopoNode[];
  /** Edge ids, see edgeId() in topology.ts. */
  edges: string[];
}

/** Nodes and edges first seen since the last topology or delta. */
export interface TopologyDeltaMessage {
  type: 'topology-delta';
  nodes: TopoNode[];
  edges: string[];
}

/**
 * One tick's worth of events for a stream. `input` input events were seen
 * during the tick and `events` is a uniform sample of them, so each ball
 * stands for `input / events.length` messages.
 */
export interface EventsMessage {
  type: 'events';
  /** Per-stream frame counter; a gap means this client had frames dropped. */
  seq: number;
  input: number;
  events: MailEvent[];
}

export interface SourceStats {
  kind: 'unix-stream' | 'unix-dgram' | 'tail' | 'stdin' | 'syslog-tcp' | 'demo' | 'replay' | 'bus';
  lines: number;
  bytes: number;
  oversize: number;
  errors: number;
}

/**
 * Exact cumulative counters, never sampled; about once a second. Clients get
 * rates and windowed shares by differencing two of these.
 */
export interface StatsMessage {
  type: 'stats';
  /** Epoch ms on the daemon when the snapshot was taken. */
  at: number;
  uptimeMs: number;
  lines: number;
  /** Lines no parser could read (counted, skipped). */
  unparsed: number;
  events: number;
  byKind: KindCounts;
  /** Per node id. */
  nodes: Record<string, KindCounts>;
  /** Per edge id (ingress>mta, mta>egress, egress>dest:bucket). */
  edges: Record<string, KindCounts>;
  /** Input rates over the last second. */
  rate: { linesPerSec: number; eventsPerSec: number; byKind: KindCounts };
  /** This stream over the last second: events kept / events in (1 when not sampling). */
  sampleRatio: number;
  drops: {
    /** Frames dropped for slow clients, all clients together. */
    frames: number;
    /** Events in those frames. */
    events: number;
    /** Correlation entries evicted before their message completed. */
    evictions: number;
  };
  sources: Record<string, SourceStats>;
  /** Deferrals, bounces and rejections per failure class (failure.ts), per kind. */
  failures?: Record<FailureClass, KindCounts>;
  /** Delivery attempts (deliveries, deferrals, bounces) per provider name (providers.ts), per kind. */
  providers?: Record<string, KindCounts>;
  /** The same per egress and provider, keyed `egress:NAME>provider:PROVIDER`. */
  providerEdges?: Record<string, KindCounts>;
  /** Federation through NATS, when the daemon publishes or subscribes (server/bus). */
  bus?: BusStats;
}

export type BusState = 'connecting' | 'connected' | 'disconnected' | 'closed';

/**
 * A federated box as a view sees it. The view's totals hold its exact
 * counters (from its reports); its events come in numbered batches, and
 * every batch number is either received or counted as lost.
 */
export interface BoxStats {
  /** 'stale' once nothing was heard from it for the view's --box-stale. */
  state: 'live' | 'stale';
  silentMs: number;
  /** Restarts of its daemon the view saw (its counters carry over). */
  restarts: number;
  /** Its exact events, all its runs the view saw. */
  events: number;
  eventsPerSec: number;
  /** Batches (and their events) received and animated. */
  received: { batches: number; events: number };
  /** Batches missing from its numbering: lost on the way, or dropped by the box (below). */
  lost: { batches: number; events: number };
  /** Batches the box gave up on itself: its buffer was full while the bus was slow or gone. */
  dropped: { batches: number; events: number };
  /** Batches that arrived twice or after a later one (a resend after a reconnect): skipped. */
  duplicates: number;
  /**
   * Batches (and events) the box says it numbered since the view first heard
   * of it, all its runs: each one is received or lost, once the view has its report.
   */
  published: { batches: number; events: number };
  /** Sightings of its node names and edges beyond the view's --max-nodes / --max-edges (folded into BOX/(other), or not kept). */
  overflow: number;
}

export interface BusStats {
  /** This daemon as a box (--publish). */
  publish?: {
    box: string;
    state: BusState;
    batches: number;
    events: number;
    dropped: { batches: number; events: number };
    /** Batches and reports over the server's max_payload. */
    oversize: number;
    /** Bytes of batches waiting to be published. */
    buffered: number;
    /** Bytes published (batches and reports). */
    bytes: number;
    reconnects: number;
  };
  /** This daemon as a view (--subscribe); `state` is 'connected' once subscribed. */
  subscribe?: { state: BusState; reconnects: number; badMessages: number; ignored: number; removed: number };
  /** Per box merged into this view. */
  boxes?: Record<string, BoxStats>;
}

/** Per-connection counters, sent with each stats message. */
export interface ClientStatsMessage {
  type: 'client';
  framesDropped: number;
  eventsDropped: number;
}

/** One alarm rule's condition holding for one target (server/insight/alarms.ts). */
export interface ActiveAlarm {
  /** The rule as configured, e.g. "deferral share per egress > 20% over 1m". */
  rule: string;
  /** What it holds for: a node id ("egress:proxy-a"), "provider:NAME", or "all". */
  target: string;
  /** The windowed value that crossed the threshold: a share (0..1) or events per second. */
  value: number;
  threshold: number;
  unit: 'share' | 'rate';
  /** Epoch ms (daemon clock) when it started holding. */
  since: number;
}

/**
 * Alarm state: the rules and every alarm holding now. Sent after the stats on
 * connect and again whenever an alarm starts or clears.
 */
export interface AlarmMessage {
  type: 'alarm';
  rules: string[];
  active: ActiveAlarm[];
}

export type ServerMessage =
  | HelloMessage
  | AlarmMessage
  | TopologyMessage
  | TopologyDeltaMessage
  | EventsMessage
  | StatsMessage
  | ClientStatsMessage;

/** Ask for fewer events per second than the daemon's limit (never more). */
export interface RateRequest {
  type: 'rate';
  rate: number;
}

export type ClientMessage = RateRequest;
