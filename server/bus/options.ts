// Options of the federation stage: publishing this daemon's events and exact
// counters to NATS, and merging other boxes' into this daemon's view. Flags
// are validated once here (busSettings) into the settings the bus modules use;
// credentials are read from their files at startup, so a bad path stops the
// daemon with one line instead of failing later on a reconnect.

import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import picomatch from 'picomatch';
import { OptionError, opt, type ConfigOf } from '../cli/options.js';

export const busOptions = {
  publish: opt.maybe({
    flag: 'publish',
    metavar: 'URL',
    help: 'publish this daemon\'s events and exact counters to this NATS server (nats://HOST:PORT or tls://HOST:PORT; several separated by commas)',
  }),
  subscribe: opt.maybe({
    flag: 'subscribe',
    metavar: 'URL',
    help: 'merge the boxes publishing on this NATS server into this view (same URL forms as --publish)',
  }),
  box: opt.maybe({
    flag: 'box',
    metavar: 'NAME',
    help: 'name this daemon publishes as: letters, digits, "-" and "_" (default: the host name up to its first dot)',
  }),
  boxes: opt.list({
    flag: 'boxes',
    metavar: 'PATTERN',
    help: 'with --subscribe, merge only the boxes whose names match this glob (default: all)',
  }),
  headless: opt.bool({
    flag: 'headless',
    help: 'with --publish, serve no HTTP at all (no page, API or WebSocket): a box that only feeds views',
  }),
  busPrefix: opt.string({
    flag: 'bus-prefix',
    metavar: 'PREFIX',
    default: 'mtaviz',
    help: 'subject prefix: a box publishes on PREFIX.BOX.events and PREFIX.BOX.stats',
  }),
  busFlush: opt.duration({
    flag: 'bus-flush',
    metavar: 'DURATION',
    default: 20,
    min: 1,
    max: 1000,
    help: 'a box publishes its events in one batch this often (the latency a bus hop adds)',
  }),
  busBatch: opt.int({
    flag: 'bus-batch',
    metavar: 'N',
    default: 2000,
    min: 1,
    max: 100_000,
    help: 'a batch is published early once it holds this many events',
  }),
  busBuffer: opt.bytes({
    flag: 'bus-buffer',
    metavar: 'SIZE',
    default: 16 * 1024 * 1024,
    min: 1024,
    max: 1024 * 1024 * 1024,
    help: 'encoded batches a box holds while the bus is slow or gone; beyond it the oldest are dropped (counted)',
  }),
  busStats: opt.duration({
    flag: 'bus-stats',
    metavar: 'DURATION',
    default: 1000,
    min: 50,
    max: 60_000,
    help: 'a box publishes its cumulative counters this often (also its heartbeat)',
  }),
  boxStale: opt.duration({
    flag: 'box-stale',
    metavar: 'DURATION',
    default: 10_000,
    min: 100,
    help: 'with --subscribe, a box heard nothing from this long is shown as stale',
  }),
  boxExpire: opt.duration({
    flag: 'box-expire',
    metavar: 'DURATION',
    default: 600_000,
    min: 100,
    help: 'with --subscribe, a box silent this long is removed from the topology and the totals',
  }),
  maxBoxes: opt.int({
    flag: 'max-boxes',
    metavar: 'N',
    default: 64,
    min: 1,
    max: 10_000,
    help: 'with --subscribe, boxes merged at most; messages from further boxes are counted and ignored',
  }),
  busReconnectMax: opt.duration({
    flag: 'bus-reconnect-max',
    metavar: 'DURATION',
    default: 5000,
    min: 10,
    help: 'reconnects to NATS back off from 100ms, doubling up to this, with jitter',
  }),
  busToken: opt.maybe({ flag: 'bus-token', metavar: 'TOKEN', help: 'NATS token authentication (prefer the config file: flags show in ps)' }),
  busUser: opt.maybe({ flag: 'bus-user', metavar: 'USER', help: 'NATS user (with --bus-password)' }),
  busPassword: opt.maybe({ flag: 'bus-password', metavar: 'PASSWORD', help: 'NATS password (prefer the config file)' }),
  busNkey: opt.maybe({ flag: 'bus-nkey', metavar: 'FILE', help: 'NATS NKey authentication: file holding the user seed (SU...)' }),
  busCreds: opt.maybe({ flag: 'bus-creds', metavar: 'FILE', help: 'NATS user credentials file (JWT and seed, as nsc writes it)' }),
  busTls: opt.bool({ flag: 'bus-tls', help: 'require TLS to NATS (implied by tls:// URLs and the other --bus-tls options)' }),
  busTlsCa: opt.maybe({ flag: 'bus-tls-ca', metavar: 'FILE', help: 'CA certificate(s) to verify the NATS server with' }),
  busTlsCert: opt.maybe({ flag: 'bus-tls-cert', metavar: 'FILE', help: 'client certificate for NATS (with --bus-tls-key)' }),
  busTlsKey: opt.maybe({ flag: 'bus-tls-key', metavar: 'FILE', help: 'client private key for NATS' }),
};

