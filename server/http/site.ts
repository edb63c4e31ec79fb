// Everything the HTTP server offers besides /healthz, mounted in one place:
// the built client (the page needs the token, its assets do not), /metrics,
// /api/snapshot and the WebSocket upgrade. Each request passes the Host and
// Origin checks and, where it reveals data, the token check (access.ts).

import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import type { Hub } from '../hub/hub.js';
import type { Alarms } from '../insight/alarms.js';
import type { PipelineCounters } from '../hub/pipeline-counters.js';
import type { Logger } from '../log.js';
import { Access, type Refusal } from './access.js';
import { createMetrics, type HttpCounters } from './metrics.js';
import { sendJson, type HttpServer, type RequestHandler } from './server.js';
import { snapshot } from './snapshot.js';
import { StaticFiles } from './static.js';
import { websocketUpgrade } from './websocket.js';

export interface SiteConfig {
  token: string | undefined;
  allowOrigin: readonly string[];
  allowHost: readonly string[];
  maxClients: number;
}

export interface SiteDeps {
  hub: Hub;
  /** Alarm state for /metrics. */
  alarms?: Alarms;
  /** Collectors of stages outside HTTP's reach (the bus), registered with /metrics. */
  metrics?: (registry: Registry) => void;
  pipeline: () => PipelineCounters;
  version: string;
  log: Logger;
  /** Directory of the built client; dist/client beside the compiled daemon by default. */
  clientDir?: string;
}

const DEFAULT_CLIENT_DIR = new URL('../../client/', import.meta.url).pathname;

export function mountSite(http: HttpServer, config: SiteConfig, deps: SiteDeps): HttpCounters {
  const counters: HttpCounters = { refused: { origin: 0, host: 0, token: 0, capacity: 0 } };
  const access = new Access({ token: config.token, allowOrigins: config.allowOrigin, allowHosts: config.allowHost });
  const files = new StaticFiles(deps.clientDir ?? DEFAULT_CLIENT_DIR);
  if (!files.available) deps.log.warn({ dir: deps.clientDir ?? DEFAULT_CLIENT_DIR }, 'client not built: run "npm run build"; serving the API only');

  const refuse = (res: ServerResponse, r: Refusal) => {
    counters.refused[r.reason]++;
    if (r.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
    sendJson(res, r.status, { error: r.message });
  };

  /** Runs the checks, then `handler`; async handlers' failures end in a 500, never a crash. */
  const guard =
    (needsToken: (req: IncomingMessage, url: URL) => boolean, handler: (req: IncomingMessage, res: ServerResponse, url: URL) => unknown): RequestHandler =>
    (req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const refusal = access.checkSite(req) ?? (needsToken(req, url) ? access.checkToken(req, url) : undefined);
      if (refusal) return refuse(res, refusal);
      const cors = access.corsOrigin(req);
      if (cors) {
        res.setHeader('Access-Control-Allow-Origin', cors);
        res.setHeader('Vary', 'Origin');
      }
      Promise.resolve(handler(req, res, url)).catch((err: unknown) => {
        deps.log.error({ err, url: req.url }, 'request failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      });
    };
  const always = () => true;

  const metrics = createMetrics(deps.hub, deps.pipeline, counters, deps.alarms, deps.metrics);
  http.route(
    'GET',
    '/metrics',
    guard(always, async (_req, res) => {
      const text = await metrics.scrape();
      res.writeHead(200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' });
      res.end(text);
    }),
  );
  http.route('GET', '/api/snapshot', guard(always, snapshot(deps.hub, deps.version)));
  http.fallback(
    guard(
      (_req, url) => StaticFiles.isPage(url.pathname),
      async (req, res, url) => {
        if (await files.serve(req, res, url.pathname)) return;
        sendJson(res, 404, { error: files.available ? 'not found' : 'the client is not built: run "npm run build"' });
      },
    ),
  );
  http.server.on('upgrade', websocketUpgrade({ hub: deps.hub, access, maxClients: config.maxClients, counters }));
  return counters;
}
