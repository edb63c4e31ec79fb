// Exim mainlog lines from public sources (docs/reference: the Exim spec's "Log files" chapter,
// mysociety/alaveteli, logstash-patterns-core, fail2ban, Exim's own test suite, whose logs are
// munged: PORT_S, S=sss, q.qqqs), beyond what the captured fixtures exercise.

import { describe, expect, it } from 'vitest';
import { eximDurationMs, eximIdLength } from '../../server/parse/exim.js';
import { eventProblem } from '../../server/parse/schema.js';
import { run } from './helpers.js';

function events(lines: string[], overrides = {}) {
  const r = run(lines, { format: 'exim', ...overrides });
  for (const e of r.events) expect(eventProblem(e), JSON.stringify(e)).toBeUndefined();
  return r;
}

describe('Exim: the spec examples', () => {
  it('arrival, local and remote deliveries, a deferral, failures and completion', () => {
    const { events: ev, stats } = events([
      '2002-10-31 08:57:53 16ZCW1-0005MB-00 <= kryten@dwarf.fict.example H=mailer.fict.example [192.168.123.123] U=exim P=smtp S=5678 id=<incoming message id>',
      '2002-10-31 08:59:13 16ZCW1-0005MB-00 => marv <marv@hitch.fict.example> R=localuser T=local_delivery',
      '2002-10-31 09:00:10 16ZCW1-0005MB-00 => monk@holistic.fict.example R=dnslookup T=remote_smtp H=holistic.fict.example [192.168.234.234]',
      '2002-12-19 16:20:23 16aiQz-0002Q5-00 == marvin@endrest.example R=dnslookup T=smtp defer (146): Connection refused',
      '2002-12-19 16:20:23 16aiQz-0002Q5-00 Failed to connect to mail1.endrest.example [192.168.239.239]: Connection refused',
      '1995-12-19 16:20:23 0tRiQz-0002Q5-00 ** jim@trek99.example <jim@trek99.example>: unknown mail domain',
      '2002-07-11 07:14:17 17SXDU-000189-00 ** ace400@pb.example R=dnslookup T=remote_smtp: SMTP error from remote mailer after pipelined RCPT TO:<ace400@pb.example>: host pbmail3.py.example [192.168.63.111]: 553 5.3.0 <ace400@pb.example>...Addressee unknown',
      '2002-10-31 09:00:11 16ZCW1-0005MB-00 Completed',
      '2003-04-25 11:17:07 +0100 Start queue run: pid=12762',
    ]);
    expect(ev.map((e) => [e.kind, e.ts, e.ingress, e.egress, e.destIp, e.domain, e.dsn, e.delayMs, e.queueId, e.reason])).toEqual([
      ['injection', Date.UTC(2002, 9, 31, 8, 57, 53), 'smtp', undefined, undefined, undefined, undefined, undefined, '16ZCW1-0005MB-00', undefined],
      // "marv <marv@...>": the domain comes from the original address in angle brackets.
      ['delivery', Date.UTC(2002, 9, 31, 8, 59, 13), 'smtp', 'local_delivery', undefined, 'hitch.fict.example', undefined, 80_000, '16ZCW1-0005MB-00', undefined],
      ['delivery', Date.UTC(2002, 9, 31, 9, 0, 10), 'smtp', 'remote_smtp', '192.168.234.234', 'holistic.fict.example', undefined, 137_000, '16ZCW1-0005MB-00', undefined],
      ['deferral', Date.UTC(2002, 11, 19, 16, 20, 23), undefined, 'smtp', undefined, 'endrest.example', undefined, undefined, '16aiQz-0002Q5-00', 'Connection refused'],
      ['bounce', Date.UTC(1995, 11, 19, 16, 20, 23), undefined, undefined, undefined, 'trek99.example', undefined, undefined, '0tRiQz-0002Q5-00', 'unknown mail domain'],
      [
        'bounce',
        Date.UTC(2002, 6, 11, 7, 14, 17),
        undefined,
        'remote_smtp',
        '192.168.63.111',
        'pb.example',
        '5.3.0',
        undefined,
        '17SXDU-000189-00',
        'SMTP error from remote mailer after pipelined RCPT TO:<***@pb.example>: host pbmail3.py.example [192.168.63.111]: 553 5.3.0 <***@pb.example>...Addressee unknown',
      ],
    ]);
    expect(stats).toMatchObject({ lines: 9, eventLines: 6, ignored: 3, unparsed: 0 });
  });
});

