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
import { Arrival, type MessageState } from './correlator.js';
import { findDsn, firstBracketedIp, ipIn, isDsn, secondsToMs } from './extract.js';
import { BaseParser, type ParserContext } from './parser.js';
import { domainOf, localPart, NAME_MAX } from './redact.js';
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

/** What the tag tells about a program, computed once per distinct tag. */
interface Program {
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

/** Distinct tags are few; the cap only guards against garbage input. */
const PROGRAM_CACHE_MAX = 4096;

const QUEUE_ACTIVE = '(queue active)';

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
  private readonly programs = new Map<string, Program | null>();
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
    const prog = this.program(env.program);
    if (prog === null) return 'ignored';
    // The message is read in place (from env.msgStart): every position below
    // is an index into the whole line, and no substring of it is made.
    const msg = line;
    const m0 = env.msgStart;
    const host = env.host ?? '';
    const ts = env.ts ?? this.ctx.clock.now();

    // Queue ID: 5+ alphanumerics and a colon ("NOQUEUE" included); otherwise
    // a session line (connect, disconnect, TLS...) that carries no event.
    let p = m0;
    const n = Math.min(msg.length, m0 + 24);
    while (p < n && isAlnum(msg.charCodeAt(p))) p++;
    if (p - m0 < 5 || msg.charCodeAt(p) !== 58 /* : */) return 'ignored';
    const body = msg.charCodeAt(p + 1) === 32 ? p + 2 : p + 1;
    if (p - m0 === 7 && msg.startsWith('NOQUEUE', m0)) return this.reject(msg, body, undefined, prog, env, ts, emit);
    const qid = msg.slice(m0, p);
    const corr = this.ctx.correlator;

