// Postfix, from its syslog or maillog_file (postlogd) lines.
//
// A message's story is spread over several processes, keyed by queue ID:
//   smtpd   QID: client=host[ip]                      arrival, names the ingress
//   pickup  QID: uid=N from=<...>                     arrival by local submission
//   cleanup QID: message-id=...                       the message is written
//   bounce  QID: sender non-delivery notification: NEW  NEW is a Postfix-made message
//   qmgr    QID: from=<...>, size=N, nrcpt=N (queue active)   injection (repeats per retry!)
//   smtp... QID: to=<...>, relay=..., delay=..., dsn=..., status=sent|deferred|bounced
//   qmgr    QID: from=<...>, status=expired, returned to sender
//   qmgr    QID: removed
//   smtpd   NOQUEUE: reject: RCPT from host[ip]: 554 5.7.1 ...; from=<...> to=<...> ...
// Lines are told apart by their content, not only by the service in the tag:
// rsyslog's RFC 5424 output, for one, keeps just "postfix" as APP-NAME.
//
// Naming (the defaults; see options.ts for overrides): ingress is the
// syslog_name component of the smtpd that received the message
// ("postfix/elb-smtp/smtpd" -> "elb-smtp", plain "postfix/smtpd" -> "smtpd"),
// "pickup" for local submission, "internal" for messages Postfix made itself
// (bounce notices, forwards); egress is the syslog_name component of the
// delivery agent ("postfix/proxy-a/smtp" -> "proxy-a", "postfix-out1/smtp" ->
// "postfix-out1", plain "postfix/smtp" -> "smtp").

import type { Kind, MailEvent } from '../protocol/index.js';
import { asciiBytes, detach, indexOfByte, sameBytes } from './bytes.js';
import { Arrival, type MessageState } from './correlator.js';
import { findDsn, firstBracketedIp, ipIn, isDsnIn, isIPv4In, secondsToMsIn } from './extract.js';
import { BaseParser, type ParserContext } from './parser.js';
import { domainIn, domainOf, localPart, NAME_MAX } from './redact.js';
import type { Envelope, EventSink, LineOutcome } from './types.js';

export const POSTFIX_INGRESS_FIELDS = ['syslog_name', 'program', 'service', 'client'] as const;
export const POSTFIX_EGRESS_FIELDS = ['syslog_name', 'program', 'service', 'relay'] as const;

const DELIVERY_SERVICES = new Set(['smtp', 'lmtp', 'local', 'virtual', 'pipe', 'error', 'retry', 'discard']);
/** Services that identify a Postfix program even under a custom syslog_name. */
const SERVICES = new Set([
  ...DELIVERY_SERVICES,
  'smtpd', 'pickup', 'cleanup', 'qmgr', 'nqmgr', 'oqmgr', 'bounce', 'postscreen', 'qmqpd', 'master', 'anvil',
  'scache', 'showq', 'flush', 'verify', 'trivial-rewrite', 'proxymap', 'tlsmgr', 'tlsproxy', 'dnsblog',
  'postlogd', 'postsuper', 'postdrop', 'postqueue', 'sendmail', 'postfix-script', 'postmulti', 'spawn', 'postmap',
]);

/** What the tag tells about a program, computed once per distinct tag (kept in the envelope's TagNotes). */
export interface PostfixProgram {
  readonly program: string;
  /** Last path component ("smtpd"), undefined for a bare "postfix" tag. */
  readonly service: string | undefined;
  /** syslog_name component: "elb-smtp", "postfix-out1", or the service for the default name. */
  readonly component: string | undefined;
  /** Ingress or egress named from the tag alone, per the field map (undefined: depends on the line or unknown). */
  readonly ingress: string | undefined;
  readonly egress: string | undefined;
  readonly isDelivery: boolean;
}
type Program = PostfixProgram;

const SP = 32;
const COLON = 58;

