// Golden counts for the logs of a real Postfix run (scripts/capture-postfix-fixtures.sh).
// The traffic mix the script injects, and what it must come to:
//   elb-smtp (127.0.0.1): 20 msgs to ok-a.test (proxy-a), 10 x 2 rcpts to ok-b.test (proxy-b),
//                         4 to down.test (proxy-b, nothing listens), 3 relay-denied (NOQUEUE)
//   elb-api:              8 to hard.test from [::1] (proxy-b, 5xx), 6 to soft.test (proxy-a, 4xx),
//                         5 to v6.test from [::1] (out1 -> [::1], the postfix-out1/smtp tag)
//   pickup (sendmail):    ok-a; ok-b + soft (one delivered, one deferred); nowhere.example (error transport)
// Deferred recipients are tried three times (first pass, a flush, the flush that expires them), then
// expire (bounce "expired", egress of the last attempt); every bounce and expiry makes a Postfix bounce
// notice ("internal") delivered to the sender's domain.

import { describe, expect, it } from 'vitest';
import { eventProblem } from '../../server/parse/schema.js';
import { POSTFIX_MIX } from '../helpers/postfix.js';
import { by, fixtureLines, localPartsIn, NOW, run } from './helpers.js';

/** kind ingress egress -> count, when the log names the syslog_names. */
const FULL = POSTFIX_MIX;

const key = (e: { kind: string; ingress?: string; egress?: string }) => `${e.kind} ${e.ingress ?? '-'} ${e.egress ?? '-'}`;

describe.each([
  ['postfix/maillog.log', 'mx1', 585],
  ['postfix/syslog-bsd.log', 'vm', 587],
  ['postfix/syslog-rfc3339.log', 'vm', 587],
  ['postfix/syslog-forward.log', 'vm', 587],
])('%s', (fixture, mta, lineCount) => {
  const lines = fixtureLines(fixture);
  const { events, stats } = run(lines);

  it('reads every line', () => {
    expect(stats.lines).toBe(lineCount);
    expect(stats.unparsed).toBe(0);
    expect(stats.eventLines + stats.ignored).toBe(lineCount);
    expect(stats.sources).toEqual({ test: 'postfix' });
  });

  it('counts exactly per kind, ingress and egress', () => {
    expect(stats.byKind).toEqual([76, 67, 33, 20, 3]);
    expect(by(events, key)).toEqual(FULL);
    expect(by(events, (e) => e.ingress ?? '-')).toEqual({
      'elb-smtp': 34 + 20 + 20 + 12 + 4 + 3,
      'elb-api': 19 + 5 + 18 + 8 + 6,
      pickup: 3 + 1 + 1 + 3 + 1 + 1,
      internal: 20 + 18 + 2,
    });
    expect(by(events.filter((e) => e.kind !== 'injection' && e.kind !== 'rejection'), (e) => e.egress ?? '-')).toEqual({
      'proxy-a': 20 + 1 + 18 + 18 + 3 + 6 + 1,
      'proxy-b': 20 + 1 + 2 + 12 + 8 + 4,
      'postfix-out1': 5,
      error: 1,
    });
  });

  it('fills destination, domain, DSN and delay from the delivery lines', () => {
    expect(by(events, (e) => `${e.kind} ${e.destIp ?? '-'} ${e.domain ?? '-'} ${e.dsn ?? '-'}`)).toEqual({
      'injection - - -': 76,
      'delivery 127.0.0.1 ok-a.test 2.0.0': 39,
      'delivery 127.0.0.1 ok-b.test 2.0.0': 23,
      'delivery ::1 v6.test 2.0.0': 5,
      'deferral 127.0.0.1 soft.test 4.3.0': 21,
      // relay=none: the address is taken from "connect to 127.0.0.1[127.0.0.1]:24405: Connection refused".
      'deferral 127.0.0.1 down.test 4.4.1': 12,
      'bounce 127.0.0.1 hard.test 5.3.0': 8,
      'bounce - nowhere.example 5.1.2': 1,
      // Expiry: no recipient on the line; the domain of the last attempt.
      'bounce - soft.test -': 7,
      'bounce - down.test -': 4,
      'rejection - nowhere.example 5.7.1': 3,
    });
    for (const e of events) {
      expect(e.mta).toBe(mta);
      expect(e.format).toBe('postfix');
      if (e.kind === 'delivery' || e.kind === 'deferral') expect(e.delayMs).toBeGreaterThanOrEqual(0);
      if (e.kind !== 'rejection') expect(e.queueId).toMatch(/^[0-9A-F]{10,12}$/);
    }
  });

  it('names an expiry "expired" with the egress it was last tried through', () => {
    const expired = events.filter((e) => e.reason === 'expired');
    expect(by(expired, (e) => `${e.ingress} ${e.egress} ${e.domain}`)).toEqual({
      'elb-api proxy-a soft.test': 6,
      'elb-smtp proxy-b down.test': 4,
      'pickup proxy-a soft.test': 1,
    });
  });

  it('emits one injection per message although qmgr logs "(queue active)" on every retry', () => {
    const injections = events.filter((e) => e.kind === 'injection');
    expect(new Set(injections.map((e) => e.queueId)).size).toBe(injections.length);
    expect(lines.filter((l) => l.endsWith('(queue active)')).length).toBeGreaterThan(injections.length);
  });

  it('emits only schema-valid events, with no address local part and the log-time clock', () => {
    for (const e of events) expect(eventProblem(e), JSON.stringify(e)).toBeUndefined();
    const text = JSON.stringify(events);
    // Message-IDs look like addresses too; they are never emitted either.
    const locals = localPartsIn(lines);
    for (const person of ['sender', 'user', '2user', 'local-sender', 'pickup-a', 'pickup-b', 'pickup-c', 'pickup-d']) {
      expect(locals).toContain(person);
    }
    for (const local of locals) expect(text).not.toContain(`${local}@`);
    const first = Math.min(...events.map((e) => e.ts));
    const last = Math.max(...events.map((e) => e.ts));
    expect(first).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 23, 18, 13));
    expect(last - first).toBeLessThan(120_000);
    expect(last).toBeLessThan(NOW);
  });

  it('queue-ID correlation ends with nothing left over', () => {
    expect(stats.correlation).toMatchObject({ size: 0, evictions: 0 });
  });
});

