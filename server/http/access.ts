// Who may talk to the daemon. Three checks, each answering with a status and
// one line of text rather than silence:
// - Origin: a browser page from another site may not open our WebSocket or
//   read our API (same origin by default, --allow-origin for more).
// - Host: without a token, a page on a DNS name the attacker controls can be
//   made to resolve to 127.0.0.1 (DNS rebinding) and would then be "same
//   origin"; so tokenless daemons only answer to loopback names, IP literals
//   and --allow-host names. With --token the token is the protection.
// - Token: with --token, the page, the API, /metrics and the WebSocket need it
//   as ?token= or "Authorization: Bearer"; the page hands it on to its socket.

import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface AccessConfig {
  token: string | undefined;
  /** Origins (scheme://host[:port]) allowed besides the page's own; "*" allows any. */
  allowOrigins: readonly string[];
  /** Host names allowed besides loopback names and IP literals; "*" allows any. */
  allowHosts: readonly string[];
}

export interface Refusal {
  status: 401 | 403;
  reason: 'origin' | 'host' | 'token';
  message: string;
}

/** An --allow-origin value in the form browsers send it, or undefined if it is not one. */
export function normalizeOrigin(raw: string): string | undefined {
  if (raw === '*') return raw;
  try {
    const url = new URL(raw);
    if ((url.protocol !== 'http:' && url.protocol !== 'https:') || url.pathname !== '/' || url.search || url.hash) {
      return undefined;
    }
    return url.origin;
  } catch {
    return undefined;
  }
}

const digest = (s: string) => createHash('sha256').update(s).digest();

export class Access {
  private readonly origins: Set<string>;
  private readonly anyOrigin: boolean;
  private readonly hosts: Set<string>;
  private readonly anyHost: boolean;
  private readonly tokenDigest: Buffer | undefined;

  constructor(cfg: AccessConfig) {
    this.origins = new Set(cfg.allowOrigins.map((o) => normalizeOrigin(o) ?? o));
    this.anyOrigin = this.origins.has('*');
    this.hosts = new Set(cfg.allowHosts.map((h) => h.toLowerCase()));
    this.anyHost = this.hosts.has('*');
    this.tokenDigest = cfg.token === undefined ? undefined : digest(cfg.token);
  }

  get tokenRequired(): boolean {
    return this.tokenDigest !== undefined;
  }

  /** The Host and Origin checks; undefined when the request may proceed. */
  checkSite(req: IncomingMessage): Refusal | undefined {
    const host = req.headers.host;
    if (!this.tokenDigest && host !== undefined && !this.hostAllowed(host)) {
      return {
        status: 403,
        reason: 'host',
        message: `Host "${host}" is not allowed: open the page by IP or localhost, or start mtaviz with --allow-host or --token`,
      };
    }
    const origin = req.headers.origin;
    if (origin !== undefined && !this.originAllowed(origin, host)) {
      return {
        status: 403,
        reason: 'origin',
        message: `Origin ${origin} is not allowed (start mtaviz with --allow-origin ${origin} to allow it)`,
      };
    }
    return undefined;
  }

  /** The token check; `url` is the parsed request URL. */
  checkToken(req: IncomingMessage, url: URL): Refusal | undefined {
    if (!this.tokenDigest) return undefined;
    const auth = req.headers.authorization;
    const presented = url.searchParams.get('token') ?? (auth?.startsWith('Bearer ') ? auth.slice(7).trim() : undefined);
    if (presented !== undefined && timingSafeEqual(digest(presented), this.tokenDigest)) return undefined;
    return {
      status: 401,
      reason: 'token',
      message: presented === undefined ? 'this mtaviz needs a token: add ?token=... to the URL' : 'wrong token',
    };
  }

  /** For an allowed cross-origin request, the value of Access-Control-Allow-Origin. */
  corsOrigin(req: IncomingMessage): string | undefined {
    const origin = req.headers.origin;
    if (origin === undefined || this.sameOrigin(origin, req.headers.host)) return undefined;
    return this.originAllowed(origin, req.headers.host) ? origin : undefined;
  }

  private originAllowed(origin: string, host: string | undefined): boolean {
    return this.anyOrigin || this.origins.has(origin) || this.sameOrigin(origin, host);
  }

  private sameOrigin(origin: string, host: string | undefined): boolean {
    if (host === undefined) return false;
    try {
      // Scheme is not compared: behind a TLS-terminating proxy the page is https and we see http.
      return new URL(origin).host === new URL(`http://${host}`).host;
    } catch {
      return false;
    }
  }

  private hostAllowed(hostHeader: string): boolean {
    if (this.anyHost) return true;
    let name: string;
    try {
      name = new URL(`http://${hostHeader}`).hostname.toLowerCase();
    } catch {
      return false;
    }
    const bare = name.startsWith('[') ? name.slice(1, -1) : name;
    return isIP(bare) !== 0 || bare === 'localhost' || bare.endsWith('.localhost') || this.hosts.has(bare);
  }
}
