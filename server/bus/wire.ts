// What boxes publish on the bus, and how it is read back. Two subjects per box:
//
//   PREFIX.BOX.events  an EventBatch: the box's canonical events of one flush
//                      interval, compact (see below), numbered per box run;
//   PREFIX.BOX.stats   a BoxReport: the box's exact cumulative counters (the
//                      hub's own StatsMessage of its local input) plus its
//                      publisher's counters; also the box's heartbeat.
//
// Totals in a view come from the reports only, so a lost or late batch can
// never make them wrong; batches feed the animation, and their `seq` and
// `upto` let the view count exactly what it missed.
//
// Compact batches: every string of a batch (format, names, IPs, reasons...)
// is stored once in `dict`, and each event is a tuple of numbers:
//   [ts - t0, kind, delayMs (-1: none), format, mta, ingress, egress, destIp,
//    domain, dsn, queueId, reason]
// where strings are dict index + 1 (0: absent) and trailing absent fields are
// left off. A batch of Postfix events is about a third of their JSON size
// (bench/federation.ts measures bytes per event).
//
// Everything read from the bus is untrusted: decoding validates each field and
// counts what it skips, and never throws.

import { FORMATS, KINDS, type Format, type MailEvent, type StatsMessage } from '../protocol/index.js';

export const WIRE_VERSION = 1;

export interface EventBatch {
  v: number;
  box: string;
  /** Identifies one run of the box's daemon; a new one means its counters started again. */
  boot: string;
  /** Batch number within the run, from 1; a jump is a gap. */
  seq: number;
  /** Events this run has handed to the bus so far, this batch's included (dropped ones too). */
  upto: number;
  t0: number;
  dict: string[];
  ev: number[][];
}

export interface PublisherCounters {
  /** Batches and events published: taken by the NATS server (a flush round trip confirmed them). */
  batches: number;
  events: number;
  /** Dropped by the box: its buffer was full (bus slow or gone). */
  droppedBatches: number;
  droppedEvents: number;
  /** Batches and reports larger than the server's max_payload (such batches are in the drops too). */
  oversize: number;
}

export interface BoxReport {
  v: number;
  box: string;
  boot: string;
  /** Epoch ms the box's daemon started. */
  startedAt: number;
  /** The last batch numbered and the events handed on so far (as in the batches). */
  seq: number;
  upto: number;
  publisher: PublisherCounters;
  /** The box's own exact counters, in its own node names. */
  stats: StatsMessage;
}

const STRING_FIELDS = ['format', 'mta', 'ingress', 'egress', 'destIp', 'domain', 'dsn', 'queueId', 'reason'] as const;
type StringField = (typeof STRING_FIELDS)[number];
/** Tuple index of the first string field. */
const FIRST_STRING = 3;
const KIND_CODE: Readonly<Record<string, number>> = Object.fromEntries(KINDS.map((k, i) => [k, i]));
const FORMAT_SET: ReadonlySet<string> = new Set(FORMATS);
/** Longest string accepted from the bus (names are at most 255, reasons 256 on a box). */
export const MAX_STRING = 1024;

/**
 * Per-kind breakdowns of a StatsMessage besides nodes and edges, keyed by
 * names that are not node ids: a view sums them over the boxes as they are.
 */
export const BREAKDOWNS = ['failures', 'providers'] as const;

export function subject(prefix: string, box: string, kind: 'events' | 'stats'): string {
  return `${prefix}.${box}.${kind}`;
}

/** Builds one batch; reusable (reset() between batches), so the dictionary map is not reallocated. */
export class BatchEncoder {
  private readonly index = new Map<string, number>();
  private readonly dict: string[] = [];
  private readonly tuples: number[][] = [];
  private t0 = 0;

  get size(): number {
    return this.tuples.length;
  }

  add(ev: MailEvent): void {
    if (this.tuples.length === 0) this.t0 = ev.ts;
    const t: number[] = [ev.ts - this.t0, KIND_CODE[ev.kind] ?? -1, ev.delayMs ?? -1];
    let last = FIRST_STRING - 1;
    for (let i = 0; i < STRING_FIELDS.length; i++) {
      const v = ev[STRING_FIELDS[i]!];
      if (v === undefined) {
        t.push(0);
        continue;
      }
      let code = this.index.get(v);
      if (code === undefined) {
        code = this.dict.push(v);
        this.index.set(v, code);
      }
      t.push(code);
      last = FIRST_STRING + i;
    }
    t.length = last + 1;
    this.tuples.push(t);
  }

  /** The batch as JSON text; then starts a new one. */
  take(header: { box: string; boot: string; seq: number; upto: number }): string {
    const batch: EventBatch = { v: WIRE_VERSION, ...header, t0: this.t0, dict: this.dict, ev: this.tuples };
    const text = JSON.stringify(batch);
    this.reset();
    return text;
  }

  reset(): void {
    this.index.clear();
    this.dict.length = 0;
    this.tuples.length = 0;
  }
}

export interface DecodedBatch {
  box: string;
  boot: string;
  seq: number;
  upto: number;
  events: MailEvent[];
  /** Tuples skipped as malformed. */
  badEvents: number;
}

