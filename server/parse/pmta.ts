// PowerMTA accounting CSV. Field order is configurable in PowerMTA, so rows
// are read by the header row's names (RFC 4180: quoted values may hold
// commas, doubled quotes and line breaks; CRLF line ends). A file may switch
// headers midway (a new "type,..." row) and mixes record types under one
// union header. A source that starts mid-file (a tail from the end) has seen
// no header: rows are unparsed until one arrives, unless a header is
// configured (pmtaHeader).
//
// d -> delivery, b -> bounce, t/tq -> deferral, r -> injection; f (feedback
// loop), rb/rs (remote bounce/status) are not mail flow from this MTA.
//
// Naming (defaults; see options.ts): ingress = srcType (api, smtp), egress =
// vmta, else dlvSourceIp; any column name may be configured instead.

import type { Kind, MailEvent } from '../protocol/index.js';
import { findDsn, firstBracketedIp, ipIn } from './extract.js';
import { BaseParser, type ParserContext } from './parser.js';
import { domainOf, localPart } from './redact.js';
import { parseEventTime } from './sparkpost.js';
import { digitsAt, validDate } from './time.js';
import type { Envelope, EventSink, LineOutcome } from './types.js';

const KIND_OF: Readonly<Record<string, Kind | null>> = {
  d: 'delivery',
  b: 'bounce',
  t: 'deferral',
  tq: 'deferral',
  r: 'injection',
  f: null,
  rb: null,
  rs: null,
};

/** A record spanning lines (a quoted line break) may grow to this before it is dropped. */
const MAX_RECORD = 65_536;

/**
 * Splits one CSV record. Returns undefined when a quoted value is still open
 * at the end (the record continues on the next line).
 */
export function splitCsv(s: string): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = s.length;
  for (;;) {
    if (s.charCodeAt(i) === 34) {
      let v = '';
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) return undefined;
        v += s.slice(j, q);
        if (s.charCodeAt(q + 1) === 34) {
          v += '"';
          j = q + 2;
        } else {
          j = q + 1;
          break;
        }
      }
      out.push(v);
      // Stray text between a closing quote and the comma is kept, as lenient readers do.
      const comma = s.indexOf(',', j);
      if (comma < 0) return out;
      i = comma + 1;
    } else {
      const comma = s.indexOf(',', i);
      if (comma < 0) {
        out.push(s.slice(i, n));
        return out;
      }
      out.push(s.slice(i, comma));
      i = comma + 1;
    }
  }
}

export class PmtaParser extends BaseParser {
  readonly format = 'pmta' as const;
  private header: Header | undefined;
  private pending = '';

  constructor(ctx: ParserContext, configuredHeader?: readonly string[]) {
    super(ctx);
    if (configuredHeader !== undefined && configuredHeader.length > 0) this.header = headerOf(configuredHeader);
  }

