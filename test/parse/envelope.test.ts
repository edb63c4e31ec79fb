import { describe, expect, it } from 'vitest';
import { EnvelopeReader } from '../../server/parse/envelope.js';
import { WallClock } from '../../server/parse/time.js';
import { fixtureLines, NOW } from './helpers.js';

function reader(tz = 'UTC', now = NOW) {
  return new EnvelopeReader(new WallClock(tz, () => now));
}

/** A plain copy: the reader reuses its envelope object. */
function read(r: EnvelopeReader, line: string) {
  const e = r.read(line);
  return e && { ts: e.ts, host: e.host, program: e.program, pid: e.pid, pri: e.pri, msg: e.msg, msgStart: e.msgStart };
}

describe('EnvelopeReader: the forms the fixtures were captured in', () => {
  it('postlogd (maillog_file): zero-padded day, short host', () => {
    const [line] = fixtureLines('postfix/maillog.log');
    expect(read(reader(), line!)).toEqual({
      ts: Date.UTC(2026, 10, 23, 18, 13, 50),
      host: 'mx1',
      program: 'postfix/postfix-script',
      pid: 11363,
      pri: undefined,
      msg: 'starting the Postfix mail system',
      msgStart: 51,
    });
  });

  it('rsyslog traditional file format (BSD)', () => {
    const line = fixtureLines('postfix/syslog-bsd.log')[2]!;
    expect(read(reader(), line)).toMatchObject({
      ts: Date.UTC(2026, 10, 23, 18, 14, 0),
      host: 'vm',
      program: 'postfix/elb-smtp/smtpd',
      pid: 11962,
      msg: 'connect from unknown[127.0.0.1]',
    });
  });

  it('rsyslog file format (RFC 3339 with microseconds and zone)', () => {
    const line = fixtureLines('postfix/syslog-rfc3339.log')[2]!;
    expect(read(reader(), line)).toMatchObject({
      ts: Date.UTC(2026, 10, 23, 18, 14, 0, 821),
      host: 'vm',
      program: 'postfix/elb-smtp/smtpd',
      pid: 11962,
      msg: 'connect from unknown[127.0.0.1]',
    });
  });

  it('rsyslog forward format with <PRI>', () => {
    const line = fixtureLines('postfix/syslog-forward.log')[2]!;
    expect(read(reader(), line)).toMatchObject({
      ts: Date.UTC(2026, 10, 23, 18, 14, 0),
      host: 'vm',
      program: 'postfix/elb-smtp/smtpd',
      pid: 11962,
      pri: 22,
      msg: 'connect from unknown[127.0.0.1]',
    });
  });

  it('RFC 5424 (rsyslog keeps only "postfix" as APP-NAME; the space before MSG is dropped)', () => {
    const line = fixtureLines('postfix/syslog-5424.log')[2]!;
    expect(read(reader(), line)).toMatchObject({
      ts: Date.UTC(2026, 10, 23, 18, 14, 0, 821),
      host: 'vm',
      program: 'postfix',
      pid: 11962,
      pri: 22,
      msg: 'connect from unknown[127.0.0.1]',
    });
  });
});