// Words the dispatch compares against a line's bytes.
const NOQUEUE = asciiBytes('NOQUEUE');
const TO = asciiBytes('to=');
const CLIENT = asciiBytes('client=');
const UID = asciiBytes('uid=');
const MESSAGE_ID = asciiBytes('message-id=');
const MILTER_REJECT = asciiBytes('milter-reject: ');
const FROM = asciiBytes('from=');
const REMOVED = asciiBytes('removed');
const REJECT = asciiBytes('reject: ');
const QUEUE_ACTIVE = asciiBytes('(queue active)');
const SENT = asciiBytes('sent');
const BOUNCED = asciiBytes('bounced');
const EXPIRED = asciiBytes('expired');
const DEFERRED = asciiBytes('deferred');
const SOFTBOUNCE = asciiBytes('SOFTBOUNCE');
const DELIVERABLE = asciiBytes('deliverable');
const UNDELIVERABLE = asciiBytes('undeliverable');
const NONE = asciiBytes('none');
const RELAY_FIELD = asciiBytes(', relay=');
const DELAY_FIELD = asciiBytes(', delay=');
const DSN_FIELD = asciiBytes(', dsn=');

/** True when the bytes of `word` are at b[pos] (before `end`). */
function isAt(b: Uint8Array, pos: number, end: number, word: Uint8Array): boolean {
  return pos >= 0 && pos + word.length <= end && sameBytes(b, pos, word, word.length);
}

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** A queue ID (5 to 24 alphanumerics, short hex or long form) at `p`, standing alone, or undefined. */
function queueIdAt(s: string, p: number): string | undefined {
  let q = p;
  while (q < s.length && q - p <= 24 && isAlnum(s.charCodeAt(q))) q++;
  const n = q - p;
  return n >= 5 && n <= 24 ? s.slice(p, q) : undefined;
}

export function isPostfixProgram(program: string): boolean {
  if (program.startsWith('postfix')) return true;
  const slash = program.lastIndexOf('/');
  return slash > 0 && SERVICES.has(program.slice(slash + 1));
}

export class PostfixParser extends BaseParser {
  readonly format = 'postfix' as const;
  private readonly ingressFields: readonly string[];
  private readonly egressFields: readonly string[];
  private readonly ingressFromClient: boolean;
  private readonly egressFromRelay: boolean;

  constructor(ctx: ParserContext) {
    super(ctx);
    this.ingressFields = ctx.fields.ingress;
    this.egressFields = ctx.fields.egress;
    this.ingressFromClient = this.ingressFields.includes('client');
    this.egressFromRelay = this.egressFields.includes('relay');
  }