describe('Exim: production lines with selectors', () => {
  it('[pid], quoted DN= and C=, QT=, F= and P= on deliveries, -> lines, errors without H=', () => {
    const { events: ev } = events([
      '2015-10-30 19:24:16 [17817] 1ZsFHb-0004dK-SM => authority@example.com F=<request-123-abc987@example.net> P=<request-123-abc987@example.net> R=dnslookup T=remote_smtp S=2297 H=cluster2.gsi.messagelabs.com [127.0.0.1]:25 X=TLS1.2:DHE_RSA_AES_128_CBC_SHA1:128 CV=no DN="C=US,ST=California,L=Mountain View,O=Symantec Corporation,OU=Symantec.cloud,CN=mail221.messagelabs.com" C="250 ok 1446233056 qp 26062 server-4.tower-221.messagelabs.com!1446233056!7679409!1" QT=1s DT=0s',
      '2016-06-03 14:22:11 [31522] 1b8p3C-0008CN-Vl -> authority@example.com <Authority@example.com> F=<request-123-abc987@example.net> P=<request-123-abc987@example.net> R=dnslookup T=remote_smtp S=5745 H=cluster5.eu.messagelabs.com [85.158.138.179]:25 X=TLS1.2:DHE_RSA_AES_128_CBC_SHA1:128 CV=no DN="C=US,ST=California,L=Mountain View,O=Symantec Corporation,OU=Symantec.cloud,CN=mail169.messagelabs.com" C="250 ok 1464960131 qp 11694 server-9.tower-169.messagelabs.com!1464960131!41697448!1" QT=1s DT=0s',
      '2016-06-03 11:03:18 [13879] 1b8lwj-0003bo-6W == authority@example.com R=dnslookup T=remote_smtp defer (-44): SMTP error from remote mail server after RCPT TO:<authority@example.com>: host eu-smtp-inbound-1.mimecast.com [195.130.217.211]: 451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451',
      '2016-06-03 01:21:52 [22942] 1b8cs4-0005xz-6g ** invalid@example.com F=<do-not-reply-to-this-address@example.net>: Unrouteable address',
      '2016-06-03 17:07:57 [28168] 1b8rdd-0007KK-8q <= authority@example.com H=localhost [127.0.0.1]:39362 I=[127.0.0.1]:25 P=esmtp S=99310 id=fd14e1d536e94486b1de551709543fc3@PDC5EXC108.example.com T="Freedom of Information request - Some information please" from <authority@example.com> for localhost',
      '2016-04-06 12:01:08 [14935] 1anlCu-0003st-1p <= <> R=1anlCt-0003sm-LG U=Debian-exim P=local S=2934 T="Mail delivery failed: returning message to sender" from <> for request-326806-hk82iwn7@localhost',
    ]);
    expect(ev.map((e) => [e.kind, e.ingress, e.egress, e.destIp, e.domain, e.delayMs, e.reason])).toEqual([
      ['delivery', undefined, 'remote_smtp', '127.0.0.1', 'example.com', 1000, undefined],
      ['delivery', undefined, 'remote_smtp', '85.158.138.179', 'example.com', 1000, undefined],
      [
        'deferral',
        undefined,
        'remote_smtp',
        '195.130.217.211',
        'example.com',
        undefined,
        'SMTP error from remote mail server after RCPT TO:<***@example.com>: host eu-smtp-inbound-1.mimecast.com [195.130.217.211]: 451 Internal resource temporarily unavailable - https://community.mimecast.com/docs/DOC-1369#451',
      ],
      ['bounce', undefined, undefined, undefined, 'example.com', undefined, 'Unrouteable address'],
      ['injection', '[127.0.0.1]:25', undefined, undefined, undefined, undefined, undefined],
      // A bounce message Exim generated itself.
      ['injection', 'internal', undefined, undefined, undefined, undefined, undefined],
    ]);
  });

  it('interfaces, TLS and authenticated submission on arrival lines', () => {
    const { events: ev } = events([
      '2010-09-13 05:00:13 [1487] 1Ov4tU-0000Nz-Rm <= mailling.list@domain.com H=mailhost.domain.com [208.42.54.2]:51792 I=[67.215.162.175]:25 P=esmtps X=TLSv1:AES256-SHA:256 CV=no S=21778 id=384a86a39e83be0d9b3a94d1feb3119f@domain.com T="Daily List: Chameleon" for user@example.com',
      '2014-08-10 11:18:35 [28107] 1gsu1C-003dCu-Hb <= aaron@domain.com H=localhost (10.5.40.204) [127.0.0.1]:39753 I=[127.0.0.1]:25 P=esmtpa A=dovecot_plain:aaron@domain.com S=4315 M8S=0 id=d2b648f00f1a1b0813c483d552778dc6@domain.com T="what\'s up?!? ;-)" for aaron+forward@domain.com',
      '2013-03-20 12:44:02 1UIIN7-0004t9-8R <= root@example.com H=localhost (hostname.example.com) [127.0.0.1] P=esmtps X=TLSv1:DHE-RSA-AES256-SHA:256 S=811 id=201303201244.r2KCi11V018784@hostname.example.com',
      '2020-02-11 17:09:46 1j1Z2g-00Faoy-Uh <= example@strawberry.active-ns.com U=example P=local T="[Examples Galore] Please moderate: \\"Hello world!\\"" for admin@example.net',
      '2020-02-11 17:09:47 1j1Z2g-00Faoy-Uh ** admin@example.net R=virtual_aliases: No such person at this address.',
    ]);
    expect(ev.map((e) => [e.kind, e.ingress, e.egress, e.domain, e.reason])).toEqual([
      ['injection', '[67.215.162.175]:25', undefined, undefined, undefined],
      ['injection', '[127.0.0.1]:25', undefined, undefined, undefined],
      ['injection', 'esmtps', undefined, undefined, undefined],
      ['injection', 'local', undefined, undefined, undefined],
      ['bounce', 'local', undefined, 'example.net', 'No such person at this address.'],
    ]);
  });

  it('ingress from the client host when mapped', () => {
    const { events: ev } = events(
      ['2010-09-13 05:00:13 [1487] 1Ov4tU-0000Nz-Rm <= mailling.list@domain.com H=mailhost.domain.com [208.42.54.2]:51792 I=[67.215.162.175]:25 P=esmtps S=21778'],
      { fields: { exim: { ingress: ['host'] } } },
    );
    expect(ev[0]!.ingress).toBe('208.42.54.2');
  });
});

