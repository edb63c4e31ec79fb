// Exim mainlog, read from the file or from syslog (tag "exim"/"exim4"):
//   DATE TIME[.mmm] [+zzzz] [[pid]] MSGID FLAG ADDRESS [<orig>|(parent)] TAG=value... [: error]
// Flags: <= arrival (injection), => and -> and >> delivery, == deferral,
// ** bounce (including "retry timeout exceeded", Exim's expiry); "Completed"
// ends the message. Lines without a message ID matter only when they refuse
// a recipient ("H=... rejected RCPT <...>: ..."), which is a rejection.
//
// Which log_selector options were on changes which tags appear and where the
// error text starts (": " after the last tag, " : " on older ** lines, with
// DT= sometimes after it), so tags are scanned, never assumed by position.
//
// Naming (defaults; see options.ts): ingress is the listener interface
// (I=[ip]:port on <= lines, with +incoming_interface) else the protocol
// (P=: smtp, esmtps, local...), and "internal" for bounce messages Exim makes
// (<= <> R=parent); egress is the transport (T=).

import type { Kind, MailEvent } from '../protocol/index.js';
import { Arrival } from './correlator.js';
import { detach } from './bytes.js';
import { findDsn, firstBracketedIp, lastBracketedIp } from './extract.js';
import { BaseParser } from './parser.js';
import { domainOf, localPart, NAME_MAX } from './redact.js';
import { digitsAt, validDate } from './time.js';
import type { Envelope, EventSink, LineOutcome } from './types.js';

export const EXIM_INGRESS_FIELDS = ['interface', 'protocol', 'host'] as const;
export const EXIM_EGRESS_FIELDS = ['transport', 'interface', 'router', 'host'] as const;

const SP = 32;

/** Tag spans found on one line; reused, so parsing a line allocates only what it keeps. */
interface Tags {
  H: [number, number];
  I: [number, number];
  P: [number, number];
  R: [number, number];
  T: [number, number];
  C: [number, number];
  QT: [number, number];
  /** Start of the error text (after ": "), or -1. */
  error: number;
  /** End of the fields part. */
  end: number;
}

