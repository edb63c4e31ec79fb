// Postfix log lines with every field a test wants to choose: the message's
// path (ingress, MTA, egress), recipient domain, destination IP, and the
// outcome with its DSN and reply text. Written the way Postfix logs them
// (multi-instance syslog_names name the ingress and the egress), like
// test/client/postfix-lines.ts, which these extend with failure classes,
// expiries and domains.

import { rfc3339 } from '../../bench/lib/postfix-traffic.js';

export interface Attempt {
  mta?: string;
  ingress?: string;
  egress?: string;
  domain?: string;
  ip?: string;
  status?: 'sent' | 'deferred' | 'bounced';
  dsn?: string;
  /** The reply text in the parentheses after status=. */
  text?: string;
  /** Logged delay, seconds. */
  delay?: number;
}

let seq = 0;
const qidOf = (n: number) => (0x7c0000000 + n * 7919).toString(16).toUpperCase();

function intake(ts: string, qid: string, n: number, mta: string, ingress: string): string[] {
  return [
    `${ts} ${mta} postfix/${ingress}/smtpd[${2000 + (n % 1000)}]: ${qid}: client=client.example[198.51.100.${n % 250}]`,
    `${ts} ${mta} postfix/cleanup[3001]: ${qid}: message-id=<${qid}@shop.example>`,
    `${ts} ${mta} postfix/qmgr[900]: ${qid}: from=<sender@shop.example>, size=2048, nrcpt=1 (queue active)`,
  ];
}

/** One accepted message and one delivery attempt: an injection and a delivery, deferral or bounce. */
export function attempt(a: Attempt = {}): string[] {
  const { mta = 'mx1', ingress = 'in-smtp', egress = 'proxy-a', domain = 'dest.example', ip = '93.184.216.34', status = 'sent', delay = 0.42 } = a;
  const n = seq++;
  const qid = qidOf(n);
  const ts = rfc3339(Date.now());
  const dsn = a.dsn ?? (status === 'sent' ? '2.0.0' : status === 'deferred' ? '4.4.1' : '5.1.1');
  const text =
    a.text ??
    (status === 'sent'
      ? '250 2.0.0 Ok: queued as 1A2B3C'
      : status === 'deferred'
        ? `connect to mx.${domain}[${ip}]:25: Connection timed out`
        : `host mx.${domain}[${ip}] said: 550 5.1.1 <rcpt${n}@${domain}>: user unknown (in reply to RCPT TO command)`);
  return [
    ...intake(ts, qid, n, mta, ingress),
    `${ts} ${mta} postfix/${egress}/smtp[4001]: ${qid}: to=<rcpt${n}@${domain}>, relay=mx.${domain}[${ip}]:25, ` +
      `delay=${delay}, delays=0.01/0/0.2/0.21, dsn=${dsn}, status=${status} (${text})`,
    `${ts} ${mta} postfix/qmgr[900]: ${qid}: removed`,
  ];
}

/** A message deferred once and then given up on by qmgr: an injection, a deferral and an expiry (a bounce). */
export function expiry(a: Omit<Attempt, 'status' | 'dsn' | 'text'> = {}): string[] {
  const { mta = 'mx1', ingress = 'in-smtp', egress = 'proxy-a', domain = 'dest.example', ip = '93.184.216.34' } = a;
  const n = seq++;
  const qid = qidOf(n);
  const ts = rfc3339(Date.now());
  return [
    ...intake(ts, qid, n, mta, ingress),
    `${ts} ${mta} postfix/${egress}/smtp[4001]: ${qid}: to=<rcpt${n}@${domain}>, relay=mx.${domain}[${ip}]:25, ` +
      `delay=300, delays=0.01/0/300/0, dsn=4.4.2, status=deferred (conversation with mx.${domain}[${ip}] timed out while receiving the initial server greeting)`,
    `${ts} ${mta} postfix/qmgr[900]: ${qid}: from=<sender@shop.example>, status=expired, returned to sender`,
    `${ts} ${mta} postfix/qmgr[900]: ${qid}: removed`,
  ];
}

/** A session refused before queueing (a rejection at the ingress), with the given reply. */
export function reject(a: { mta?: string; ingress?: string; domain?: string; reply?: string } = {}): string[] {
  const { mta = 'mx1', ingress = 'in-smtp', domain = 'dest.example' } = a;
  const n = seq++;
  const reply = a.reply ?? `554 5.7.1 <rcpt${n}@${domain}>: Relay access denied`;
  return [
    `${rfc3339(Date.now())} ${mta} postfix/${ingress}/smtpd[${2000 + (n % 1000)}]: NOQUEUE: reject: RCPT from client.example[198.51.100.${n % 250}]: ` +
      `${reply}; from=<sender@shop.example> to=<rcpt${n}@${domain}> proto=ESMTP helo=<client.example>`,
  ];
}
