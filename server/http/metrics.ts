// /metrics in the Prometheus text format (prom-client). Every value is read
// from the counters the pipeline keeps anyway, at scrape time, so metrics
// cost nothing per line or per event.

import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { KINDS } from '../protocol/index.js';
import type { Hub } from '../hub/hub.js';
import type { Alarms } from '../insight/alarms.js';
import type { PipelineCounters } from '../hub/pipeline-counters.js';

export type RefusalReason = 'origin' | 'host' | 'token' | 'capacity';

export interface HttpCounters {
  /** Requests and upgrades refused, by reason. */
  refused: Record<RefusalReason, number>;
}

export interface Metrics {
  readonly contentType: string;
  /** The exposition text, from one fresh reading of every counter. */
  scrape(): Promise<string>;
}

/** Sets a counter to cumulative values kept elsewhere (a scrape reads, it does not count). */
function setCounter<L extends string>(c: Counter<L>, rows: [Partial<Record<L, string>>, number][]): void {
  c.reset();
  for (const [labels, value] of rows) c.inc(labels, value);
}

export function createMetrics(
  hub: Hub,
  pipeline: () => PipelineCounters,
  http: HttpCounters,
  alarms?: Alarms,
  /** Registers collectors of other stages (the bus) in the same registry. */
  more?: (registry: Registry) => void,
): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  // The daemon never drops input it has read; beyond what it can parse, input
  // waits in the writers (stream sockets and TCP push back) or the kernel
  // (datagram senders block or get EAGAIN, which the daemon cannot see).
  // This says when that is happening.
  let elu = performance.eventLoopUtilization();
  registry.registerMetric(
    new Gauge({
      name: 'mtaviz_event_loop_busy_ratio',
      help: 'Share of time the event loop was busy since the previous scrape; near 1 the daemon reads as fast as it can and further input waits in the writers',
      collect() {
        const now = performance.eventLoopUtilization();
        this.set(performance.eventLoopUtilization(now, elu).utilization);
        elu = now;
      },
    }),
  );

  // One reading of the pipeline per scrape, shared by every collector below.
  let snap: PipelineCounters | undefined;
  const read = (): PipelineCounters => (snap ??= pipeline());
  const single = (value: () => number) =>
    function (this: Counter | Gauge) {
      if (this instanceof Counter) setCounter(this, [[{}, value()]]);
      else this.set(value());
    };

  registry.registerMetric(
    new Counter({
      name: 'mtaviz_lines_total',
      help: 'Lines read, all sources',
      collect: single(() => read().lines),
    }),
  );
  registry.registerMetric(
    new Counter({ name: 'mtaviz_lines_unparsed_total', help: 'Lines no parser could read', collect: single(() => read().unparsed) }),
  );
  for (const [name, help, field] of [
    ['mtaviz_source_lines_total', 'Lines read, per source', 'lines'],
    ['mtaviz_source_bytes_total', 'Bytes read, per source', 'bytes'],
    ['mtaviz_source_oversize_total', 'Lines longer than --max-line, cut, per source', 'oversize'],
    ['mtaviz_source_errors_total', 'Framing errors, failed reads and refused connections, per source', 'errors'],
  ] as const) {
    registry.registerMetric(
      new Counter({
        name,
        help,
        labelNames: ['source', 'kind'] as const,
        collect() {
          setCounter(this, Object.entries(read().sources).map(([id, s]) => [{ source: id, kind: s.kind }, s[field]]));
        },
      }),
    );
  }
  for (const [name, help, field] of [
    ['mtaviz_parser_lines_total', 'Lines given to each parser', 'lines'],
    ['mtaviz_parser_events_total', 'Events produced by each parser', 'events'],
    ['mtaviz_parser_ignored_total', 'Recognised lines that carry no event, per parser', 'ignored'],
    ['mtaviz_parser_unparsed_total', 'Lines each parser could not read (parse failures)', 'unparsed'],
  ] as const) {
    registry.registerMetric(
      new Counter({
        name,
        help,
        labelNames: ['format'] as const,
        collect() {
          setCounter(this, Object.entries(read().parsers).map(([format, p]) => [{ format }, p[field]]));
        },
      }),
    );
  }
  registry.registerMetric(
    new Counter({
      name: 'mtaviz_correlation_evictions_total',
      help: 'Correlation entries evicted before their message completed',
      collect: single(() => read().evictions),
    }),
  );
  registry.registerMetric(
    new Gauge({ name: 'mtaviz_correlation_entries', help: 'Messages the correlator holds now', collect: single(() => read().correlating) }),
  );
  registry.registerMetric(
    new Counter({
      name: 'mtaviz_events_total',
      help: 'Events published to the hub, by kind (exact, never sampled)',
      labelNames: ['kind'] as const,
      collect() {
        setCounter(this, KINDS.map((kind, i) => [{ kind }, hub.stats.byKind[i]!]));
      },
    }),
  );
  registry.registerMetric(
    new Counter({ name: 'mtaviz_events_invalid_total', help: 'Events with an unknown kind', collect: single(() => hub.stats.invalid) }),
  );
  registry.registerMetric(
    new Counter({
      name: 'mtaviz_edge_overflow_total',
      help: 'Events on edges beyond --max-edges (not kept per edge)',
      collect: single(() => hub.stats.edgeOverflow),
    }),
  );
  registry.registerMetric(
    new Gauge({ name: 'mtaviz_topology_nodes', help: 'Nodes in the topology', collect: single(() => hub.topology.nodeCount) }),
  );
  registry.registerMetric(
    new Gauge({ name: 'mtaviz_topology_edges', help: 'Edges in the topology', collect: single(() => hub.topology.edgeCount) }),
  );
  registry.registerMetric(
    new Gauge({ name: 'mtaviz_clients', help: 'WebSocket clients connected', collect: single(() => hub.clientCount) }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'mtaviz_client_backlog_bytes',
      help: 'Bytes waiting in client send buffers: all clients, and the largest',
      labelNames: ['of'] as const,
      collect() {
        const b = hub.backlog();
        this.set({ of: 'total' }, b.total);
        this.set({ of: 'max' }, b.max);
      },
    }),
  );
  registry.registerMetric(
    new Gauge({
      name: 'mtaviz_stream_pending_events',
      help: 'Events offered to a stream since its last frame (queue depth)',
      labelNames: ['rate'] as const,
      collect() {
        this.reset();
        for (const s of hub.streamInfo()) this.set({ rate: String(s.rate) }, s.pending);
      },
    }),
  );
  registry.registerMetric(
    new Counter({
      name: 'mtaviz_events_sampled_out_total',
      help: 'Events a stream left out of its frames to keep to its rate (counted in the stats, never sent), per stream since it opened',
      labelNames: ['rate'] as const,
      collect() {
        setCounter(this, hub.streamInfo().map((s) => [{ rate: String(s.rate) }, s.sampledOut]));
      },
    }),
  );
  const totals = hub.totals;
  for (const [name, help, value] of [
    ['mtaviz_frames_sent_total', 'Event frames sent to clients', () => totals.framesSent],
    ['mtaviz_events_sent_total', 'Event copies sent to clients', () => totals.eventsSent],
    ['mtaviz_dropped_frames_total', 'Event frames dropped for slow clients', () => totals.framesDropped],
    ['mtaviz_dropped_events_total', 'Events in frames dropped for slow clients', () => totals.eventsDropped],
    ['mtaviz_client_messages_invalid_total', 'Client messages that were not a valid request', () => totals.badMessages],
  ] as const) {
    registry.registerMetric(new Counter({ name, help, collect: single(value) }));
  }
  registry.registerMetric(
    new Counter({
      name: 'mtaviz_client_disconnects_total',
      help: 'Clients disconnected by the daemon: slow (stuck above --client-buffer) or timeout (missed a ping)',
      labelNames: ['reason'] as const,
      collect() {
        setCounter(this, Object.entries(totals.disconnects).map(([reason, n]) => [{ reason }, n]));
      },
    }),
  );
  registry.registerMetric(
    new Counter({
      name: 'mtaviz_http_refused_total',
      help: 'Requests and WebSocket upgrades refused, by reason',
      labelNames: ['reason'] as const,
      collect() {
        setCounter(this, Object.entries(http.refused).map(([reason, n]) => [{ reason }, n]));
      },
    }),
  );
  if (alarms?.configured) {
    registry.registerMetric(
      new Gauge({
        name: 'mtaviz_alarm_active',
        help: 'Whether an alarm rule holds for a target now (1) or not (0), per rule and target judged at the last stats period',
        labelNames: ['rule', 'target'] as const,
        collect() {
          this.reset();
          for (const r of alarms.readings()) this.set({ rule: r.rule, target: r.target }, r.active ? 1 : 0);
        },
      }),
    );
    registry.registerMetric(
      new Gauge({
        name: 'mtaviz_alarm_value',
        help: "An alarm rule's windowed share (0..1) or rate (events/s) per target; absent while too few events to judge",
        labelNames: ['rule', 'target'] as const,
        collect() {
          this.reset();
          for (const r of alarms.readings()) if (r.value !== undefined) this.set({ rule: r.rule, target: r.target }, r.value);
        },
      }),
    );
    registry.registerMetric(
      new Counter({
        name: 'mtaviz_alarm_firings_total',
        help: 'Times an alarm rule started holding for a target',
        labelNames: ['rule'] as const,
        collect() {
          setCounter(this, alarms.firings().map((f) => [{ rule: f.rule }, f.count]));
        },
      }),
    );
  }
  more?.(registry);
  return {
    contentType: registry.contentType,
    scrape() {
      snap = undefined;
      return registry.metrics();
    },
  };
}