describe('Exim: the test suite\'s edge cases', () => {
  it('reused connections (*), egress interfaces, " : " before the error, 23-character IDs, IPv6', () => {
    const { events: ev } = events(
      [
        '1999-03-02 09:44:33 10HmaY-000000005vi-0000 => abcd@domain.com R=all T=smtp H=127.0.0.1 [127.0.0.1]:PORT_S* I=[127.0.0.1]:10001 C="250 OK"',
        '1999-03-02 09:44:33 10HmaZ-000000005vi-0000 H=127.0.0.1 [127.0.0.1]:10002: SMTP error from remote mail server after MAIL FROM:<>: 450 not right now, sorry',
        '1999-03-02 09:44:33 10HmaZ-000000005vi-0000 == userz@domain.com R=all T=smtp defer (-45) H=127.0.0.1 [127.0.0.1]:PORT_S I=[127.0.0.1]:10001: SMTP error from remote mail server after MAIL FROM:<>: 450 not right now, sorry',
        '1999-03-02 09:44:33 10HmaZ-000000005vi-0000 ** userz@domain.com R=all T=smtp H=127.0.0.1 [127.0.0.1]:PORT_S I=[127.0.0.1]:10001 : SMTP error from remote mail server after RCPT TO:<userz@domain.com>: 550 Recipient refused',
        '1999-03-02 09:44:33 10HmaZ-000000005vi-0000 userz@domain.com: error ignored',
        '1999-03-02 09:44:33 10HmaX-000000005vi-0000 => testx@cname46.test.ex F=<CALLER@the.local.host.name> R=all T=out H=localhost.test.ex [::1] C="250 OK id=10HmaZ-000000005vi-0000"',
        '1999-03-02 09:44:33 10HmaX-000000005vi-0000 -> two@remote <list@test.ex> R=all T=smtp H=127.0.0.1 [127.0.0.1] C="250 OK"',
        '1999-03-02 09:44:33 10HmbC-000000005vi-0000 == userx@nonexist R=all defer (-32): lookup of host "nonexist.test.ex" failed in all router',
        '1999-03-02 09:44:33 10HmaY-000000005vi-0000 ** userx@bad.ex : Unrouteable address',
      ],
      { fields: { exim: { egress: ['interface', 'transport', 'router'] } } },
    );
    expect(ev.map((e) => [e.kind, e.egress, e.destIp, e.domain, e.queueId, e.reason])).toEqual([
      ['delivery', '127.0.0.1', '127.0.0.1', 'domain.com', '10HmaY-000000005vi-0000', undefined],
      ['deferral', '127.0.0.1', '127.0.0.1', 'domain.com', '10HmaZ-000000005vi-0000', 'SMTP error from remote mail server after MAIL FROM:<>: 450 not right now, sorry'],
      ['bounce', '127.0.0.1', '127.0.0.1', 'domain.com', '10HmaZ-000000005vi-0000', 'SMTP error from remote mail server after RCPT TO:<***@domain.com>: 550 Recipient refused'],
      ['delivery', 'out', '::1', 'cname46.test.ex', '10HmaX-000000005vi-0000', undefined],
      // "two@remote <list@test.ex>": the recipient, then the address it was expanded from.
      ['delivery', 'smtp', '127.0.0.1', 'remote', '10HmaX-000000005vi-0000', undefined],
      ['deferral', 'all', undefined, 'nonexist', '10HmbC-000000005vi-0000', 'lookup of host "nonexist.test.ex" failed in all router'],
      ['bounce', undefined, undefined, 'bad.ex', '10HmaY-000000005vi-0000', 'Unrouteable address'],
    ]);
  });

  it('millisecond timestamps, log_timezone offsets, receive/queue/deliver times', () => {
    const { events: ev } = events([
      '2017-07-30 18:51:05.712 10HmaZ-000000005vi-0000 <= CALLER@myhost.test.ex U=CALLER P=local S=sss RT=q.qqqs',
      '2017-07-30 18:51:05.912 10HmaZ-000000005vi-0000 => userx <userx@test.ex> R=r1 T=t1 QT=0.2s DT=q.qqqs',
      '2017-07-30 18:51:05.912 10HmaZ-000000005vi-0000 Completed QT=q.qqqs',
      '2003-04-25 11:17:07 +0100 17SXDU-000189-00 => a@b.example R=r T=t QT=1m5s',
    ]);
    expect(ev.map((e) => [e.kind, e.ts, e.delayMs])).toEqual([
      ['injection', Date.UTC(2017, 6, 30, 18, 51, 5, 712), undefined],
      ['delivery', Date.UTC(2017, 6, 30, 18, 51, 5, 912), 200],
      ['delivery', Date.UTC(2003, 3, 25, 10, 17, 7), 65_000],
    ]);
  });

  it('fake deliveries (*>) and fakerejects ((=) are not mail flow; cutthrough (>>) is', () => {
    const { events: ev, stats } = events([
      '1999-03-02 09:44:33 10HmaX-000000005vi-0000 *> userx@test.ex R=r1 T=t1',
      '1999-03-02 09:44:33 10HmaX-000000005vi-0000 (= userx@test.ex H=(x) [1.2.3.4] P=smtp',
      '1999-03-02 09:44:33 10HmaX-000000005vi-0000 >> userx@test.ex R=r1 T=t1 H=127.0.0.1 [127.0.0.1] C="250 OK"',
    ]);
    expect(ev.map((e) => e.kind)).toEqual(['delivery']);
    expect(stats.ignored).toBe(2);
  });
});

