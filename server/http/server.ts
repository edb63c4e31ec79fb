// The daemon's HTTP server: node:http and a table of exact-path routes. Each
// endpoint is a small handler in its own file, registered by the daemon.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ConfigOf } from '../cli/options.js';
import type { Logger } from '../log.js';
import type { httpOptions } from './options.js';

export type HttpConfig = ConfigOf<typeof httpOptions>;
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export class HttpServer {
  readonly server: Server;
  /** path -> method -> handler */
  private readonly routes = new Map<string, Map<string, RequestHandler>>();
  /** GET/HEAD for paths without a route (the static client). */
  private fallbackHandler: RequestHandler | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly config: Pick<HttpConfig, 'host' | 'port'>,
    private readonly log: Logger,
  ) {
    this.server = createServer((req, res) => this.dispatch(req, res));
  }

  route(method: string, path: string, handler: RequestHandler): this {
    const methods = this.routes.get(path) ?? new Map<string, RequestHandler>();
    methods.set(method, handler);
    if (method === 'GET' && !methods.has('HEAD')) methods.set('HEAD', handler);
    this.routes.set(path, methods);
    return this;
  }

  /** Handles GET and HEAD requests that match no route. */
  fallback(handler: RequestHandler): this {
    this.fallbackHandler = handler;
    return this;
  }

  /** Listens; resolves to the base URL, e.g. http://127.0.0.1:8000/. */
  async start(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.config.port, this.config.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    this.server.on('error', (err) => this.log.error({ err }, 'http server error'));
    return this.url;
  }

  get url(): string {
    const { address, port } = this.server.address() as AddressInfo;
    return `http://${address.includes(':') ? `[${address}]` : address}:${port}/`;
  }

  close(): Promise<void> {
    this.closing ??= new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
    return this.closing;
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    // Tokens travel in URLs (?token=): no Referer may carry them elsewhere.
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const path = (req.url ?? '/').split('?', 1)[0]!;
    const methods = this.routes.get(path);
    const method = req.method ?? 'GET';
    const handler = methods?.get(method) ?? (!methods && (method === 'GET' || method === 'HEAD') ? this.fallbackHandler : undefined);
    if (handler) {
      try {
        handler(req, res);
      } catch (err) {
        this.log.error({ err, path }, 'request handler failed');
        if (!res.headersSent) sendJson(res, 500, { error: 'internal error' });
        else res.destroy();
      }
      return;
    }
    if (methods) {
      res.setHeader('Allow', [...methods.keys()].join(', '));
      sendJson(res, 405, { error: `method ${req.method} not allowed` });
      return;
    }
    sendJson(res, 404, { error: 'not found' });
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}
