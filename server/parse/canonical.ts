// Canonical JSON lines: our own MailEvent schema, one object per line, so any
// other source can be fed through jq, Vector or Fluent Bit (and `mtaviz parse`
// output can be fed back in). Untrusted input: only the known fields are
// kept, the event must pass the schema check, and the address rule applies to
// it like to every other parser's output.

import type { MailEvent } from '../protocol/index.js';
import { BaseParser } from './parser.js';
import { eventProblem, isFormat } from './schema.js';
import type { Envelope, EventSink, LineOutcome } from './types.js';

const STRING_KEYS = ['mta', 'ingress', 'egress', 'destIp', 'domain', 'dsn', 'queueId', 'box'] as const;

export class CanonicalParser extends BaseParser {
  readonly format = 'json' as const;

  protected read(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome {
    const text = env !== undefined ? env.msg : line;
    if (text.charCodeAt(0) !== 123) return 'unparsed';
    let o: unknown;
    try {
      o = JSON.parse(text);
    } catch {
      return 'unparsed';
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'unparsed';
    const src = o as Record<string, unknown>;
    const redact = this.ctx.redact;
    // Fractional milliseconds (a script's `now * 1000`) are rounded, not refused.
    const ts = typeof src.ts === 'number' ? Math.round(src.ts) : src.ts;
    const e: Record<string, unknown> = {
      ts,
      // A replayed `mtaviz parse` stream keeps the parser that first read it.
      format: src.format === undefined ? 'json' : src.format,
      kind: src.kind,
    };
    for (const key of STRING_KEYS) {
      const v = src[key];
      // Any name may hold an address here (the schema only rules it out for domain).
      if (v !== undefined && v !== null) e[key] = typeof v === 'string' ? redact.value(v) : v;
    }
    if (src.delayMs !== undefined && src.delayMs !== null) e.delayMs = src.delayMs;
    if (typeof src.reason === 'string') {
      const reason = redact.reason(src.reason);
      if (reason !== undefined) e.reason = reason;
    } else if (src.reason !== undefined && src.reason !== null) {
      e.reason = src.reason;
    }
    if (!isFormat(e.format) || eventProblem(e) !== undefined) return 'unparsed';
    this.send(emit, e as unknown as MailEvent);
    return 'event';
  }
}