const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;
const isToken = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 128;

/**
 * What every message from a box starts with: JSON of this wire version,
 * naming its box and boot. Its fields still unchecked, or a reason it is not one.
 */
function boxMessage<T>(text: string): (Partial<Record<keyof T, unknown>> & { box: string; boot: string }) | string {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof raw !== 'object' || raw === null) return 'not an object';
  const m = raw as { v?: unknown; box?: unknown; boot?: unknown };
  if (m.v !== WIRE_VERSION) return `wire version ${String(m.v)}, expected ${WIRE_VERSION}`;
  if (!isToken(m.box) || !isToken(m.boot)) return 'no box or boot';
  return raw as Partial<Record<keyof T, unknown>> & { box: string; boot: string };
}

/** A batch from its JSON text, or a reason it is not one. */
export function decodeBatch(text: string): DecodedBatch | string {
  const b = boxMessage<EventBatch>(text);
  if (typeof b === 'string') return b;
  if (!isCount(b.seq) || b.seq < 1 || !isCount(b.upto)) return 'bad seq or upto';
  if (typeof b.t0 !== 'number' || !Number.isFinite(b.t0) || !Array.isArray(b.dict) || !Array.isArray(b.ev)) return 'bad body';
  const dict = b.dict as unknown[];
  for (const s of dict) if (typeof s !== 'string' || s.length > MAX_STRING) return 'bad dictionary';
  const t0 = b.t0;
  const events: MailEvent[] = [];
  let bad = 0;
  for (const t of b.ev as unknown[]) {
    const ev = Array.isArray(t) ? decodeTuple(t, t0, dict as string[]) : undefined;
    if (ev) events.push(ev);
    else bad++;
  }
  if (events.length + bad > b.upto) return 'more events than upto';
  return { box: b.box, boot: b.boot, seq: b.seq, upto: b.upto, events, badEvents: bad };
}

function decodeTuple(t: unknown[], t0: number, dict: string[]): MailEvent | undefined {
  const dt = t[0];
  const kind = KINDS[t[1] as number];
  const delay = t[2];
  if (typeof dt !== 'number' || kind === undefined || typeof delay !== 'number') return undefined;
  const ts = t0 + dt;
  if (!Number.isSafeInteger(ts) || ts < 0 || !(delay >= -1) || !Number.isFinite(delay)) return undefined;
  const str = (i: number): string | undefined | null => {
    const code = t[FIRST_STRING + i];
    if (code === undefined || code === 0) return undefined;
    if (typeof code !== 'number' || !Number.isInteger(code) || code < 0) return null;
    const s = dict[code - 1];
    return s === undefined || s === '' ? null : s;
  };
  const format = str(0);
  if (typeof format !== 'string' || !FORMAT_SET.has(format)) return undefined;
  const ev: MailEvent = { ts, format: format as Format, kind };
  for (let i = 1; i < STRING_FIELDS.length; i++) {
    const v = str(i);
    if (v === null) return undefined;
    if (v !== undefined) ev[STRING_FIELDS[i] as Exclude<StringField, 'format'>] = v;
  }
  if (delay >= 0) ev.delayMs = delay;
  return ev;
}

/** A report from its JSON text, or a reason it is not one. Only the shape the merge reads is checked. */
export function decodeReport(text: string): BoxReport | string {
  const r = boxMessage<BoxReport>(text);
  if (typeof r === 'string') return r;
  if (typeof r.startedAt !== 'number' || !isCount(r.seq) || !isCount(r.upto)) return 'bad header';
  const p = r.publisher as Partial<PublisherCounters> | undefined;
  if (!p || ![p.batches, p.events, p.droppedBatches, p.droppedEvents, p.oversize].every(isCount)) return 'bad publisher counters';
  const s = r.stats as Partial<StatsMessage> | undefined;
  if (!s || typeof s !== 'object') return 'no stats';
  if (typeof s.at !== 'number' || ![s.lines, s.unparsed, s.events].every(isCount) || !isKindCounts(s.byKind)) return 'bad stats totals';
  if (!isCountsRecord(s.nodes) || !isCountsRecord(s.edges)) return 'bad stats nodes or edges';
  if (!s.rate || typeof s.rate !== 'object' || !isKindCounts(s.rate.byKind)) return 'bad stats rate';
  if (!s.drops || !isCount(s.drops.evictions)) return 'bad stats drops';
  if (typeof s.sources !== 'object' || s.sources === null) return 'bad stats sources';
  // Breakdowns a box may add beside nodes and edges (merged as sums when present).
  for (const key of BREAKDOWNS) {
    const v = (s as Record<string, unknown>)[key];
    if (v !== undefined && !isCountsRecord(v)) return `bad stats ${key}`;
  }
  return r as BoxReport;
}

export function isKindCounts(x: unknown): x is [number, number, number, number, number] {
  return Array.isArray(x) && x.length === KINDS.length && x.every(isCount);
}

function isCountsRecord(x: unknown): x is Record<string, [number, number, number, number, number]> {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  for (const v of Object.values(x)) if (!isKindCounts(v)) return false;
  return true;
}
