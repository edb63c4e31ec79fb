// The one place the stages are wired together. Lines flow from every source
// into `deliver` (synchronously, in arrival order per source); HTTP serves
// what the stages expose. Shutdown runs in one order: sources stop accepting
// and hand on what they had read, then each closable drains in turn.
//
// Composition points, for the stages that plug in here:
// - deliver: what happens to each line (now: counted; next: the parse stage);
// - closables: drained in order after the sources have stopped, HTTP last;
// - http.route(...): endpoints.

import type { ConfigOf } from './cli/options.js';
import type { httpOptions } from './http/options.js';
import { healthz } from './http/healthz.js';
import { HttpServer } from './http/server.js';
import type { ingestOptions } from './ingest/options.js';
import { createSources } from './ingest/sources.js';
import type { LineHandler, Source } from './ingest/source.js';
import type { Logger } from './log.js';

export type DaemonConfig = ConfigOf<typeof ingestOptions> & ConfigOf<typeof httpOptions>;

export interface Closable {
  readonly name: string;
  close(): Promise<void> | void;
}

export interface Daemon {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8000/. */
  readonly url: string;
  readonly sources: readonly Source[];
  readonly http: HttpServer;
  /** Lines from all sources together. */
  readonly lines: number;
  /** Stops input, hands on what was read, closes every stage in order. Safe to call twice. */
  close(): Promise<void>;
}

export async function startDaemon(config: DaemonConfig, log: Logger): Promise<Daemon> {
  const startedAt = Date.now();
  let lines = 0;

  const deliver: LineHandler = () => {
    lines++;
  };

  // A stage that throws must not take an input down with it: the line is
  // counted as an error of its source and the stream goes on.
  let reported = false;
  const onLine: LineHandler = (line, source) => {
    try {
      deliver(line, source);
    } catch (err) {
      source.counters.errors++;
      if (!reported) log.error({ err, source: source.id }, 'line handler failed (further failures only counted)');
      reported = true;
    }
  };

  const sources = createSources(config, onLine, log);
  const http = new HttpServer(config, log);
  http.route('GET', '/healthz', healthz({ startedAt, sources, lines: () => lines }));
  const closables: Closable[] = [{ name: 'http', close: () => http.close() }];

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
    const url = await http.start();
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
      close,
    };
  } catch (err) {
    await close();
    throw err;
  }
}
