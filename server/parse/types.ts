// The parse stage's interface. A parser is a pure function of a line (plus
// the syslog envelope, when the line had one) to zero or more canonical
// events; it never throws and counts what it could not read. Postfix needs
// per-message state for queue-ID correlation; that state lives in a
// correlator the parser is constructed with, not in globals.

import type { Format, MailEvent } from '../protocol/index.js';
import type { PostfixProgram } from './postfix.js';

/** A syslog header, as recognised on every input (RFC 3164, RFC 5424, with or without <PRI>). */
export interface Envelope {
  /** Epoch ms (UTC), when the header carried a timestamp. */
  ts?: number;
  host?: string;
  /** Syslog tag / APP-NAME, e.g. "postfix/elb-smtp/smtpd". */
  program?: string;
  /** Notes on `program`, shared by every line with the same tag (present exactly when program is). */
  tagNotes?: TagNotes;
  pid?: number;
  pri?: number;
  /** The message after the header. */
  readonly msg: string;
  /**
   * Index in the line where msg starts: hot-path parsers read the line from
   * here instead of using msg, which EnvelopeReader slices only on demand.
   */
  readonly msgStart: number;
  /**
   * The line as bytes for scanning (bytes.ts): byte `at + i` stands for char i.
   * Valid, like the envelope, only until the next line is read.
   */
  readonly bytes: Uint8Array;
  readonly at: number;
}

/**
 * What the stages after the envelope make of a syslog tag, worked out once per
 * distinct tag rather than once per line: the envelope reader keeps one of
 * these beside each tag it caches, and each stage fills in its own field the
 * first time it needs it.
 */
export interface TagNotes {
  /** The MTA the tag names, null when it names none (the pipeline's routing). */
  format: Format | null | undefined;
  /** The Postfix parser's reading of the tag, null when it is not Postfix. */
  postfix: PostfixProgram | null | undefined;
}

export type EventSink = (event: MailEvent) => void;

/** What became of one line. */
export type LineOutcome = 'event' | 'ignored' | 'unparsed';

export interface ParserCounters {
  lines: number;
  events: number;
  /** Recognised lines that carry no event (connect, cleanup, removed...). */
  ignored: number;
  /** Lines this parser could not read. */
  unparsed: number;
}

export interface Parser {
  readonly format: Format;
  readonly counters: ParserCounters;
  /** `env` is undefined when the line had no syslog header. */
  parse(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome;
}