describe('postfix/syslog-5424.log (rsyslog RFC 5424: APP-NAME keeps only "postfix")', () => {
  const { events, stats } = run(fixtureLines('postfix/syslog-5424.log'));

  it('still counts every kind exactly; the syslog_names are not in the log, so neither are ingress and egress', () => {
    expect(stats.unparsed).toBe(0);
    expect(stats.byKind).toEqual([76, 67, 33, 20, 3]);
    expect(by(events, key)).toEqual({
      'injection - -': 53,
      'injection pickup -': 3,
      'injection internal -': 20,
      'delivery - -': 45,
      'delivery pickup -': 2,
      'delivery internal -': 20,
      'deferral - -': 30,
      'deferral pickup -': 3,
      'bounce - -': 18,
      'bounce pickup -': 2,
      'rejection - -': 3,
    });
  });
});

describe('field maps', () => {
  const lines = fixtureLines('postfix/maillog.log');

  it('egress from the relay host, then the syslog_name', () => {
    const { events } = run(lines, { fields: { postfix: { egress: ['relay', 'syslog_name'] } } });
    expect(by(events.filter((e) => e.kind === 'delivery'), (e) => e.egress ?? '-')).toEqual({ '127.0.0.1': 62, '::1': 5 });
    // relay=none (down.test) falls back to the transport's syslog_name.
    expect(by(events.filter((e) => e.kind === 'deferral'), (e) => e.egress ?? '-')).toEqual({ '127.0.0.1': 21, 'proxy-b': 12 });
  });

  it('ingress from the smtpd client address or the service name', () => {
    const client = run(lines, { fields: { postfix: { ingress: ['client'] } } }).events;
    expect(by(client.filter((e) => e.kind === 'injection'), (e) => e.ingress ?? '-')).toEqual({
      '127.0.0.1': 40,
      '::1': 13,
      pickup: 3,
      internal: 20,
    });
    const service = run(lines, { fields: { postfix: { ingress: ['service'], egress: ['program'] } } }).events;
    expect(by(service.filter((e) => e.kind === 'delivery'), (e) => `${e.ingress} ${e.egress}`)).toEqual({
      'smtpd postfix/proxy-a/smtp': 20,
      'smtpd postfix/proxy-b/smtp': 20,
      'smtpd postfix-out1/smtp': 5,
      'pickup postfix/proxy-a/smtp': 1,
      'pickup postfix/proxy-b/smtp': 1,
      'internal postfix/proxy-a/smtp': 18,
      'internal postfix/proxy-b/smtp': 2,
    });
  });
});