describe('Exim: rejections and other lines', () => {
  it('recipient and sender refusals are rejections; protocol errors and lost connections are not', () => {
    const { events: ev, stats } = events([
      '2013-06-10 18:33:32 [10099] H=(yakult.com.tw) [202.132.70.178]:3755 I=[1.2.3.4]:25 F=menacedsj04@listserv.eurasia.org rejected RCPT dir@ml3.ru: relay not permitted',
      '2013-06-15 16:34:55 H=mx.tillions.com [182.18.24.93] F=<buh@caladan.ebay.sun.com> rejected RCPT <ruslan@maslovskiy.com.ua>: Sender verify failed',
      '2016-03-18 00:34:06 [7513] SMTP protocol error in "AUTH LOGIN" H=(ylmf-pc) [45.32.34.167]:60723 I=[172.89.0.6]:587 AUTH command used when not advertised',
      '2016-03-21 06:38:05 [5718] no MAIL in SMTP connection from www3005.sakura.ne.jp [49.212.207.15]:28890 I=[172.89.0.6]:25 D=21s C=EHLO,STARTTLS',
      '2013-01-04 17:03:46 login authenticator failed for rrcs-24-106-174-74.se.biz.rr.com ([192.168.2.33]) [24.106.174.74]: 535 Incorrect authentication data (set_id=brian)',
    ]);
    expect(ev.map((e) => [e.kind, e.ingress, e.domain, e.reason])).toEqual([
      ['rejection', '[1.2.3.4]:25', 'ml3.ru', 'relay not permitted'],
      ['rejection', undefined, 'maslovskiy.com.ua', 'Sender verify failed'],
    ]);
    expect(stats).toMatchObject({ ignored: 3, unparsed: 0 });
  });

  it('reads Exim lines that came through syslog', () => {
    const { events: ev } = events([
      'Nov 23 18:29:03 mx2 exim[9030]: 2026-11-23 18:29:03 1xVYn0-0002Le-32 <= sender@ok-a.test H=(client.mtaviz.test) [127.0.0.1] P=smtp S=852',
      'Nov 23 18:29:04 mx2 exim[9032]: 1xVYn0-0002Le-32 => user@ok-a.test R=ok_a T=proxy_a H=127.0.0.11 [127.0.0.11] C="250 2.0.0 Ok"',
    ]);
    expect(ev.map((e) => [e.kind, e.ts, e.mta, e.ingress, e.egress])).toEqual([
      ['injection', Date.UTC(2026, 10, 23, 18, 29, 3), 'mx2', 'smtp', undefined],
      ['delivery', Date.UTC(2026, 10, 23, 18, 29, 4), 'mx2', 'smtp', 'proxy_a'],
    ]);
  });
});

