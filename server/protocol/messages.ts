// Wire messages between the daemon and the browser. JSON text frames, one
// `type`-keyed union each way. Bump PROTOCOL_VERSION on any incompatible
// change; the client refuses a hello with another version.

import type { KindCounts, MailEvent } from './event.js';
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
}

/** Per-connection counters, sent with each stats message. */
export interface ClientStatsMessage {
  type: 'client';
  framesDropped: number;
  eventsDropped: number;
}

export type ServerMessage =
  | HelloMessage
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
