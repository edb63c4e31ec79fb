// SparkPost webhooks and Momentum events, one JSON text per line: a webhook
// batch (an array of {"msys": {"<envelope>": {...}}}), one such record, or a
// bare event object ({"type": "delivery", ...}, as the Events API and
// Momentum's ingest format write them). Everything may be a string
// ("timestamp": "1496154610", "queue_time": "366").
//
// injection/reception -> injection; delivery -> delivery; delay -> deferral;
// bounce/inband/out_of_band -> bounce (bounce_class named in the reason);
// policy_rejection/generation_* -> rejection (refused before queueing).
// Engagement, unsubscribe and relay events are not mail flow: ignored.
//
// Naming (defaults; see options.ts): ingress = recv_method (esmtp, rest...),
// egress = binding, else sending_ip, else ip_pool; any event key may be
// configured instead.

import type { Kind, MailEvent } from '../protocol/index.js';
import { findDsn, ipIn } from './extract.js';
import { BaseParser } from './parser.js';
import { domainOf, localPart } from './redact.js';
import { MAX_TS } from './time.js';
import type { Envelope, EventSink, LineOutcome } from './types.js';

const KIND_OF: Readonly<Record<string, Kind>> = {
  injection: 'injection',
  reception: 'injection',
  delivery: 'delivery',
  delay: 'deferral',
  bounce: 'bounce',
  inband: 'bounce',
  out_of_band: 'bounce',
  outofband: 'bounce',
  policy_rejection: 'rejection',
  generation_rejection: 'rejection',
  generation_failure: 'rejection',
};

/** SparkPost / Momentum bounce classification codes. */
const BOUNCE_CLASSES: Readonly<Record<string, string>> = {
  '1': 'Undetermined',
  '10': 'Invalid Recipient',
  '20': 'Soft Bounce',
  '21': 'DNS Failure',
  '22': 'Mailbox Full',
  '23': 'Too Large',
  '24': 'Timeout',
  '25': 'Admin Failure',
  '26': 'Smart Send Suppression',
  '30': 'Generic Bounce: No RCPT',
  '40': 'Generic Bounce',
  '50': 'Mail Block',
  '51': 'Spam Block',
  '52': 'Spam Content',
  '53': 'Prohibited Attachment',
  '54': 'Relaying Denied',
  '60': 'Auto-Reply',
  '70': 'Transient Failure',
  '80': 'Subscribe',
  '90': 'Unsubscribe',
  '100': 'Challenge-Response',
};

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** A string or number field as a trimmed, non-empty string. */
function str(o: Json, key: string): string | undefined {
  const v = o[key];
  if (typeof v === 'string') {
    const t = v.trim();
    return t === '' ? undefined : t;
  }
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

/** Epoch seconds (string or number, fraction allowed) or an ISO 8601 string -> epoch ms. */
export function parseEventTime(v: unknown): number | undefined {
  let t: number;
  if (typeof v === 'number') t = v * 1000;
  else if (typeof v !== 'string' || v === '') return undefined;
  else if (/^\d+(\.\d+)?$/.test(v)) t = Number(v) * 1000;
  else t = Date.parse(v);
  return Number.isFinite(t) && t >= 0 && t < MAX_TS ? Math.round(t) : undefined;
}

export class SparkPostParser extends BaseParser {
  readonly format = 'sparkpost' as const;

  protected read(line: string, env: Envelope | undefined, emit: EventSink): LineOutcome {
    const text = env !== undefined ? env.msg : line;
    const c = text.charCodeAt(0);
    if (c !== 123 && c !== 91) return 'unparsed';
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      return 'unparsed';
    }
    const records = Array.isArray(doc) ? doc : [doc];
    let events = 0;
    let seen = 0;
    for (const r of records) {
      // {"msys": {}} is the webhook test ping: recognised, no event.
      if (isObject(r) && (isObject(r.msys) || typeof r.type === 'string')) seen++;
      const ev = eventOf(r);
      if (ev === undefined) continue;
      const e = this.toEvent(ev, env);
      if (e !== undefined) {
        this.send(emit, e);
        events++;
      }
    }
    if (events > 0) return 'event';
    return seen > 0 || (records.length === 0 && Array.isArray(doc)) ? 'ignored' : 'unparsed';
  }

  private toEvent(ev: Json, env: Envelope | undefined): MailEvent | undefined {
    const type = typeof ev.type === 'string' ? ev.type : '';
    const kind = Object.hasOwn(KIND_OF, type) ? KIND_OF[type] : undefined;
    if (kind === undefined) return undefined;
    const ts = parseEventTime(ev.timestamp) ?? env?.ts ?? this.ctx.clock.now();
    const redact = this.ctx.redact;
    const e: MailEvent = { ts, format: 'sparkpost', kind };
    const mta = str(ev, 'node_name') ?? env?.host;
    this.putName(e, 'mta', mta);
    const ingress = this.pick(ev, this.ctx.fields.ingress);
    this.putName(e, 'ingress', ingress);
    if (kind !== 'injection' && kind !== 'rejection') {
      const egress = this.pick(ev, this.ctx.fields.egress);
      this.putName(e, 'egress', egress);
      // ip_address is the MX for message events (for engagement events it would be the reader).
      const ip = str(ev, 'ip_address');
      const destIp = ip !== undefined ? ipIn(ip, 0, ip.length) : undefined;
      if (destIp !== undefined) e.destIp = destIp;
    }
    const rcpt = str(ev, 'rcpt_to') ?? str(ev, 'raw_rcpt_to');
    const domain = str(ev, 'routing_domain') ?? str(ev, 'recipient_domain');
    const dom = domain !== undefined ? domainOf('@' + domain) : rcpt !== undefined ? domainOf(rcpt) : undefined;
    if (dom !== undefined) e.domain = dom;
    const text = str(ev, 'raw_reason') ?? str(ev, 'reason') ?? str(ev, 'error_code');
    if (text !== undefined && kind !== 'delivery' && kind !== 'injection') {
      const dsn = findDsn(text);
      if (dsn !== undefined) e.dsn = dsn;
    }
    const queueTime = Number(str(ev, 'queue_time'));
    if (kind !== 'injection' && Number.isFinite(queueTime) && queueTime >= 0) e.delayMs = Math.round(queueTime);
    const id = str(ev, 'message_id');
    this.putName(e, 'queueId', id);
    if (kind === 'bounce' || kind === 'deferral' || kind === 'rejection') {
      const cls = str(ev, 'bounce_class');
      const label = cls !== undefined ? `class ${cls}${Object.hasOwn(BOUNCE_CLASSES, cls) ? ` ${BOUNCE_CLASSES[cls]}` : ''}` : undefined;
      const full = label !== undefined ? (text !== undefined ? `${label}: ${text}` : label) : text;
      if (full !== undefined) {
        const reason = redact.reason(full, rcpt !== undefined ? localPart(rcpt) : undefined);
        if (reason !== undefined) e.reason = reason;
      }
    }
    return e;
  }

  private pick(ev: Json, fields: readonly string[]): string | undefined {
    for (const f of fields) {
      const v = str(ev, f);
      if (v !== undefined) return v;
    }
    return undefined;
  }
}

/** The event object inside a webhook record ({"msys": {"message_event": {...}}}) or a bare event. */
function eventOf(r: unknown): Json | undefined {
  if (!isObject(r)) return undefined;
  const msys = r.msys;
  if (isObject(msys)) {
    for (const key in msys) {
      const inner = msys[key];
      if (isObject(inner) && typeof inner.type === 'string') return inner;
    }
    return undefined;
  }
  return typeof r.type === 'string' ? r : undefined;
}
