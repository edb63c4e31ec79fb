// The MailEvent contract as a runtime check: used by the canonical JSON
// parser on untrusted input and by the tests on everything parsers emit.

import { isIP } from 'node:net';
import { FORMATS, KINDS, type Format } from '../protocol/index.js';
import { isDsn } from './extract.js';
import { NAME_MAX, REASON_MAX } from './redact.js';

export { NAME_MAX };

const NAME_KEYS = ['mta', 'ingress', 'egress', 'domain', 'queueId', 'box'] as const;
const KNOWN_KEYS = new Set<string>(['ts', 'format', 'kind', 'destIp', 'dsn', 'delayMs', 'reason', ...NAME_KEYS]);
const FORMAT_SET = new Set<string>(FORMATS);
const KIND_SET = new Set<string>(KINDS);

function isName(v: unknown, max = NAME_MAX): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= max && v.trim() === v;
}

/**
 * Why `x` is not a valid MailEvent, or undefined when it is. Strict: unknown
 * keys and keys present with an undefined value are problems too (fields are
 * omitted when unknown, never set to undefined or null).
 */
export function eventProblem(x: unknown): string | undefined {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return 'not an object';
  const o = x as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!KNOWN_KEYS.has(key)) return `unknown field "${key}"`;
    if (o[key] === undefined || o[key] === null) return `field "${key}" is ${String(o[key])}`;
  }
  if (typeof o.ts !== 'number' || !Number.isSafeInteger(o.ts) || o.ts < 0) return 'ts is not epoch milliseconds';
  if (typeof o.format !== 'string' || !FORMAT_SET.has(o.format)) return 'format is not a known parser';
  if (typeof o.kind !== 'string' || !KIND_SET.has(o.kind)) return `kind is not one of ${KINDS.join(', ')}`;
  for (const key of NAME_KEYS) {
    if (key in o && !isName(o[key])) return `${key} is not a non-empty trimmed string of at most ${NAME_MAX} chars`;
  }
  if ('domain' in o && (o.domain as string).includes('@')) return 'domain holds an address';
  if ('destIp' in o && (typeof o.destIp !== 'string' || isIP(o.destIp) === 0)) return 'destIp is not an IP address';
  if ('dsn' in o && (typeof o.dsn !== 'string' || !isDsn(o.dsn))) return 'dsn is not an enhanced status code';
  if ('delayMs' in o && (typeof o.delayMs !== 'number' || !Number.isFinite(o.delayMs) || o.delayMs < 0)) {
    return 'delayMs is not a non-negative number';
  }
  if ('reason' in o && !isName(o.reason, REASON_MAX)) return `reason is not a non-empty string of at most ${REASON_MAX} chars`;
  return undefined;
}

export function isFormat(x: unknown): x is Format {
  return typeof x === 'string' && FORMAT_SET.has(x);
}
