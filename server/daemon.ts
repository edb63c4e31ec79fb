// The one place the stages are wired together. Lines flow from every source
// into `deliver` (synchronously, in arrival order per source); HTTP serves
// what the stages expose. Shutdown runs in one order: sources stop accepting
// and hand on what they had read, then each closable drains in turn.
//
// Composition points, for the stages that plug in here:
// - deliver: what happens to each line (the parse pipeline, whose events go to the hub);
// - closables: drained in order after the sources have stopped, HTTP last;
// - http.route(...): endpoints.

import { readFileSync } from 'node:fs';
import { Bus } from './bus/bus.js';
import { registerBusMetrics } from './bus/metrics.js';
import { busSettings, type busOptions } from './bus/options.js';
import type { ConfigOf } from './cli/options.js';
import type { httpOptions } from './http/options.js';
import { healthz } from './http/healthz.js';
import { HttpServer } from './http/server.js';
import { mountSite } from './http/site.js';
import { Hub } from './hub/hub.js';
import type { hubOptions } from './hub/options.js';
import type { PipelineCounters } from './hub/pipeline-counters.js';
import type { ingestOptions } from './ingest/options.js';
import { parseAlarmRule } from './insight/alarm-rule.js';
import { Alarms } from './insight/alarms.js';
import type { insightOptions } from './insight/options.js';
import { createSources } from './ingest/sources.js';
import type { LineHandler, Source } from './ingest/source.js';
import type { Logger } from './log.js';
import type { parseOptions } from './parse/options.js';
import { createPipeline } from './parse/pipeline.js';
import type { SourceStats } from './protocol/index.js';

export type DaemonConfig = ConfigOf<typeof ingestOptions> &
  ConfigOf<typeof httpOptions> &
  ConfigOf<typeof parseOptions> &
  ConfigOf<typeof hubOptions> &
  ConfigOf<typeof insightOptions> &
  ConfigOf<typeof busOptions>;

/** The package version, for the WebSocket hello and the snapshot (read beside dist/). */
function version(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

export interface Closable {
  readonly name: string;
  close(): Promise<void> | void;
}

export interface Daemon {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8000/; empty when --headless. */
  readonly url: string;
  readonly sources: readonly Source[];
  readonly http: HttpServer;
  /** Lines from all sources together. */
  readonly lines: number;
  /** WebSocket clients (browsers) connected now. */
  readonly viewers: number;
  /** Stops input, hands on what was read, closes every stage in order. Safe to call twice. */
  close(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig, log: Logger): Promise<Daemon> {
  const startedAt = Date.now();
  let lines = 0;

  // Circular by nature: the hub reads the pipeline's counters, the pipeline feeds the hub.
  let counters: () => PipelineCounters = () => ({ lines: 0, unparsed: 0, evictions: 0, correlating: 0, sources: {}, parsers: {} });
  // Federation through NATS (--publish, --subscribe); its options are checked before anything starts.
  const bus = Bus.create(busSettings(config), {
    hub: () => hub,
    startedAt,
    bounds: { maxNodes: config.maxNodes, maxEdges: config.maxEdges, showAddresses: config.showAddresses },
    log,
  });
  const hub = new Hub(config, {
    version: version(),
    showAddresses: config.showAddresses,
    counters: () => counters(),
    log,
    providers: config.providers,
    remote: bus,
  });
  const alarms = new Alarms(config.alarms.map(parseAlarmRule), Date.now());
  if (alarms.configured) {
    hub.broadcastSticky(alarms.message());
    hub.onStats((stats) => {
      const judged = alarms.evaluate(stats);
      if (!judged) return;
      hub.broadcastSticky(judged.message);
      if (judged.changed) log.warn({ active: judged.message.active }, 'alarms changed');
    });
  }
  const pipeline = createPipeline(config, bus ? bus.sink(hub.publish) : hub.publish);

  const deliver: LineHandler = (line, source, bytes, at) => {
    lines++;
    pipeline.line(line, source.id, bytes, at);
  };

  // A stage that throws must not take an input down with it: the line is
  // counted as an error of its source and the stream goes on.
  let reported = false;
  const onLine: LineHandler = (line, source, bytes, at) => {
    try {
      deliver(line, source, bytes, at);
    } catch (err) {
      source.counters.errors++;
      if (!reported) log.error({ err, source: source.id }, 'line handler failed (further failures only counted)');
      reported = true;
    }
  };

  const sources = createSources(config, onLine, log);
  counters = () => {
    const p = pipeline.stats();
    const perSource: Record<string, SourceStats> = {};
    for (const s of sources) perSource[s.id] = { kind: s.kind, ...s.counters };
    return {
      lines: p.lines,
      unparsed: p.unparsed,
      evictions: p.correlation.evictions,
      correlating: p.correlation.size,
      sources: perSource,
      parsers: p.perFormat,
    };
  };
  const http = new HttpServer(config, log);
  http.route('GET', '/healthz', healthz({ startedAt, sources, lines: () => lines }));
  mountSite(http, config, {
    hub,
    alarms,
    pipeline: () => counters(),
    version: version(),
    log,
    ...(bus ? { metrics: (registry) => registerBusMetrics(registry, bus) } : {}),
  });
  const closables: Closable[] = [
    { name: 'parse', close: () => pipeline.close() },
    // After parse (a box's final report holds every event), before the hub.
    ...(bus ? [{ name: 'bus', close: () => bus.close() }] : []),
    {
      name: 'hub',
      close: () => {
        // One last tick sends what the sources handed on while closing; then clients get 1001.
        hub.tick(performance.now());
        return hub.close();
      },
    },
    { name: 'http', close: () => http.close() },
  ];

  const started: Source[] = [];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await Promise.all(
        started.map((s) =>
          s.close().catch((err: unknown) => log.error({ err, source: s.id }, 'closing source failed')),
        ),
      );
      for (const c of closables) {
        try {
          await c.close();
        } catch (err) {
          log.error({ err, stage: c.name }, 'closing failed');
        }
      }
      log.info({ lines }, 'stopped');
    })());

  try {
    // HTTP first: a taken port fails fast, before any socket file is made.
    const url = bus?.headless ? '' : await http.start();
    hub.start();
    bus?.start();
    for (const source of sources) {
      await source.start();
      started.push(source);
    }
    log.info({ url, sources: sources.map((s) => s.id) }, 'started');
    return {
      url,
      sources,
      http,
      get lines() {
        return lines;
      },
      get viewers() {
        return hub.clientCount;
      },
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