  protected read(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome {
    if (env === undefined || env.program === undefined) return 'unparsed';
    const notes = env.tagNotes!;
    let prog = notes.postfix;
    if (prog === undefined) prog = notes.postfix = this.program(env.program);
    if (prog === null) return 'ignored';
    // The message is read in place on the line's bytes (bytes.ts): positions
    // below are byte indexes, char i of the line being byte o + i, and only
    // values that are kept are sliced from the line.
    const b = env.bytes;
    const o = env.at;
    const e = o + line.length;
    const m0 = o + env.msgStart;
    const host = env.host ?? '';
    const ts = env.ts ?? this.ctx.clock.now();

    // Queue ID: 5+ alphanumerics and a colon ("NOQUEUE" included); otherwise
    // a session line (connect, disconnect, TLS...) that carries no event.
    let p = m0;
    const n = Math.min(e, m0 + 24);
    while (p < n && isAlnum(b[p]!)) p++;
    if (p - m0 < 5 || p >= e || b[p] !== COLON) return 'ignored';
    const body = p + 1 < e && b[p + 1] === SP ? p + 2 : p + 1;
    if (p - m0 === 7 && isAt(b, m0, e, NOQUEUE)) return this.reject(line, body - o, undefined, prog, env, ts, emit);
    const qid = line.slice(m0 - o, p - o);
    const corr = this.ctx.correlator;

    switch (body < e ? b[body] : -1) {
      case 116 /* t */:
        if (isAt(b, body, e, TO)) return this.status(line, b, o, e, body + 3, qid, prog, env, ts, emit);
        break;
      case 99 /* c */:
        if (isAt(b, body, e, CLIENT)) {
          const st = corr.touch(host, qid, ts);
          st.arrival = Arrival.Named;
          st.arrivalTs = ts;
          st.ingress = prog.ingress ?? (this.ingressFromClient ? detach(this.ingressOf(prog, line, body - o + 7)) : undefined);
          return 'ignored';
        }
        break;
      case 117 /* u */:
        if (isAt(b, body, e, UID)) {
          const st = corr.touch(host, qid, ts);
          st.arrival = Arrival.Named;
          st.arrivalTs = ts;
          st.ingress = 'pickup';
          return 'ignored';
        }
        break;
      case 109 /* m */:
        if (isAt(b, body, e, MESSAGE_ID)) {
          const st = corr.touch(host, qid, ts);
          if (st.arrival === Arrival.None) {
            st.arrival = Arrival.Created;
            st.arrivalTs = ts;
          }
          return 'ignored';
        }
        if (isAt(b, body, e, MILTER_REJECT)) return this.reject(line, body - o, qid, prog, env, ts, emit);
        break;
      case 102 /* f */:
        if (isAt(b, body, e, FROM)) return this.qmgrFrom(line, b, o, e, body, qid, env, ts, emit);
        break;
      case 114 /* r */:
        if (isAt(b, body, e, REMOVED)) {
          corr.remove(host, qid);
          return 'ignored';
        }
        if (isAt(b, body, e, REJECT)) return this.reject(line, body - o, qid, prog, env, ts, emit);
        break;
      case 115 /* s */:
      case 112 /* p */: {
        // bounce(8): "sender non-delivery notification: NEWQID" (also delivery
        // status, delay, and postmaster notifications): NEWQID is Postfix's own.
        const note = line.indexOf('notification: ', body - o);
        const newId = note > 0 ? queueIdAt(line, note + 14) : undefined;
        if (newId !== undefined) {
          const st = corr.touch(host, newId, ts);
          if (st.arrival !== Arrival.Named) {
            st.arrival = Arrival.Named;
            st.arrivalTs = ts;
          }
          st.ingress = 'internal';
          return 'ignored';
        }
        break;
      }
    }
    return 'ignored';
  }

  /** What a tag says, null when it is not Postfix at all (worked out once per distinct tag: see TagNotes). */
  private program(tag: string): Program | null {
    if (!isPostfixProgram(tag)) return null;
    const slash = tag.lastIndexOf('/');
    const service = slash > 0 ? tag.slice(slash + 1) : undefined;
    let component: string | undefined;
    if (service !== undefined) {
      const name = tag.slice(0, slash);
      component = name === 'postfix' ? service : name.startsWith('postfix/') ? name.slice(8) : name;
    }
    const pick = (fields: readonly string[]) => {
      for (const f of fields) {
        const v = f === 'syslog_name' ? component : f === 'program' ? tag : f === 'service' ? service : undefined;
        if (v !== undefined) return v;
        // A per-line field comes first: the tag cannot decide alone.
        if (f === 'client' || f === 'relay') return undefined;
      }
      return undefined;
    };
    return {
      program: tag,
      service,
      component,
      ingress: pick(this.ingressFields),
      egress: pick(this.egressFields),
      isDelivery: service !== undefined && DELIVERY_SERVICES.has(service),
    };
  }

  /** Ingress when the field map asks for the client: "host[ip]" at `from` gives the IP. */
  private ingressOf(prog: Program, msg: string, from: number): string | undefined {
    for (const f of this.ingressFields) {
      if (f === 'client') {
        const ip = firstBracketedIp(msg, from, from + 300);
        if (ip !== undefined) return ip;
      } else {
        const v = f === 'syslog_name' ? prog.component : f === 'program' ? prog.program : prog.service;
        if (v !== undefined) return v;
      }
    }
    return undefined;
  }

  private egressOf(prog: Program, relayHost: string | undefined): string | undefined {
    for (const f of this.egressFields) {
      if (f === 'relay') {
        if (relayHost !== undefined) return relayHost;
      } else {
        const v = f === 'syslog_name' ? prog.component : f === 'program' ? prog.program : prog.service;
        if (v !== undefined) return v;
      }
    }
    return undefined;
  }

  /**
   * "to=<rcpt>, [orig_to=<..>, ]relay=R, [conn_use=N, ]delay=D, delays=.., [tls=.., ]dsn=X, status=S (reason)",
   * read on the line's bytes from `p`; long searches go to String indexOf (a
   * memchr-based search in C++: faster than a byte loop beyond a few dozen bytes).
   */
  private status(
    line: string,
    b: Uint8Array,
    o: number,
    e: number,
    p: number,
    qid: string,
    prog: Program,
    env: Envelope,
    ts: number,
    emit: EventSink,
  ): LineOutcome {
    let rcptEnd: number;
    let rcptStart = p;
    if (p < e && b[p] === 60 /* < */) {
      rcptStart = p + 1;
      rcptEnd = indexOfByte(b, 62 /* > */, rcptStart, e);
    } else {
      rcptEnd = indexOfByte(b, 44 /* , */, p, e);
    }
    if (rcptEnd < 0) return 'unparsed';
    const statusRel = line.indexOf(', status=', rcptEnd - o);
    if (statusRel < 0) return 'unparsed';
    const statusAt = statusRel + o;
    const wordStart = statusAt + 9;
    let wordEnd = indexOfByte(b, SP, wordStart, e);
    if (wordEnd < 0) wordEnd = e;

    let kind: Kind;
    let expired = false;
    switch (wordEnd - wordStart) {
      case 4: // sent
        if (!isAt(b, wordStart, e, SENT)) return 'unparsed';
        kind = 'delivery';
        break;
      case 7: // bounced, expired
        if (isAt(b, wordStart, e, BOUNCED)) kind = 'bounce';
        else if (isAt(b, wordStart, e, EXPIRED)) {
          kind = 'bounce';
          expired = true;
        } else return 'unparsed';
        break;
      case 8: // deferred
        if (!isAt(b, wordStart, e, DEFERRED)) return 'unparsed';
        kind = 'deferral';
        break;
      case 10: // SOFTBOUNCE: soft_bounce=yes turns would-be bounces into retries
        if (!isAt(b, wordStart, e, SOFTBOUNCE)) return 'unparsed';
        kind = 'deferral';
        break;
      default:
        // deliverable / undeliverable[-but-not-cached]: address-verification probes, no mail moved.
        return isAt(b, wordStart, e, DELIVERABLE) || isAt(b, wordStart, e, UNDELIVERABLE) ? 'ignored' : 'unparsed';
    }

    const domain = domainIn(line, b, o, rcptStart, rcptEnd);

    // relay=host[ip]:port | none | local | host[private/socket]
    // Fields are searched in their logged order, each from the end of the one
    // before (where the next one usually starts), so no scan covers the line twice.
    let destIp: string | undefined;
    let relayHost: string | undefined;
    let fieldsAt = rcptEnd;
    const relayAt = this.field(line, b, o, e, RELAY_FIELD, ', relay=', rcptEnd);
    if (relayAt > 0 && relayAt < statusAt) {
      const rs = relayAt + 8;
      // ", " ends the value; the one of ", status=" at the latest.
      let re = rs;
      while (!(b[re] === 44 && b[re + 1] === SP)) re++;
      fieldsAt = re;
      const open = indexOfByte(b, 91 /* [ */, rs, re);
      if (open > 0) {
        const close = indexOfByte(b, 93 /* ] */, open, re);
        if (close > 0) destIp = close - open - 1 <= 15 && isIPv4In(b, open + 1, close) ? line.slice(open + 1 - o, close - o) : ipIn(line, open + 1 - o, close - o);
        if (this.egressFromRelay) relayHost = line.slice(rs - o, open - o);
      } else if (this.egressFromRelay && !(re - rs === 4 && isAt(b, rs, e, NONE))) {
        relayHost = line.slice(rs - o, re - o);
      }
    }

    let delayMs = -1;
    const delayAt = this.field(line, b, o, e, DELAY_FIELD, ', delay=', fieldsAt);
    if (delayAt > 0 && delayAt < statusAt) {
      const ds = delayAt + 8;
      // statusAt holds a comma: the scan stops there at the latest.
      const de = indexOfByte(b, 44 /* , */, ds, statusAt + 1);
      delayMs = secondsToMsIn(b, ds, de);
    }

    // dsn= comes right before status=: look back from there.
    let dsn: string | undefined;
    let dsnAt = statusAt - 1;
    while (dsnAt > rcptEnd && !isAt(b, dsnAt, e, DSN_FIELD)) dsnAt--;
    if (dsnAt > rcptEnd && isDsnIn(b, dsnAt + 6, statusAt)) dsn = line.slice(dsnAt + 6 - o, statusAt - o);

    let reason: string | undefined;
    if (kind !== 'delivery') {
      let rs = wordEnd + 1;
      let re = e;
      if (rs < e && b[rs] === 40 /* ( */ && b[re - 1] === 41 /* ) */) {
        rs++;
        re--;
      }
      if (rs < re) {
        const text = line.slice(rs - o, re - o);
        // relay=none: the host we tried is only named in the reason.
        if (destIp === undefined) destIp = firstBracketedIp(text);
        reason = this.ctx.redact.reason(text, localPart(line.slice(rcptStart - o, rcptEnd - o)));
      }
      if (expired) reason = 'expired';
    }

    const corr = this.ctx.correlator;
    const host = env.host ?? '';
    let st: MessageState | undefined = corr.get(host, qid);
    // Remember the attempt so an expiry can name the egress it last tried.
    if (st === undefined && kind === 'deferral') st = corr.touch(host, qid, ts);
    // Recipients of a destination marked dead are deferred by qmgr itself or
    // handed to the retry service (the error agent): neither is the way out
    // the mail would have taken, which is the transport tried last, if any.
    const standIn = kind === 'deferral' && (prog.service === 'error' || prog.service === 'retry');
    let egress = (prog.isDelivery && !standIn) || relayHost !== undefined ? prog.egress ?? this.egressOf(prog, relayHost) : undefined;
    if (egress === undefined && st !== undefined) egress = st.lastEgress;
    if (st !== undefined) {
      // Only what can become a name is kept: a state entry never holds a long
      // raw string, nor a slice of the line's chunk.
      if (egress !== undefined && egress.length <= NAME_MAX && egress !== st.lastEgress) st.lastEgress = detach(egress);
      if (domain !== undefined && domain !== st.lastDomain) st.lastDomain = detach(domain);
    }
    // "forwarded as NEWQID" (local): the new message is Postfix's own.
    if (kind === 'delivery' && prog.service === 'local') this.forwarded(line, wordEnd - o, host, ts);

    // Fields are set by name, one store site each: a shared e[key] store sees
    // every event shape and goes megamorphic (Builtins_KeyedStoreIC_Megamorphic,
    // 1.7% of the parse bench's CPU samples).
    const e2: MailEvent = { ts, format: 'postfix', kind };
    const mta = this.nameOf(env.host);
    if (mta !== undefined) e2.mta = mta;
    const ingress = this.nameOf(st?.ingress);
    if (ingress !== undefined) e2.ingress = ingress;
    const out = this.nameOf(egress);
    if (out !== undefined) e2.egress = out;
    if (destIp !== undefined) e2.destIp = destIp;
    if (domain !== undefined) e2.domain = domain;
    if (dsn !== undefined) e2.dsn = dsn;
    if (delayMs >= 0) e2.delayMs = delayMs;
    e2.queueId = qid;
    if (reason !== undefined) e2.reason = reason;
    this.send(emit, e2);
    return 'event';
  }

  /** Where `word` (", key=") first starts at or after `from`: it usually starts right there. */
  private field(line: string, b: Uint8Array, o: number, e: number, word: Uint8Array, text: string, from: number): number {
    if (isAt(b, from, e, word)) return from;
    if (isAt(b, from + 1, e, word)) return from + 1;
    const at = line.indexOf(text, from - o);
    return at < 0 ? -1 : at + o;
  }

  private forwarded(msg: string, from: number, host: string, ts: number): void {
    const at = msg.indexOf('forwarded as ', from);
    const newId = at < 0 ? undefined : queueIdAt(msg, at + 13);
    if (newId === undefined) return;
    const st = this.ctx.correlator.touch(host, newId, ts);
    st.arrival = Arrival.Named;
    st.arrivalTs = ts;
    st.ingress = 'internal';
  }

  /** qmgr "from=<..>, size=N, nrcpt=N (queue active)" or "from=<..>, status=expired, returned to sender". */
  private qmgrFrom(
    line: string,
    b: Uint8Array,
    o: number,
    e: number,
    body: number,
    qid: string,
    env: Envelope,
    ts: number,
    emit: EventSink,
  ): LineOutcome {
    const corr = this.ctx.correlator;
    const host = env.host ?? '';
    if (e - QUEUE_ACTIVE.length >= o && isAt(b, e - QUEUE_ACTIVE.length, e, QUEUE_ACTIVE)) {
      const st = corr.get(host, qid);
      // Only a message whose arrival we saw, and only once: this line repeats on every retry.
      if (st === undefined || st.arrival === Arrival.None || st.injected) return 'ignored';
      st.injected = true;
      // Written by cleanup with no smtpd, pickup or notice naming its origin: Postfix made it.
      if (st.arrival === Arrival.Created) st.ingress = 'internal';
      const ev: MailEvent = { ts, format: 'postfix', kind: 'injection' };
      const mta = this.nameOf(env.host);
      if (mta !== undefined) ev.mta = mta;
      const ingress = this.nameOf(st.ingress);
      if (ingress !== undefined) ev.ingress = ingress;
      ev.queueId = qid;
      this.send(emit, ev);
      return 'event';
    }
    if (line.indexOf(', status=expired', body - o) > 0) {
      const st = corr.get(host, qid);
      const ev: MailEvent = { ts, format: 'postfix', kind: 'bounce' };
      this.putName(ev, 'mta', env.host);
      this.putName(ev, 'ingress', st?.ingress);
      this.putName(ev, 'egress', st?.lastEgress);
      if (st?.lastDomain !== undefined) ev.domain = st.lastDomain;
      if (st !== undefined && st.arrival !== Arrival.None && ts >= st.arrivalTs) ev.delayMs = ts - st.arrivalTs;
      ev.queueId = qid;
      ev.reason = 'expired';
      this.send(emit, ev);
      return 'event';
    }
    return 'ignored';
  }

  /**
   * smtpd/postscreen "NOQUEUE: reject: RCPT from host[ip]: 554 5.7.1 <..>: text; from=<..> to=<..> proto=.. helo=<..>",
   * milter-reject likewise, cleanup "QID: reject: header ... from host[ip]; from=<..> to=<..> ...: 5.7.1 text".
   */
  private reject(
    msg: string,
    body: number,
    qid: string | undefined,
    prog: Program,
    env: Envelope,
    ts: number,
    emit: EventSink,
  ): LineOutcome {
    const verb = msg.indexOf(': ', body);
    if (verb < 0) return 'unparsed';
    const action = msg.slice(body, verb);
    // reject_warning, warn, hold, filter, discard...: the message was not refused.
    if (action !== 'reject' && action !== 'milter-reject') return 'ignored';
    const stageStart = verb + 2;
    const fromAt = msg.indexOf(' from ', stageStart);
    const lastFrom = msg.lastIndexOf('from=<');
    const toAt = lastFrom >= 0 ? msg.indexOf('to=<', lastFrom) : -1;
    let rcptStart = -1;
    let rcptEnd = -1;
    if (toAt >= 0) {
      rcptStart = toAt + 4;
      rcptEnd = msg.indexOf('>', rcptStart);
    }
    // Reason: after "host[ip]: " up to "; from=<", or the tail after "helo=<..>: " (cleanup).
    let reasonText: string | undefined;
    const heloAt = lastFrom >= 0 ? msg.indexOf('helo=<', lastFrom) : -1;
    const heloEnd = heloAt >= 0 ? msg.indexOf('>: ', heloAt) : -1;
    if (heloEnd >= 0) {
      reasonText = msg.slice(heloEnd + 3);
    } else if (fromAt >= 0) {
      const clientEnd = msg.indexOf(': ', fromAt + 6);
      const semi = lastFrom >= 2 ? lastFrom - 2 : msg.length;
      if (clientEnd >= 0 && clientEnd < semi) reasonText = msg.slice(clientEnd + 2, semi);
    }
    const rcpt = rcptEnd > rcptStart ? msg.slice(rcptStart, rcptEnd) : undefined;
    const sender = lastFrom >= 0 ? msg.slice(lastFrom + 6, Math.max(lastFrom + 6, msg.indexOf('>', lastFrom))) : undefined;

    const host = env.host ?? '';
    const st = qid !== undefined ? this.ctx.correlator.get(host, qid) : undefined;
    let ingress: string | undefined;
    if (prog.service === 'cleanup') ingress = st?.ingress;
    else ingress = prog.ingress ?? (this.ingressFromClient ? this.ingressOf(prog, msg, fromAt >= 0 ? fromAt : stageStart) : undefined);
    // Refused after DATA: the queue file is dropped without a "removed" line.
    if (qid !== undefined && !msg.startsWith('RCPT', stageStart)) this.ctx.correlator.remove(host, qid);

    const e: MailEvent = { ts, format: 'postfix', kind: 'rejection' };
    this.putName(e, 'mta', env.host);
    this.putName(e, 'ingress', ingress);
    if (rcpt !== undefined) {
      const domain = domainOf(rcpt);
      if (domain !== undefined) e.domain = domain;
    }
    if (reasonText !== undefined) {
      const dsn = findDsn(reasonText);
      if (dsn !== undefined) e.dsn = dsn;
      const reason = this.ctx.redact.reason(
        reasonText,
        rcpt !== undefined ? localPart(rcpt) : undefined,
        sender !== undefined ? localPart(sender) : undefined,
      );
      if (reason !== undefined) e.reason = reason;
    }
    if (qid !== undefined) e.queueId = qid;
    this.send(emit, e);
    return 'event';
  }
}