describe('Exim helpers', () => {
  it('message IDs of both lengths', () => {
    expect(eximIdLength('1ZsFHb-0004dK-SM =>', 0)).toBe(16);
    expect(eximIdLength('10HmaX-000000005vi-0000 =>', 0)).toBe(23);
    expect(eximIdLength('1vnK2E-00000002Cfc-2ahs <=', 0)).toBe(23);
    expect(eximIdLength('SMTP connection from', 0)).toBe(0);
    expect(eximIdLength('1ZsFHb-0004dK-S =>', 0)).toBe(0);
    expect(eximIdLength('1ZsFHb-0004dKxxxxxxx-SM =>', 0)).toBe(0);
  });

  it('durations', () => {
    expect(eximDurationMs('2s', 0, 2)).toBe(2000);
    expect(eximDurationMs('0.032s', 0, 6)).toBe(32);
    expect(eximDurationMs('1m5s', 0, 4)).toBe(65_000);
    expect(eximDurationMs('1d3h', 0, 4)).toBe(97_200_000);
    expect(eximDurationMs('1w', 0, 2)).toBe(604_800_000);
    expect(eximDurationMs('q.qqqs', 0, 6)).toBe(-1);
    expect(eximDurationMs('5', 0, 1)).toBe(-1);
  });
});