  protected read(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome {
    let text = env !== undefined ? env.msg : line;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (this.pending !== '') {
      text = this.pending + '\n' + text;
      this.pending = '';
    }
    const fields = splitCsv(text);
    if (fields === undefined) {
      if (text.length > MAX_RECORD) return 'unparsed';
      // A quoted line break: this line is part of a record that ends later.
      this.pending = text;
      return 'ignored';
    }
    if (fields[0] === 'type') {
      this.header = headerOf(fields);
      return 'ignored';
    }
    const h = this.header;
    if (h === undefined || fields.length !== h.width) return 'unparsed';
    const type = fields[0]!;
    if (!Object.hasOwn(KIND_OF, type)) return 'unparsed';
    const kind = KIND_OF[type];
    if (kind === null || kind === undefined) return 'ignored';
    const get = (name: string): string | undefined => {
      const i = h.index.get(name);
      const v = i === undefined ? undefined : fields[i];
      return v === undefined || v === '' ? undefined : v;
    };

    const logged = this.time(get('timeLogged'));
    const queued = this.time(get('timeQueued'));
    const ts = logged ?? env?.ts ?? queued ?? this.ctx.clock.now();
    const redact = this.ctx.redact;
    const e: MailEvent = { ts, format: 'pmta', kind };
    this.putName(e, 'mta', env?.host);
    const ingress = pick(get, this.ctx.fields.ingress);
    this.putName(e, 'ingress', ingress);
    if (kind !== 'injection') {
      const egress = pick(get, this.ctx.fields.egress);
      this.putName(e, 'egress', egress);
      const dest = get('dlvDestinationIp');
      const mta = get('dsnMta');
      const destIp = (dest !== undefined ? ipIn(dest, 0, dest.length) : undefined) ?? (mta !== undefined ? ipInParens(mta) : undefined);
      if (destIp !== undefined) e.destIp = destIp;
    }
    const rcpt = get('rcpt');
    const domain = rcpt !== undefined ? domainOf(rcpt) : undefined;
    if (domain !== undefined) e.domain = domain;
    const status = get('dsnStatus');
    const dsn = status !== undefined ? findDsn(status) : undefined;
    if (dsn !== undefined) e.dsn = dsn;
    const total = Number(get('totalSecondsQueued'));
    if (logged !== undefined && queued !== undefined && logged >= queued) e.delayMs = logged - queued;
    else if (Number.isFinite(total) && total >= 0 && get('totalSecondsQueued') !== undefined) e.delayMs = Math.round(total * 1000);
    if (kind === 'bounce' || kind === 'deferral') {
      let diag = get('dsnDiag') ?? status;
      // "smtp;550 5.1.1 ...": the diagnostic type prefix says nothing to a person.
      if (diag !== undefined && /^[a-z-]+;/i.test(diag)) diag = diag.slice(diag.indexOf(';') + 1);
      const cat = get('bounceCat');
      const full = cat !== undefined ? (diag !== undefined ? `${cat}: ${diag}` : cat) : diag;
      if (full !== undefined) {
        const reason = redact.reason(full, rcpt !== undefined ? localPart(rcpt) : undefined, localPartOf(get('orig')));
        if (reason !== undefined) e.reason = reason;
      }
    }
    this.send(emit, e);
    return 'event';
  }

  /** Drops a record left open by a quoted line break; true when there was one. */
  abandon(): boolean {
    const had = this.pending !== '';
    this.pending = '';
    return had;
  }

  /** "2016-05-29 01:10:51+0200", the same without a zone (local), or epoch seconds. */
  private time(v: string | undefined): number | undefined {
    if (v === undefined) return undefined;
    if (v.charCodeAt(4) === 45 && v.charCodeAt(10) === 32) {
      const y = digitsAt(v, 0, 4);
      const mo = digitsAt(v, 5, 2) - 1;
      const d = digitsAt(v, 8, 2);
      const h = digitsAt(v, 11, 2);
      const mi = digitsAt(v, 14, 2);
      const s = digitsAt(v, 17, 2);
      if (!validDate(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return undefined;
      const z = v.charCodeAt(19);
      if (z === 43 || z === 45) {
        const zh = digitsAt(v, 20, 2);
        const zm = digitsAt(v, v.charCodeAt(22) === 58 ? 23 : 22, 2);
        if (zh < 0 || zm < 0) return undefined;
        return Math.max(0, Date.UTC(y, mo, d, h, mi, s) - (z === 43 ? 1 : -1) * (zh * 60 + zm) * 60_000);
      }
      return v.length === 19 ? this.ctx.clock.toEpoch(y, mo, d, h, mi, s) : undefined;
    }
    return parseEventTime(v);
  }
}

interface Header {
  readonly index: Map<string, number>;
  /** Columns per row: every row of a PowerMTA file has all of them, empty or not. */
  readonly width: number;
}

function headerOf(names: readonly string[]): Header {
  const index = new Map<string, number>();
  names.forEach((name, i) => {
    const key = name.trim();
    if (!index.has(key)) index.set(key, i);
  });
  return { index, width: names.length };
}

function pick(get: (name: string) => string | undefined, fields: readonly string[]): string | undefined {
  for (const f of fields) {
    const v = get(f);
    if (v !== undefined) return v;
  }
  return undefined;
}

/** "mx1.example.com (2.2.2.2)" -> "2.2.2.2". */
function ipInParens(s: string): string | undefined {
  const open = s.lastIndexOf('(');
  const close = s.indexOf(')', open);
  if (open >= 0 && close > open) return ipIn(s, open + 1, close);
  return firstBracketedIp(s);
}

function localPartOf(addr: string | undefined): string | undefined {
  return addr === undefined ? undefined : localPart(addr);
}