export type BusConfig = ConfigOf<typeof busOptions>;

/** How to reach NATS: servers, credentials and TLS, as the connection module uses them. */
export interface BusEndpoint {
  servers: string[];
  token?: string;
  user?: string;
  pass?: string;
  /** NKey seed bytes, read at startup. */
  nkeySeed?: Uint8Array;
  /** Credentials file bytes, read at startup. */
  creds?: Uint8Array;
  tls?: { caFile?: string; certFile?: string; keyFile?: string };
  reconnectMaxMs: number;
}

export interface PublishSettings {
  endpoint: BusEndpoint;
  box: string;
  prefix: string;
  flushMs: number;
  batchEvents: number;
  bufferBytes: number;
  statsMs: number;
}

export interface SubscribeSettings {
  endpoint: BusEndpoint;
  prefix: string;
  /** Box name filter; undefined merges every box. */
  accept: ((box: string) => boolean) | undefined;
  /** Exact box names when the patterns hold no glob characters (subscribe to those subjects only). */
  exact: string[] | undefined;
  /** This daemon's own box, never merged into its own view. */
  ownBox: string | undefined;
  staleMs: number;
  expireMs: number;
  maxBoxes: number;
}

export interface BusSettings {
  publish: PublishSettings | undefined;
  subscribe: SubscribeSettings | undefined;
  headless: boolean;
}

const BOX_NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** NATS subject tokens: no dots inside, no wildcards, no white space. */
const SUBJECT_PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/** The host name up to its first dot, made a valid box name. */
export function defaultBox(host = hostname()): string {
  const short = host.split('.')[0]!.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 64);
  return short === '' ? 'box' : short;
}

