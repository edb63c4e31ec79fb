// Postfix log lines for one message at a time, written the way Postfix logs
// them (multi-instance syslog_names name the ingress and the egress), so a
// test decides exactly which event, path and destination IP each ball has.

import { connect } from 'node:net';
import { once } from 'node:events';
import { rfc3339 } from '../../bench/lib/postfix-traffic.js';

export interface Message {
  mta?: string;
  ingress?: string;
  egress?: string;
  /** Destination IP (v4 or v6) of the delivery attempt. */
  ip?: string;
  outcome?: 'sent' | 'deferred' | 'bounced';
}

let seq = 0;

/** Lines for one accepted message: its injection, then one delivery attempt. */
export function message(m: Message = {}): string[] {
  const { mta = 'mx1', ingress = 'in-smtp', egress = 'proxy-a', ip = '93.184.216.34', outcome = 'sent' } = m;
  const ts = rfc3339(Date.now());
  const n = seq++;
  const qid = (0x5a0000000 + n * 7919).toString(16).toUpperCase();
  const status =
    outcome === 'sent'
      ? 'dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 1A2B3C)'
      : outcome === 'deferred'
        ? `dsn=4.4.1, status=deferred (connect to mx.dest.example[${ip}]:25: Connection timed out)`
        : `dsn=5.1.1, status=bounced (host mx.dest.example[${ip}] said: 550 5.1.1 user unknown (in reply to RCPT TO command))`;
  return [
    `${ts} ${mta} postfix/${ingress}/smtpd[${2000 + (n % 1000)}]: ${qid}: client=client.example[198.51.100.${n % 250}]`,
    `${ts} ${mta} postfix/cleanup[3001]: ${qid}: message-id=<${qid}@shop.example>`,
    `${ts} ${mta} postfix/qmgr[900]: ${qid}: from=<sender@shop.example>, size=2048, nrcpt=1 (queue active)`,
    `${ts} ${mta} postfix/${egress}/smtp[4001]: ${qid}: to=<rcpt${n}@dest.example>, relay=mx.dest.example[${ip}]:25, ` +
      `delay=0.42, delays=0.01/0/0.2/0.21, ${status}`,
    `${ts} ${mta} postfix/qmgr[900]: ${qid}: removed`,
  ];
}

/** A session refused before queueing: a rejection at the ingress. */
export function rejection(m: Pick<Message, 'mta' | 'ingress'> = {}): string[] {
  const { mta = 'mx1', ingress = 'in-smtp' } = m;
  const n = seq++;
  return [
    `${rfc3339(Date.now())} ${mta} postfix/${ingress}/smtpd[${2000 + (n % 1000)}]: NOQUEUE: reject: RCPT from client.example[198.51.100.${n % 250}]: ` +
      `554 5.7.1 <rcpt${n}@dest.example>: Relay access denied; from=<sender@shop.example> to=<rcpt${n}@dest.example> proto=ESMTP helo=<client.example>`,
  ];
}

/** Writes lines into the daemon's Unix stream socket and closes it. */
export async function writeLines(socket: string, lines: string[]): Promise<void> {
  const sock = connect(socket);
  await once(sock, 'connect');
  sock.end(lines.join('\n') + '\n');
  await once(sock, 'close');
}