describe('EnvelopeReader: other headers', () => {
  it('space-padded and single-space days', () => {
    const r = reader();
    expect(read(r, 'Dec  4 10:33:23 mx postfix/smtpd[14247]: hi')).toMatchObject({ ts: Date.UTC(2025, 11, 4, 10, 33, 23), host: 'mx' });
    expect(read(r, 'Dec 4 10:33:24 mx postfix/smtpd[14247]: hi')).toMatchObject({ ts: Date.UTC(2025, 11, 4, 10, 33, 24) });
    expect(read(r, 'Feb 04 10:00:00 mail postfix/smtp[123]: hi')).toMatchObject({ ts: Date.UTC(2026, 1, 4, 10, 0, 0), host: 'mail' });
  });

  it('the /dev/log form: <PRI>, no host', () => {
    expect(read(reader(), '<22>Dec  4 10:33:23 postfix/smtpd[14247]: connect from x[1.2.3.4]')).toMatchObject({
      pri: 22,
      host: undefined,
      program: 'postfix/smtpd',
      pid: 14247,
      msg: 'connect from x[1.2.3.4]',
    });
  });

  it('a tag without pid, a host without tag, an IPv6 host', () => {
    const r = reader();
    expect(read(r, 'Nov 23 18:13:16 vm kernel: boot')).toMatchObject({ host: 'vm', program: 'kernel', pid: undefined, msg: 'boot' });
    expect(read(r, 'Nov 23 18:13:16 switch7 link down on port 3')).toMatchObject({ host: 'switch7', program: undefined, msg: 'link down on port 3' });
    expect(read(r, 'Nov 23 18:13:16 2001:db8::7 postfix/smtp[9]: x')).toMatchObject({ host: '2001:db8::7', program: 'postfix/smtp', msg: 'x' });
  });

  it('RFC 3339 zones and fractions', () => {
    const r = reader();
    expect(read(r, '2020-01-30T06:26:07.404714+09:00 mail postfix/smtp[1810]: x')?.ts).toBe(Date.UTC(2020, 0, 29, 21, 26, 7, 404));
    expect(read(r, '2020-01-30T06:26:07Z mail postfix/smtp[1810]: x')?.ts).toBe(Date.UTC(2020, 0, 30, 6, 26, 7));
    expect(read(r, '2020-01-30T06:26:07.5-0130 mail postfix/smtp[1810]: x')?.ts).toBe(Date.UTC(2020, 0, 30, 7, 56, 7, 500));
  });

  it('RFC 5424 with structured data, nil fields and a BOM', () => {
    const line = '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Ap]p"] \uFEFFAn application event';
    expect(read(reader(), line)).toMatchObject({
      pri: 165,
      ts: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      host: 'mymachine.example.com',
      program: 'evntslog',
      pid: undefined,
      msg: 'An application event',
    });
    expect(read(reader(), '<34>1 - - - - - -')).toMatchObject({ ts: undefined, host: undefined, program: undefined, msg: '' });
  });

  it('lines without a header pass through untouched', () => {
    const r = reader();
    for (const line of [
      ...fixtureLines('exim/mainlog-default.log').slice(0, 5),
      'type,timeLogged,orig,rcpt,dlvSourceIp,bounceCat',
      'd,1178807903,orig@port25.com,user1@domain.com,10.0.0.1,',
      '{"msys":{"message_event":{"type":"delivery"}}}',
      '{"ts":1,"format":"json","kind":"delivery"}',
      '<999>Dec  4 10:33:23 mx x: y',
      'Decent 4 10:33:23 mx x: y',
      'Dec 32 10:33:23 mx x: y',
      'Feb 30 10:33:23 mx x: y',
      'Dec  4 25:33:23 mx x: y',
      '2020-13-30T06:26:07Z mail x: y',
      '',
    ]) {
      expect(r.read(line), line).toBeUndefined();
    }
  });

  it('reuses cached timestamps, hosts and tags without mixing them up', () => {
    const r = reader();
    const lines = fixtureLines('postfix/maillog.log');
    const fresh = lines.map((l) => read(reader(), l));
    const cached = lines.map((l) => read(r, l));
    expect(cached).toEqual(fresh);
    // Same second, prefix of a longer tag, different host.
    expect(read(r, 'Nov 23 18:13:50 mx1 postfix/smtp[1]: a')).toMatchObject({ program: 'postfix/smtp', pid: 1 });
    expect(read(r, 'Nov 23 18:13:50 mx1 postfix/smtpd[2]: b')).toMatchObject({ program: 'postfix/smtpd', pid: 2 });
    expect(read(r, 'Nov 23 18:13:50 mx10 postfix/smtp[3]: c')).toMatchObject({ host: 'mx10', program: 'postfix/smtp' });
    expect(read(r, 'Nov 23 18:13:50.250 mx10 postfix/smtp[3]: c')?.ts).toBe(Date.UTC(2026, 10, 23, 18, 13, 50, 250));
    expect(read(r, 'Nov 23 18:13:50 mx10 postfix/smtp[3]: c')?.ts).toBe(Date.UTC(2026, 10, 23, 18, 13, 50));
  });

  it('reuses a whole RFC 3339 stamp only when fraction and offset repeat too', () => {
    const r = reader();
    const at = (stamp: string) => read(r, `${stamp} mx1 postfix/qmgr[9]: x`)?.ts;
    expect(at('2026-11-23T21:19:27.708000+00:00')).toBe(Date.UTC(2026, 10, 23, 21, 19, 27, 708));
    expect(at('2026-11-23T21:19:27.708000+00:00')).toBe(Date.UTC(2026, 10, 23, 21, 19, 27, 708));
    expect(at('2026-11-23T21:19:27.709000+00:00')).toBe(Date.UTC(2026, 10, 23, 21, 19, 27, 709));
    expect(at('2026-11-23T21:19:27.709000+01:00')).toBe(Date.UTC(2026, 10, 23, 20, 19, 27, 709));
    expect(at('2026-11-23T21:19:27.709000+01:00')).toBe(Date.UTC(2026, 10, 23, 20, 19, 27, 709));
    expect(at('2026-11-23T21:19:27.7090+01:00')).toBe(Date.UTC(2026, 10, 23, 20, 19, 27, 709));
    expect(at('2026-11-23T21:19:27Z')).toBe(Date.UTC(2026, 10, 23, 21, 19, 27));
    // The cached stamp followed by more than a space is no stamp at all.
    expect(r.read('2026-11-23T21:19:27Zx mx1 postfix/qmgr[9]: x')).toBeUndefined();
    // A new second forgets the old tail.
    expect(at('2026-11-23T21:19:28Z')).toBe(Date.UTC(2026, 10, 23, 21, 19, 28));
    expect(read(r, '2026-11-23T21:19:28Z')).toMatchObject({ ts: Date.UTC(2026, 10, 23, 21, 19, 28), host: undefined });
  });
});