function servers(flag: string, raw: string): string[] {
  const list = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (list.length === 0) throw new OptionError(`--${flag}: no server in ${JSON.stringify(raw)}`);
  for (const s of list) {
    let ok = false;
    try {
      const url = new URL(/^[a-z]+:\/\//i.test(s) ? s : `nats://${s}`);
      ok = (url.protocol === 'nats:' || url.protocol === 'tls:') && url.hostname !== '';
    } catch {
      ok = false;
    }
    if (!ok) throw new OptionError(`--${flag}: ${JSON.stringify(s)} is not a NATS server URL (nats://HOST:PORT or tls://HOST:PORT)`);
  }
  return list;
}

function readSecret(flag: string, file: string): Uint8Array {
  try {
    return new Uint8Array(readFileSync(file));
  } catch (err) {
    throw new OptionError(`--${flag}: cannot read ${JSON.stringify(file)}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function endpoint(config: BusConfig, flag: string, raw: string): BusEndpoint {
  const auth = [config.busToken && '--bus-token', config.busUser && '--bus-user', config.busNkey && '--bus-nkey', config.busCreds && '--bus-creds'].filter(
    (x): x is string => Boolean(x),
  );
  if (auth.length > 1) throw new OptionError(`${auth.join(' and ')}: choose one way to authenticate to NATS`);
  if (config.busPassword && !config.busUser) throw new OptionError('--bus-password needs --bus-user');
  if (config.busUser && !config.busPassword) throw new OptionError('--bus-user needs --bus-password');
  if (Boolean(config.busTlsCert) !== Boolean(config.busTlsKey)) throw new OptionError('--bus-tls-cert and --bus-tls-key go together');
  for (const [f, file] of [['bus-tls-ca', config.busTlsCa], ['bus-tls-cert', config.busTlsCert], ['bus-tls-key', config.busTlsKey]] as const) {
    if (file) readSecret(f, file);
  }
  const list = servers(flag, raw);
  const tlsWanted = config.busTls || Boolean(config.busTlsCa || config.busTlsCert) || list.some((s) => s.startsWith('tls://'));
  return {
    servers: list,
    ...(config.busToken ? { token: config.busToken } : {}),
    ...(config.busUser ? { user: config.busUser, pass: config.busPassword } : {}),
    ...(config.busNkey ? { nkeySeed: trimSeed(readSecret('bus-nkey', config.busNkey)) } : {}),
    ...(config.busCreds ? { creds: readSecret('bus-creds', config.busCreds) } : {}),
    ...(tlsWanted
      ? {
          tls: {
            ...(config.busTlsCa ? { caFile: config.busTlsCa } : {}),
            ...(config.busTlsCert ? { certFile: config.busTlsCert, keyFile: config.busTlsKey } : {}),
          },
        }
      : {}),
    reconnectMaxMs: config.busReconnectMax,
  };
}

/** A seed file may end in a newline (and nsc pads with comments); the seed is the SU... line. */
function trimSeed(bytes: Uint8Array): Uint8Array {
  const line = new TextDecoder().decode(bytes).split(/\r?\n/).map((l) => l.trim()).find((l) => l.startsWith('SU'));
  if (!line) throw new OptionError('--bus-nkey: the file holds no user seed (a line starting with SU)');
  return new TextEncoder().encode(line);
}

/** Validates the bus options once; throws OptionError naming the bad one. */
export function busSettings(config: BusConfig): BusSettings {
  if (config.box !== undefined && !BOX_NAME.test(config.box)) {
    throw new OptionError(`--box: ${JSON.stringify(config.box)} is not a box name (1 to 64 letters, digits, "-" and "_")`);
  }
  if (!SUBJECT_PREFIX.test(config.busPrefix)) {
    throw new OptionError(`--bus-prefix: ${JSON.stringify(config.busPrefix)} is not a NATS subject prefix (dot-separated tokens of letters, digits, "-" and "_")`);
  }
  if (config.headless && !config.publish) throw new OptionError('--headless needs --publish: without HTTP or a bus nothing would see the events');
  if (config.boxes.length && !config.subscribe) throw new OptionError('--boxes needs --subscribe');
  if (config.boxExpire <= config.boxStale) throw new OptionError('--box-expire must be longer than --box-stale');
  const box = config.box ?? defaultBox();
  const publish: PublishSettings | undefined = config.publish
    ? {
        endpoint: endpoint(config, 'publish', config.publish),
        box,
        prefix: config.busPrefix,
        flushMs: config.busFlush,
        batchEvents: config.busBatch,
        bufferBytes: config.busBuffer,
        statsMs: config.busStats,
      }
    : undefined;
  let subscribe: SubscribeSettings | undefined;
  if (config.subscribe) {
    const patterns = config.boxes;
    const globby = patterns.some((p) => picomatch.scan(p).isGlob);
    for (const p of patterns) {
      if (!globby && !BOX_NAME.test(p)) throw new OptionError(`--boxes: ${JSON.stringify(p)} is neither a box name nor a glob`);
    }
    subscribe = {
      endpoint: endpoint(config, 'subscribe', config.subscribe),
      prefix: config.busPrefix,
      accept: patterns.length ? picomatch(patterns) : undefined,
      exact: patterns.length && !globby ? [...new Set(patterns)] : undefined,
      ownBox: publish?.box,
      staleMs: config.boxStale,
      expireMs: config.boxExpire,
      maxBoxes: config.maxBoxes,
    };
  }
  return { publish, subscribe, headless: config.headless };
}