    switch (msg.charCodeAt(body)) {
      case 116 /* t */:
        if (msg.startsWith('to=', body)) return this.status(msg, body + 3, qid, prog, env, ts, emit);
        break;
      case 99 /* c */:
        if (msg.startsWith('client=', body)) {
          const st = corr.touch(host, qid, ts);
          st.arrival = Arrival.Named;
          st.arrivalTs = ts;
          st.ingress = prog.ingress ?? (this.ingressFromClient ? this.ingressOf(prog, msg, body + 7) : undefined);
          return 'ignored';
        }
        break;
      case 117 /* u */:
        if (msg.startsWith('uid=', body)) {
          const st = corr.touch(host, qid, ts);
          st.arrival = Arrival.Named;
          st.arrivalTs = ts;
          st.ingress = 'pickup';
          return 'ignored';
        }
        break;
      case 109 /* m */:
        if (msg.startsWith('message-id=', body)) {
          const st = corr.touch(host, qid, ts);
          if (st.arrival === Arrival.None) {
            st.arrival = Arrival.Created;
            st.arrivalTs = ts;
          }
          return 'ignored';
        }
        if (msg.startsWith('milter-reject: ', body)) return this.reject(msg, body, qid, prog, env, ts, emit);
        break;
      case 102 /* f */:
        if (msg.startsWith('from=', body)) return this.qmgrFrom(msg, body, qid, env, ts, emit);
        break;
      case 114 /* r */:
        if (msg.startsWith('removed', body)) {
          corr.remove(host, qid);
          return 'ignored';
        }
        if (msg.startsWith('reject: ', body)) return this.reject(msg, body, qid, prog, env, ts, emit);
        break;
      case 115 /* s */:
      case 112 /* p */: {
        // bounce(8): "sender non-delivery notification: NEWQID" (also delivery
        // status, delay, and postmaster notifications): NEWQID is Postfix's own.
        const note = msg.indexOf('notification: ', body);
        const newId = note > 0 ? queueIdAt(msg, note + 14) : undefined;
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

  /** Resolves a tag once: null when it is not Postfix at all. */
  private program(tag: string): Program | null {
    const hit = this.programs.get(tag);
    if (hit !== undefined) return hit;
    if (this.programs.size >= PROGRAM_CACHE_MAX) this.programs.clear();
    let prog: Program | null = null;
    if (isPostfixProgram(tag)) {
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
      prog = {
        program: tag,
        service,
        component,
        ingress: pick(this.ingressFields),
        egress: pick(this.egressFields),
        isDelivery: service !== undefined && DELIVERY_SERVICES.has(service),
      };
    }
    this.programs.set(tag, prog);
    return prog;
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

  /** "to=<rcpt>, [orig_to=<..>, ]relay=R, [conn_use=N, ]delay=D, delays=.., [tls=.., ]dsn=X, status=S (reason)". */
  private status(msg: string, p: number, qid: string, prog: Program, env: Envelope, ts: number, emit: EventSink): LineOutcome {
    let rcptEnd: number;
    let rcptStart = p;
    if (msg.charCodeAt(p) === 60 /* < */) {
      rcptStart = p + 1;
      rcptEnd = msg.indexOf('>', rcptStart);
    } else {
      rcptEnd = msg.indexOf(',', p);
    }
    if (rcptEnd < 0) return 'unparsed';
    const statusAt = msg.indexOf(', status=', rcptEnd);
    if (statusAt < 0) return 'unparsed';
    const wordStart = statusAt + 9;
    let wordEnd = msg.indexOf(' ', wordStart);
    if (wordEnd < 0) wordEnd = msg.length;

    let kind: Kind;
    let expired = false;
    switch (wordEnd - wordStart) {
      case 4: // sent
        if (!msg.startsWith('sent', wordStart)) return 'unparsed';
        kind = 'delivery';
        break;
      case 7: // bounced, expired
        if (msg.startsWith('bounced', wordStart)) kind = 'bounce';
        else if (msg.startsWith('expired', wordStart)) {
          kind = 'bounce';
          expired = true;
        } else return 'unparsed';
        break;
      case 8: // deferred
        if (!msg.startsWith('deferred', wordStart)) return 'unparsed';
        kind = 'deferral';
        break;
      case 10: // SOFTBOUNCE: soft_bounce=yes turns would-be bounces into retries
        if (!msg.startsWith('SOFTBOUNCE', wordStart)) return 'unparsed';
        kind = 'deferral';
        break;
      default:
        // deliverable / undeliverable[-but-not-cached]: address-verification probes, no mail moved.
        return msg.startsWith('deliverable', wordStart) || msg.startsWith('undeliverable', wordStart) ? 'ignored' : 'unparsed';
    }

    const domain = domainOf(msg, rcptStart, rcptEnd);

    // relay=host[ip]:port | none | local | host[private/socket]
    // Fields are searched in their logged order, each from the end of the one
    // before, so no scan covers the line twice.
    let destIp: string | undefined;
    let relayHost: string | undefined;
    let fieldsAt = rcptEnd;
    const relayAt = msg.indexOf(', relay=', rcptEnd);
    if (relayAt > 0 && relayAt < statusAt) {
      const rs = relayAt + 8;
      let re = msg.indexOf(', ', rs);
      if (re < 0 || re > statusAt) re = statusAt;
      fieldsAt = re;
      const open = msg.indexOf('[', rs);
      if (open > 0 && open < re) {
        const close = msg.indexOf(']', open);
        if (close > 0 && close < re) destIp = ipIn(msg, open + 1, close);
        if (this.egressFromRelay) relayHost = msg.slice(rs, open);
      } else if (this.egressFromRelay && !(re - rs === 4 && msg.startsWith('none', rs))) {
        relayHost = msg.slice(rs, re);
      }
    }

    let delayMs = -1;
    const delayAt = msg.indexOf(', delay=', fieldsAt);
    if (delayAt > 0 && delayAt < statusAt) {
      const ds = delayAt + 8;
      let de = msg.indexOf(',', ds);
      if (de < 0 || de > statusAt) de = statusAt;
      delayMs = secondsToMs(msg, ds, de);
    }

    // dsn= comes right before status=: look back from there.
    let dsn: string | undefined;
    const dsnAt = msg.lastIndexOf(', dsn=', statusAt);
    if (dsnAt > rcptEnd) {
      const v = msg.slice(dsnAt + 6, statusAt);
      if (isDsn(v)) dsn = v;
    }

    let reason: string | undefined;
    if (kind !== 'delivery') {
      let rs = wordEnd + 1;
      let re = msg.length;
      if (msg.charCodeAt(rs) === 40 /* ( */ && msg.charCodeAt(re - 1) === 41 /* ) */) {
        rs++;
        re--;
      }
      if (rs < re) {
        const text = msg.slice(rs, re);
        // relay=none: the host we tried is only named in the reason.
        if (destIp === undefined) destIp = firstBracketedIp(text);
        reason = this.ctx.redact.reason(text, localPart(msg.slice(rcptStart, rcptEnd)));
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
      // Only what can become a name is kept: a state entry never holds a long raw string.
      if (egress !== undefined && egress.length <= NAME_MAX) st.lastEgress = egress;
      if (domain !== undefined) st.lastDomain = domain;
    }
    // "forwarded as NEWQID" (local): the new message is Postfix's own.
    if (kind === 'delivery' && prog.service === 'local') this.forwarded(msg, wordEnd, host, ts);

    const e: MailEvent = { ts, format: 'postfix', kind };
    this.putName(e, 'mta', env.host);
    this.putName(e, 'ingress', st?.ingress);
    this.putName(e, 'egress', egress);
    if (destIp !== undefined) e.destIp = destIp;
    if (domain !== undefined) e.domain = domain;
    if (dsn !== undefined) e.dsn = dsn;
    if (delayMs >= 0) e.delayMs = delayMs;
    e.queueId = qid;
    if (reason !== undefined) e.reason = reason;
    this.send(emit, e);
    return 'event';
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
  private qmgrFrom(msg: string, body: number, qid: string, env: Envelope, ts: number, emit: EventSink): LineOutcome {
    const corr = this.ctx.correlator;
    const host = env.host ?? '';
    if (msg.endsWith(QUEUE_ACTIVE)) {
      const st = corr.get(host, qid);
      // Only a message whose arrival we saw, and only once: this line repeats on every retry.
      if (st === undefined || st.arrival === Arrival.None || st.injected) return 'ignored';
      st.injected = true;
      // Written by cleanup with no smtpd, pickup or notice naming its origin: Postfix made it.
      if (st.arrival === Arrival.Created) st.ingress = 'internal';
      const e: MailEvent = { ts, format: 'postfix', kind: 'injection' };
      this.putName(e, 'mta', env.host);
      this.putName(e, 'ingress', st.ingress);
      e.queueId = qid;
      this.send(emit, e);
      return 'event';
    }
    if (msg.indexOf(', status=expired', body) > 0) {
      const st = corr.get(host, qid);
      const e: MailEvent = { ts, format: 'postfix', kind: 'bounce' };
      this.putName(e, 'mta', env.host);
      this.putName(e, 'ingress', st?.ingress);
      this.putName(e, 'egress', st?.lastEgress);
      if (st?.lastDomain !== undefined) e.domain = st.lastDomain;
      if (st !== undefined && st.arrival !== Arrival.None && ts >= st.arrivalTs) e.delayMs = ts - st.arrivalTs;
      e.queueId = qid;
      e.reason = 'expired';
      this.send(emit, e);
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