describe('EnvelopeReader: the year of BSD timestamps', () => {
  it('December lines read in January belong to the previous year', () => {
    const r = reader('UTC', Date.UTC(2027, 0, 2, 0, 5));
    expect(read(r, 'Dec 31 23:59:59 mx p[1]: x')?.ts).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(read(r, 'Jan  2 00:04:00 mx p[1]: x')?.ts).toBe(Date.UTC(2027, 0, 2, 0, 4));
  });

  it('January lines read on New Year\'s Eve (the reading clock a little behind) belong to the next year', () => {
    const r = reader('UTC', Date.UTC(2026, 11, 31, 23, 59, 58));
    expect(read(r, 'Jan  1 00:00:01 mx p[1]: x')?.ts).toBe(Date.UTC(2027, 0, 1, 0, 0, 1));
    expect(read(r, 'Dec 31 23:59:57 mx p[1]: x')?.ts).toBe(Date.UTC(2026, 11, 31, 23, 59, 57));
  });

  it('Feb 29 goes to the last leap year', () => {
    expect(read(reader('UTC', Date.UTC(2027, 5, 1)), 'Feb 29 12:00:00 mx p[1]: x')?.ts).toBe(Date.UTC(2024, 1, 29, 12));
  });
});

describe('EnvelopeReader: time zones', () => {
  it('reads BSD timestamps as wall-clock time of the configured zone, across a DST change', () => {
    const r = reader('Europe/Berlin', Date.UTC(2026, 10, 1));
    expect(read(r, 'Mar 29 01:30:00 mx p[1]: x')?.ts).toBe(Date.UTC(2026, 2, 29, 0, 30)); // CET, +01:00
    expect(read(r, 'Mar 29 03:30:00 mx p[1]: x')?.ts).toBe(Date.UTC(2026, 2, 29, 1, 30)); // CEST, +02:00
    expect(read(r, 'Jul  1 12:00:00 mx p[1]: x')?.ts).toBe(Date.UTC(2026, 6, 1, 10, 0));
  });

  it('leaves RFC 3339 timestamps to their own offset', () => {
    const r = reader('America/New_York');
    expect(read(r, '2026-11-23T18:14:00.821729+00:00 vm p[1]: x')?.ts).toBe(Date.UTC(2026, 10, 23, 18, 14, 0, 821));
  });
});
