// The parse stage as one object: line in, canonical events out.
//
//   const pipeline = createPipeline(config, (event) => hub.add(event));
//   pipeline.line(text, source.id);   // per line, synchronously, in order per source
//   pipeline.stats();                 // counters for /metrics and stats frames
//   pipeline.endSource(source.id);    // a source closed: drop its state
//   pipeline.close();                 // shutdown: counts what was left half-read
//
// Per line: syslog envelope -> the parser (fixed by --format; else a syslog
// tag naming Postfix or Exim picks it for that line; else the source's
// detected format: each line is sniffed and parsed by the parser it looks
// like until DECIDE_AFTER lines agree, then that parser takes every line, and
// REDETECT_AFTER unparsed lines in a row reopen detection) -> sink. Every line
// ends up counted exactly once as an event line, ignored or unparsed.

import { FORMATS, KIND_INDEX, type Format, type KindCounts, type MailEvent } from '../protocol/index.js';
import { CanonicalParser } from './canonical.js';
import { Correlator } from './correlator.js';
import { sniff } from './detect.js';
import { EnvelopeReader } from './envelope.js';
import { EximParser } from './exim.js';
import { fieldsFor, type ParseConfig } from './options.js';
import type { ParserContext } from './parser.js';
import { PmtaParser } from './pmta.js';
import { isPostfixProgram, PostfixParser } from './postfix.js';
import { Redactor } from './redact.js';
import { SparkPostParser } from './sparkpost.js';
import { WallClock } from './time.js';
import type { EventSink, LineOutcome, Parser, ParserCounters, TagNotes } from './types.js';

/** Recognisable lines of one format that settle a source's format. */
export const DECIDE_AFTER = 3;
/** Unparsed lines in a row after which a settled source is detected again. */
export const REDETECT_AFTER = 50;

export interface PipelineStats {
  lines: number;
  /** Lines that produced at least one event. */
  eventLines: number;
  events: number;
  byKind: KindCounts;
  /** Recognised lines without an event (connects, cleanup, other programs in the same log...). */
  ignored: number;
  /** Lines no parser could read. */
  unparsed: number;
  /** Events the sink threw on (a bug downstream; counted, not propagated). */
  sinkErrors: number;
  /** PowerMTA records cut off by their source ending inside a quoted line break (their lines counted as ignored). */
  incomplete: number;
  perFormat: Record<Format, ParserCounters>;
  correlation: { size: number; evictions: number; max: number };
  /** Times a settled source failed long enough to be detected again. */
  redetections: number;
  /** Format per source ("undecided" while detecting). */
  sources: Record<string, Format | 'undecided'>;
}

export interface Pipeline {
  /**
   * Parses one line (no terminator) from `sourceId`. Never throws. `bytes`
   * from `at`: the line's bytes when the caller has them (see bytes.ts).
   */
  line(text: string, sourceId: string, bytes?: Uint8Array, at?: number): LineOutcome;
  /** A snapshot of the counters (a fresh object each call). */
  stats(): PipelineStats;
  /** Forgets a source's detection and parser state (its parsers' counts stay in the totals). */
  endSource(sourceId: string): void;
  /** Ends every source (see endSource) and empties the correlator. Safe to call twice. */
  close(): void;
}

export interface PipelineOptions {
  /** Clock for lines without a timestamp and for BSD year inference (tests pin it). */
  now?: () => number;
}

interface SourceState {
  fixed: Format | undefined;
  decided: Format | undefined;
  votes: Map<Format, number>;
  failStreak: number;
  parsers: Partial<Record<Format, Parser>>;
}

function leader(votes: Map<Format, number>): Format | undefined {
  let best: Format | undefined;
  let most = 0;
  for (const [f, n] of votes) {
    if (n > most) {
      best = f;
      most = n;
    }
  }
  return best;
}