function emptyTags(): Tags {
  return { H: [-1, -1], I: [-1, -1], P: [-1, -1], R: [-1, -1], T: [-1, -1], C: [-1, -1], QT: [-1, -1], error: -1, end: -1 };
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** Length of an Exim message ID at `p` (16-char classic or 23-char 4.97+ form), or 0. */
export function eximIdLength(s: string, p: number): number {
  let i = p;
  while (i - p < 6 && isAlnum(s.charCodeAt(i))) i++;
  if (i - p !== 6 || s.charCodeAt(i) !== 45) return 0;
  const b = ++i;
  while (i - b < 11 && isAlnum(s.charCodeAt(i))) i++;
  if (i - b < 6 || s.charCodeAt(i) !== 45) return 0;
  const c = ++i;
  while (i - c < 4 && isAlnum(s.charCodeAt(i))) i++;
  if (i - c < 2 || isAlnum(s.charCodeAt(i))) return 0;
  return i - p;
}

/** Exim durations: "2s", "0.032s", "1m5s", "2h", "1d3h", "1w" -> ms, or -1. */
export function eximDurationMs(s: string, from: number, to: number): number {
  let total = 0;
  let p = from;
  while (p < to) {
    let v = 0;
    const start = p;
    while (p < to && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) v = v * 10 + s.charCodeAt(p++) - 48;
    if (p < to && s.charCodeAt(p) === 46) {
      p++;
      let scale = 0.1;
      while (p < to && s.charCodeAt(p) >= 48 && s.charCodeAt(p) <= 57) {
        v += (s.charCodeAt(p++) - 48) * scale;
        scale /= 10;
      }
    }
    if (p === start || p >= to) return -1;
    const unit = s.charCodeAt(p++);
    const mult = unit === 115 ? 1e3 : unit === 109 ? 6e4 : unit === 104 ? 3.6e6 : unit === 100 ? 8.64e7 : unit === 119 ? 6.048e8 : -1;
    if (mult < 0) return -1;
    total += v * mult;
  }
  return p === from ? -1 : Math.round(total);
}

export class EximParser extends BaseParser {
  readonly format = 'exim' as const;
  private readonly tags = emptyTags();
  /** The last timestamp's first 19 characters and their epoch ms (the same second repeats). */
  private tsKey = '';
  private tsMs = 0;
  /** Epoch ms of the timestamp just read. */
  private tsOut = 0;

  protected read(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome {
    let s = line;
    let ts: number;
    let p: number;
    if (env !== undefined) {
      // Through syslog: "exim[pid]: [DATE TIME ]..." (syslog_timestamp may keep Exim's own).
      if (env.program === undefined || !env.program.startsWith('exim')) return env.program === undefined ? 'unparsed' : 'ignored';
      s = env.msg;
      p = this.timestamp(s);
      if (p < 0) {
        ts = env.ts ?? this.ctx.clock.now();
        p = 0;
      } else {
        ts = this.tsOut;
      }
    } else {
      p = this.timestamp(s);
      // An indented line continues a multi-line entry (" Suggested action: ...").
      if (p < 0) return s.charCodeAt(0) === SP ? 'ignored' : 'unparsed';
      ts = this.tsOut;
    }
    // [pid] (log_selector +pid)
    if (s.charCodeAt(p) === 91) {
      const close = s.indexOf('] ', p);
      if (close < 0 || close - p > 12) return 'unparsed';
      p = close + 2;
    }
    const idLen = eximIdLength(s, p);
    if (idLen === 0) return this.noMessage(s, p, env, ts, emit);
    const id = s.slice(p, p + idLen);
    p += idLen + 1;
    const f0 = s.charCodeAt(p);
    const f1 = s.charCodeAt(p + 1);
    if (s.charCodeAt(p + 2) !== SP) {
      if (s.startsWith('Completed', p)) {
        this.ctx.correlator.remove(env?.host ?? '', id);
      } else if (f0 === 72 && f1 === 61) {
        // "H=host [ip]:port Connection refused": the host the next == / ** line failed on.
        const st = this.ctx.correlator.get(env?.host ?? '', id);
        if (st !== undefined) st.attemptIp = detach(firstBracketedIp(s, p));
      }
      return 'ignored';
    }
    let kind: Kind;
    if (f0 === 60 && f1 === 61) return this.arrival(s, p + 3, id, env, ts, emit); // <=
    else if ((f0 === 61 || f0 === 45 || f0 === 62) && f1 === 62) kind = 'delivery'; // => -> >>
    else if (f0 === 61 && f1 === 61) kind = 'deferral'; // ==
    else if (f0 === 42 && f1 === 42) kind = 'bounce'; // **
    else return 'ignored'; // *> (-N, not sent), (= (fakereject)
    return this.attempt(s, p + 3, id, kind, env, ts, emit);
  }

  /** "YYYY-MM-DD HH:MM:SS[.mmm][ +zzzz] " at 0: index after it (tsOut set), or -1. */
  private timestamp(s: string): number {
    if (s.charCodeAt(4) !== 45 || s.charCodeAt(10) !== SP || s.charCodeAt(13) !== 58) return -1;
    let base: number;
    if (this.tsKey !== '' && s.startsWith(this.tsKey)) {
      base = this.tsMs;
    } else {
      const y = digitsAt(s, 0, 4);
      const mo = digitsAt(s, 5, 2) - 1;
      const d = digitsAt(s, 8, 2);
      const h = digitsAt(s, 11, 2);
      const mi = digitsAt(s, 14, 2);
      const sec = digitsAt(s, 17, 2);
      if (!validDate(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60) return -1;
      if (s.charCodeAt(7) !== 45 || s.charCodeAt(16) !== 58) return -1;
      base = this.ctx.clock.toEpoch(y, mo, d, h, mi, sec);
      this.tsKey = detach(s.slice(0, 19));
      this.tsMs = base;
    }
    let p = 19;
    let ms = 0;
    if (s.charCodeAt(p) === 46) {
      const v = digitsAt(s, p + 1, 3);
      if (v < 0) return -1;
      ms = v;
      p += 4;
    }
    if (s.charCodeAt(p) !== SP) return -1;
    p++;
    // log_timezone: "+0100" after the time; the wall clock was in that zone, not ours.
    const z = s.charCodeAt(p);
    if ((z === 43 || z === 45) && s.charCodeAt(p + 5) === SP) {
      const hh = digitsAt(s, p + 1, 2);
      const mm = digitsAt(s, p + 3, 2);
      if (hh >= 0 && mm >= 0) {
        const y = digitsAt(s, 0, 4);
        const utc = Date.UTC(y, digitsAt(s, 5, 2) - 1, digitsAt(s, 8, 2), digitsAt(s, 11, 2), digitsAt(s, 14, 2), digitsAt(s, 17, 2));
        this.tsOut = Math.max(0, utc - (z === 43 ? 1 : -1) * (hh * 60 + mm) * 60_000 + ms);
        return p + 6;
      }
    }
    this.tsOut = base + ms;
    return p;
  }

  /**
   * Scans "TAG=value" fields from `p`: quoted values may hold spaces, H= runs
   * on over "(helo)" and "[ip]:port" words, and the error text starts after
   * a token ending in ':' (or a lone ':').
   */
  private scan(s: string, p: number): Tags {
    const t = this.tags;
    t.H[0] = t.I[0] = t.P[0] = t.R[0] = t.T[0] = t.C[0] = t.QT[0] = -1;
    t.error = -1;
    t.end = s.length;
    let open: [number, number] | undefined; // the multi-word H= value being extended
    const n = s.length;
    while (p < n) {
      while (s.charCodeAt(p) === SP) p++;
      if (p >= n) break;
      const start = p;
      // A tag: letters/digits then '='.
      let q = p;
      while (q < n && q - p < 8 && isAlnum(s.charCodeAt(q))) q++;
      let span: [number, number] | undefined;
      let valueStart = -1;
      if (q > p && s.charCodeAt(q) === 61) {
        valueStart = q + 1;
        span = this.tagSpan(s, p, q);
        open = undefined;
      }
      let end: number;
      if (valueStart >= 0 && s.charCodeAt(valueStart) === 34) {
        // Quoted, with \" escapes; Exim may truncate C= without closing it.
        end = valueStart + 1;
        while (end < n) {
          const c = s.charCodeAt(end);
          if (c === 92) end += 2;
          else if (c === 34) break;
          else end++;
        }
        end = Math.min(end + 1, n);
      } else {
        end = s.indexOf(' ', p);
        if (end < 0) end = n;
      }
      const last = s.charCodeAt(end - 1);
      const errorHere = last === 58 && (end === n || s.charCodeAt(end) === SP);
      const valueEnd = errorHere ? end - 1 : end;
      if (span !== undefined) {
        span[0] = valueStart;
        span[1] = valueEnd;
        if (span === t.H) open = span;
      } else if (open !== undefined && valueStart < 0) {
        open[1] = valueEnd;
      }
      if (errorHere) {
        t.end = valueEnd === start ? start : valueEnd;
        t.error = end + 1 <= n ? end + 1 : n;
        return t;
      }
      p = end;
    }
    return t;
  }

  private tagSpan(s: string, p: number, eq: number): [number, number] | undefined {
    const t = this.tags;
    if (eq - p === 1) {
      switch (s.charCodeAt(p)) {
        case 72: return t.H;
        case 73: return t.I;
        case 80: return t.P;
        case 82: return t.R;
        case 84: return t.T;
        case 67: return t.C;
      }
    } else if (eq - p === 2 && s.charCodeAt(p) === 81 && s.charCodeAt(p + 1) === 84) {
      return t.QT;
    }
    return undefined;
  }

  /** Address token at `p` ("user@dom", "<>", "|/pipe"), then optional "<orig>" / "(parent)"; returns the index after. */
  private address(s: string, p: number): { start: number; end: number; next: number } {
    let end = s.indexOf(' ', p);
    if (end < 0) end = s.length;
    let next = end;
    // "marv <marv@hitch.example>" / "userx (parent)": original address or parent.
    const c = s.charCodeAt(end + 1);
    if (end < s.length && (c === 60 || c === 40)) {
      const close = s.indexOf(c === 60 ? '>' : ')', end + 1);
      if (close > 0) next = close + 1;
    }
    return { start: p, end, next };
  }

  private arrival(s: string, p: number, id: string, env: Envelope | undefined, ts: number, emit: EventSink): LineOutcome {
    const addr = this.address(s, p);
    const t = this.scan(s, addr.next);
    const host = env?.host ?? '';
    const st = this.ctx.correlator.touch(host, id, ts);
    st.arrival = Arrival.Named;
    st.arrivalTs = ts;
    const nullSender = addr.end - addr.start === 2 && s.startsWith('<>', addr.start);
    let ingress: string | undefined;
    // A bounce message Exim generated: "<= <> R=parent-id U=Debian-exim P=local".
    if (nullSender && t.R[0] >= 0 && t.H[0] < 0) ingress = 'internal';
    else ingress = this.pick(this.ctx.fields.ingress, s, t, true);
    st.ingress = ingress !== undefined && ingress.length <= NAME_MAX ? detach(ingress) : undefined;
    if (st.injected) return 'ignored';
    st.injected = true;
    const e: MailEvent = { ts, format: 'exim', kind: 'injection' };
    this.putName(e, 'mta', env?.host);
    this.putName(e, 'ingress', ingress);
    e.queueId = id;
    this.send(emit, e);
    return 'event';
  }

  /** The first mapped field present: interface, protocol, host (remote IP), transport, router. */
  private pick(fields: readonly string[], s: string, t: Tags, arrival: boolean): string | undefined {
    for (const f of fields) {
      let v: string | undefined;
      switch (f) {
        case 'interface':
          if (t.I[0] >= 0) {
            // Listener: "[ip]:port" is its identity; outgoing: the port is ephemeral, keep the IP.
            const ip = firstBracketedIp(s, t.I[0], t.I[1]);
            v = arrival ? s.slice(t.I[0], t.I[1]) : ip;
          }
          break;
        case 'protocol':
          if (arrival && t.P[0] >= 0) v = s.slice(t.P[0], t.P[1]);
          break;
        case 'host':
          if (t.H[0] >= 0) v = lastBracketedIp(s, t.H[0], t.H[1]);
          break;
        case 'transport':
          if (t.T[0] >= 0 && !arrival) v = s.slice(t.T[0], t.T[1]);
          break;
        case 'router':
          if (t.R[0] >= 0 && !arrival) v = s.slice(t.R[0], t.R[1]);
          break;
      }
      if (v !== undefined && v !== '') return v;
    }
    return undefined;
  }

  private attempt(
    s: string,
    p: number,
    id: string,
    kind: Kind,
    env: Envelope | undefined,
    ts: number,
    emit: EventSink,
  ): LineOutcome {
    const addr = this.address(s, p);
    let addrEnd = addr.end;
    let t: Tags;
    if (s.charCodeAt(addrEnd - 1) === 58) {
      // "** user@x: retry timeout exceeded": the error follows the address itself.
      addrEnd--;
      t = this.scan(s, s.length);
      t.error = Math.min(addr.end + 1, s.length);
    } else if (s.charCodeAt(addr.next) === 58) {
      // "** jim@x <jim@x>: unknown mail domain"
      t = this.scan(s, s.length);
      t.error = Math.min(addr.next + 2, s.length);
    } else {
      t = this.scan(s, addr.next);
    }
    let domain = domainOf(s, addr.start, addrEnd);
    if (domain === undefined && addr.next > addr.end) domain = domainOf(s, addr.end + 1, addr.next);

    let destIp = t.H[0] >= 0 ? lastBracketedIp(s, t.H[0], t.H[1]) : undefined;
    let reason: string | undefined;
    let dsn: string | undefined;
    if (kind === 'delivery') {
      if (t.C[0] >= 0) dsn = findDsn(s, t.C[0], t.C[1]);
    } else if (t.error >= 0) {
      let errEnd = s.length;
      // DT=/QT= may follow the error text (+deliver_time on ** lines).
      for (;;) {
        const sp = s.lastIndexOf(' ', errEnd - 1);
        if (sp <= t.error || !(s.startsWith('DT=', sp + 1) || s.startsWith('QT=', sp + 1))) break;
        errEnd = sp;
      }
      const text = s.slice(t.error, errEnd);
      if (destIp === undefined) destIp = firstBracketedIp(text);
      dsn = findDsn(text);
      reason = this.ctx.redact.reason(text, localPart(s.slice(addr.start, addrEnd)));
    }

    const corr = this.ctx.correlator;
    const host = env?.host ?? '';
    let st = corr.get(host, id);
    if (st === undefined && kind === 'deferral') st = corr.touch(host, id, ts);
    let egress = this.pick(this.ctx.fields.egress, s, t, false);
    // "** x: retry timeout exceeded" names no transport: the one tried last.
    if (egress === undefined && st !== undefined) egress = st.lastEgress;
    if (st !== undefined) {
      if (egress !== undefined && egress.length <= NAME_MAX) st.lastEgress = detach(egress);
      if (domain !== undefined) st.lastDomain = detach(domain);
    }
    if (st !== undefined) {
      if (destIp === undefined && kind !== 'delivery') destIp = st.attemptIp;
      st.attemptIp = undefined;
    }
    let delayMs = t.QT[0] >= 0 ? eximDurationMs(s, t.QT[0], t.QT[1]) : -1;
    if (delayMs < 0 && st !== undefined && st.arrival !== Arrival.None && ts >= st.arrivalTs) delayMs = ts - st.arrivalTs;

    const e: MailEvent = { ts, format: 'exim', kind };
    this.putName(e, 'mta', env?.host);
    this.putName(e, 'ingress', st?.ingress);
    this.putName(e, 'egress', egress);
    if (destIp !== undefined) e.destIp = destIp;
    if (domain !== undefined) e.domain = domain;
    if (dsn !== undefined) e.dsn = dsn;
    if (delayMs >= 0) e.delayMs = delayMs;
    e.queueId = id;
    if (reason !== undefined) e.reason = reason;
    this.send(emit, e);
    return 'event';
  }

  /** Lines with no message ID: only "... rejected RCPT|MAIL <addr>: reason" and "rejected after DATA" carry an event. */
  private noMessage(s: string, p: number, env: Envelope | undefined, ts: number, emit: EventSink): LineOutcome {
    const rej = s.indexOf(' rejected ', p);
    if (rej < 0) return 'ignored';
    const what = rej + 10;
    const rcpt = s.startsWith('RCPT ', what);
    if (!rcpt && !s.startsWith('MAIL ', what) && !s.startsWith('after DATA', what)) return 'ignored';
    const t = this.scan(s.slice(0, rej), p);
    let domain: string | undefined;
    let local: string | undefined;
    let reasonAt = s.indexOf(': ', what);
    if (rcpt) {
      const a = what + 5;
      const end = s.charCodeAt(a) === 60 ? s.indexOf('>', a) + 1 : s.indexOf(':', a);
      if (end > a) {
        domain = domainOf(s, a, end);
        local = localPart(s.slice(a, end));
        reasonAt = s.indexOf(': ', end - 1);
      }
    }
    const ingress = this.pick(this.ctx.fields.ingress, s, t, true);
    const e: MailEvent = { ts, format: 'exim', kind: 'rejection' };
    this.putName(e, 'mta', env?.host);
    this.putName(e, 'ingress', ingress);
    if (domain !== undefined) e.domain = domain;
    if (reasonAt > 0) {
      const text = s.slice(reasonAt + 2);
      const dsn = findDsn(text);
      if (dsn !== undefined) e.dsn = dsn;
      const reason = this.ctx.redact.reason(text, local);
      if (reason !== undefined) e.reason = reason;
    }
    this.send(emit, e);
    return 'event';
  }
}
