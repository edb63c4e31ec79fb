// What every parser shares: the context it is built with and the guard that
// makes parse() total (never throws, every line counted exactly once).

import type { Format, MailEvent } from '../protocol/index.js';
import type { Correlator } from './correlator.js';
import type { Redactor } from './redact.js';
import type { WallClock } from './time.js';
import type { Envelope, EventSink, LineOutcome, Parser, ParserCounters } from './types.js';

/** Which raw fields become ingress and egress, tried in order (first one present wins). */
export interface FieldMap {
  readonly ingress: readonly string[];
  readonly egress: readonly string[];
}

export interface ParserContext {
  readonly redact: Redactor;
  /** Zone for wall-clock timestamps; its now() stamps lines that carry no time. */
  readonly clock: WallClock;
  /** Shared by all sources: keys are (host, queue ID). */
  readonly correlator: Correlator;
  readonly fields: FieldMap;
}

export abstract class BaseParser implements Parser {
  abstract readonly format: Format;
  readonly counters: ParserCounters = { lines: 0, events: 0, ignored: 0, unparsed: 0 };

  constructor(protected readonly ctx: ParserContext) {}

  parse(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome {
    const c = this.counters;
    c.lines++;
    let out: LineOutcome;
    try {
      out = this.read(line, env, emit);
    } catch {
      // A parser bug on strange input must cost one line, never the daemon.
      out = 'unparsed';
    }
    if (out === 'ignored') c.ignored++;
    else if (out === 'unparsed') c.unparsed++;
    return out;
  }

  /** Parses one line; may throw (parse() turns that into 'unparsed'). */
  protected abstract read(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome;

  protected send(emit: EventSink, event: MailEvent): void {
    this.counters.events++;
    emit(event);
  }

  /** A raw value as a name (masked, trimmed, bounded), or undefined when it makes none. */
  protected nameOf(raw: string | undefined): string | undefined {
    return raw === undefined ? undefined : this.ctx.redact.name(raw);
  }

  /** Sets a name field from a raw value when it makes a valid name (masked, trimmed, bounded). */
  protected putName(e: MailEvent, key: 'mta' | 'ingress' | 'egress' | 'queueId', raw: string | undefined): void {
    if (raw === undefined) return;
    const v = this.ctx.redact.name(raw);
    if (v !== undefined) e[key] = v;
  }
}