export function createPipeline(config: ParseConfig, sink: EventSink, options: PipelineOptions = {}): Pipeline {
  const clock = new WallClock(config.tz, options.now ?? Date.now);
  const envelope = new EnvelopeReader(clock);
  const redact = new Redactor(config.showAddresses);
  const correlator = new Correlator(config.correlationMax, config.correlationTtl);
  const pmtaHeader = config.pmtaHeader?.split(',').map((s) => s.trim());
  const fixed = config.format === 'auto' ? undefined : config.format;

  const contexts: Record<Format, ParserContext> = {
    postfix: { redact, clock, correlator, fields: fieldsFor('postfix', config.fields) },
    exim: { redact, clock, correlator, fields: fieldsFor('exim', config.fields) },
    sparkpost: { redact, clock, correlator, fields: fieldsFor('sparkpost', config.fields) },
    pmta: { redact, clock, correlator, fields: fieldsFor('pmta', config.fields) },
    json: { redact, clock, correlator, fields: { ingress: [], egress: [] } },
  };
  const makeParser = (f: Format): Parser => {
    switch (f) {
      case 'postfix': return new PostfixParser(contexts.postfix);
      case 'exim': return new EximParser(contexts.exim);
      case 'sparkpost': return new SparkPostParser(contexts.sparkpost);
      case 'pmta': return new PmtaParser(contexts.pmta, pmtaHeader);
      case 'json': return new CanonicalParser(contexts.json);
    }
  };

  const totals = {
    lines: 0,
    eventLines: 0,
    events: 0,
    byKind: [0, 0, 0, 0, 0] as KindCounts,
    ignored: 0,
    unparsed: 0,
    sinkErrors: 0,
    incomplete: 0,
    redetections: 0,
  };
  /** Counters of parsers whose source ended, so totals per format survive endSource(). */
  const retired = Object.fromEntries(FORMATS.map((f) => [f, { lines: 0, events: 0, ignored: 0, unparsed: 0 }])) as Record<
    Format,
    ParserCounters
  >;
  const sources = new Map<string, SourceState>();
  /** The MTA a tag names, noted once per distinct tag (the envelope keeps the notes with the tag). */
  const formatOfTag = (tag: string, notes: TagNotes): Format | undefined => {
    let f = notes.format;
    if (f === undefined) f = notes.format = isPostfixProgram(tag) ? 'postfix' : tag.startsWith('exim') ? 'exim' : null;
    return f ?? undefined;
  };
  let closed = false;

  const emit = (e: MailEvent): void => {
    totals.events++;
    const k = KIND_INDEX[e.kind];
    totals.byKind[k] = totals.byKind[k]! + 1;
    try {
      sink(e);
    } catch {
      totals.sinkErrors++;
    }
  };

  // Lines come in runs from one source: the last lookup is usually the next one.
  let lastId: string | undefined;
  let lastState: SourceState | undefined;
  const stateOf = (id: string): SourceState => {
    if (id === lastId && lastState !== undefined) return lastState;
    let st = sources.get(id);
    if (st === undefined) {
      st = { fixed, decided: fixed, votes: new Map(), failStreak: 0, parsers: {} };
      sources.set(id, st);
    }
    lastId = id;
    lastState = st;
    return st;
  };

  const parserOf = (st: SourceState, f: Format): Parser => (st.parsers[f] ??= makeParser(f));

  const count = (out: LineOutcome): LineOutcome => {
    if (out === 'event') totals.eventLines++;
    else if (out === 'ignored') totals.ignored++;
    else totals.unparsed++;
    return out;
  };

  function line(text: string, sourceId: string, bytes?: Uint8Array, at?: number): LineOutcome {
    totals.lines++;
    if (text.length === 0) return count('ignored');
    const st = stateOf(sourceId);
    let env;
    try {
      env = envelope.read(text, bytes, at);
    } catch {
      return count('unparsed');
    }
    // A syslog tag names the MTA outright: an aggregation box may carry Postfix
    // and Exim hosts on one socket, so such lines are routed per line.
    if (env?.program !== undefined && st.fixed === undefined) {
      const byTag = formatOfTag(env.program, env.tagNotes!);
      if (byTag !== undefined) {
        const out = parserOf(st, byTag).parse(text, env, emit);
        if (st.decided === undefined) vote(st, byTag);
        else if (out !== 'unparsed') st.failStreak = 0;
        return count(out);
      }
    }
    const decided = st.decided;
    if (decided !== undefined) {
      const out = parserOf(st, decided).parse(text, env, emit);
      if (out === 'unparsed' && st.fixed === undefined && ++st.failStreak >= REDETECT_AFTER) {
        st.decided = undefined;
        st.votes.clear();
        st.failStreak = 0;
        totals.redetections++;
      } else if (out !== 'unparsed') {
        st.failStreak = 0;
      }
      return count(out);
    }
    const sniffed = sniff(text, env);
    // A line that looks like nothing (an indented continuation...) goes to the format leading so far.
    const f = sniffed ?? leader(st.votes);
    if (f === undefined) return count('unparsed');
    const out = parserOf(st, f).parse(text, env, emit);
    if (out !== 'unparsed' && sniffed !== undefined) vote(st, f);
    return count(out);
  }

  function vote(st: SourceState, f: Format): void {
    const votes = (st.votes.get(f) ?? 0) + 1;
    st.votes.set(f, votes);
    if (votes >= DECIDE_AFTER) st.decided = f;
  }

  function retire(st: SourceState): void {
    for (const p of Object.values(st.parsers)) {
      if (p === undefined) continue;
      const r = retired[p.format];
      r.lines += p.counters.lines;
      r.events += p.counters.events;
      r.ignored += p.counters.ignored;
      r.unparsed += p.counters.unparsed;
    }
  }

  return {
    line,
    stats(): PipelineStats {
      const perFormat = Object.fromEntries(FORMATS.map((f) => [f, { ...retired[f] }])) as Record<Format, ParserCounters>;
      const perSource: Record<string, Format | 'undecided'> = {};
      for (const [id, st] of sources) {
        perSource[id] = st.decided ?? 'undecided';
        for (const p of Object.values(st.parsers)) {
          if (p === undefined) continue;
          const c = perFormat[p.format];
          c.lines += p.counters.lines;
          c.events += p.counters.events;
          c.ignored += p.counters.ignored;
          c.unparsed += p.counters.unparsed;
        }
      }
      return {
        ...totals,
        byKind: [...totals.byKind] as KindCounts,
        perFormat,
        correlation: { ...correlator.counters, max: correlator.maxEntries },
        sources: perSource,
      };
    },
    endSource(sourceId: string): void {
      const st = sources.get(sourceId);
      if (st === undefined) return;
      const pmta = st.parsers.pmta;
      if (pmta instanceof PmtaParser && pmta.abandon()) totals.incomplete++;
      retire(st);
      sources.delete(sourceId);
      if (lastId === sourceId) lastId = lastState = undefined;
    },
    close(): void {
      if (closed) return;
      closed = true;
      for (const id of [...sources.keys()]) this.endSource(id);
      correlator.clear();
    },
  };
}
