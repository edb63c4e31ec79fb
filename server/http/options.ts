// Options owned by the HTTP stage: where to listen, and who may connect.

import { OptionError, opt, type OptionSpec } from '../cli/options.js';
import { normalizeOrigin } from './access.js';

/** --allow-origin: repeatable, each value an origin as browsers send it, or "*". */
function origins(help: string): OptionSpec<string[]> {
  const base = opt.list({ flag: 'allow-origin', metavar: 'ORIGIN', help });
  const check = (raw: string) => {
    const origin = normalizeOrigin(raw);
    if (origin === undefined) throw new OptionError(`${JSON.stringify(raw)} is not an origin (scheme://host[:port], or *)`);
    return origin;
  };
  return { ...base, fromString: check, fromJson: (raw) => base.fromJson(raw).map(check) };
}

export const httpOptions = {
  host: opt.string({
    flag: 'host',
    metavar: 'HOST',
    default: '127.0.0.1',
    help: 'address the HTTP server listens on (0.0.0.0 or :: for every interface)',
  }),
  port: opt.int({
    flag: 'port',
    short: 'p',
    metavar: 'PORT',
    default: 8000,
    min: 0,
    max: 65535,
    help: 'HTTP port; 0 picks a free one',
  }),
  token: opt.maybe({
    flag: 'token',
    metavar: 'TOKEN',
    help: 'require this token for the page, the API, /metrics and the WebSocket (?token=... or Authorization: Bearer); prefer the config file, flags show in ps',
  }),
  allowOrigin: origins('also accept pages and API calls from this origin, e.g. https://screens.example.com (* for any); the page\'s own origin is always accepted'),
  allowHost: opt.list({
    flag: 'allow-host',
    metavar: 'NAME',
    help: 'without --token, also answer to this Host name (besides localhost and IP addresses; * for any)',
  }),
  maxClients: opt.int({
    flag: 'max-clients',
    metavar: 'N',
    default: 256,
    min: 1,
    max: 100_000,
    help: 'WebSocket clients at most; further connections get 503',
  }),
};
