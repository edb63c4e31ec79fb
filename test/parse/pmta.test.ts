import { describe, expect, it } from 'vitest';
import { splitCsv } from '../../server/parse/pmta.js';
import { eventProblem } from '../../server/parse/schema.js';
import { createPipeline } from '../../server/parse/pipeline.js';
import { config, fixtureLines, NOW, run } from './helpers.js';

function events(lines: string[], overrides = {}) {
  const r = run(lines, { format: 'pmta', ...overrides });
  for (const e of r.events) expect(eventProblem(e), JSON.stringify(e)).toBeUndefined();
  return r;
}

describe('PowerMTA accounting (the public samples)', () => {
  it('bounce records with zoned timestamps, bounce categories, the remote MTA in dsnMta', () => {
    const { events: ev, stats } = events(fixtureLines('pmta/bouncehandler.csv'));
    expect(ev).toEqual([
      {
        ts: Date.UTC(2016, 4, 28, 23, 10, 51),
        format: 'pmta',
        kind: 'bounce',
        egress: 'vmta-mymta04',
        domain: 'domain.com',
        dsn: '5.1.2',
        reason: 'bad-domain: 5.1.2 (bad destination system: no such domain)',
      },
      {
        ts: Date.UTC(2016, 4, 28, 23, 10, 23),
        format: 'pmta',
        kind: 'bounce',
        egress: 'vmta-mymta03',
        destIp: '2.2.2.2',
        domain: 'anotherdomain.com',
        dsn: '5.1.1',
        reason: 'bad-mailbox: 5.1.1 (bad destination mailbox address)',
      },
    ]);
    expect(stats).toMatchObject({ lines: 3, ignored: 1, unparsed: 0 });
  });

  it('a mixed file under a union header, epoch timestamps, the source IP as egress when there is no vmta', () => {
    const { events: ev } = events(fixtureLines('pmta/guide-v4-mixed.csv'));
    expect(ev.map((e) => [e.kind, e.ts, e.egress, e.domain, e.reason])).toEqual([
      ['delivery', 1_178_807_903_000, '10.0.0.1', 'domain.com', undefined],
      ['delivery', 1_178_807_905_000, '10.0.0.1', 'domain.com', undefined],
      ['bounce', 1_178_807_915_000, undefined, 'domain.com', 'policy-related'],
    ]);
  });

  it('custom header fields and no time column: the reading clock', () => {
    const { events: ev } = events(fixtureLines('pmta/sparkypmtatracking.csv'));
    expect(ev).toEqual([{ ts: NOW, format: 'pmta', kind: 'delivery', domain: 'not-orange.fr.bouncy-sink.trymsys.net' }]);
  });
});

describe('PowerMTA: CSV and headers', () => {
  const header = 'type,timeLogged,timeQueued,orig,rcpt,orcpt,dsnAction,dsnStatus,dsnDiag,dsnMta,bounceCat,srcType,srcMta,dlvType,dlvSourceIp,dlvDestinationIp,dlvEsmtpAvailable,dlvSize,vmta,jobId,envId,queue,vmtaPool';

  it('RFC 4180 quoting: commas, doubled quotes, a quoted line break, CRLF', () => {
    const lines = [
      header + '\r',
      't,2026-01-05 08:00:09+0000,2026-01-05 08:00:00+0000,news@sender.example,"jane,doe@example.org",,delayed,4.2.2 (mailbox full),"smtp;452 4.2.2 ""jane,doe"" is over quota",mx.example.org (192.0.2.25),quota-issues,smtp,in.sender.example,smtp,198.51.100.7,192.0.2.25,,4096,vmta-a,job1,,example.org/vmta-a,pool-1\r',
      'b,2026-01-05 08:00:10+0000,2026-01-05 08:00:00+0000,news@sender.example,bob@example.net,,failed,5.1.1 (bad destination mailbox address),"smtp;550 5.1.1 <bob@example.net>',
      'no such user",mx.example.net (192.0.2.26),bad-mailbox,api,,smtp,198.51.100.8,192.0.2.26,,4096,vmta-b,job1,,example.net/vmta-b,pool-1\r',
      'r,2026-01-05 08:00:00+0000,,news@sender.example,carol@example.com,,,,,,,api,,,,,,,,,,,\r',
    ];
    const { events: ev, stats } = events(lines);
    expect(ev).toEqual([
      {
        ts: Date.UTC(2026, 0, 5, 8, 0, 9),
        format: 'pmta',
        kind: 'deferral',
        ingress: 'smtp',
        egress: 'vmta-a',
        destIp: '192.0.2.25',
        domain: 'example.org',
        dsn: '4.2.2',
        delayMs: 9000,
        // The local part, quoted with a comma in it, is masked in the reply text as well.
        reason: 'quota-issues: 452 4.2.2 "***" is over quota',
      },
      {
        ts: Date.UTC(2026, 0, 5, 8, 0, 10),
        format: 'pmta',
        kind: 'bounce',
        ingress: 'api',
        egress: 'vmta-b',
        destIp: '192.0.2.26',
        domain: 'example.net',
        dsn: '5.1.1',
        delayMs: 10_000,
        reason: 'bad-mailbox: 550 5.1.1 <***@example.net> no such user',
      },
      { ts: Date.UTC(2026, 0, 5, 8, 0, 0), format: 'pmta', kind: 'injection', ingress: 'api', domain: 'example.com' },
    ]);
    // The line that opened the quoted break is counted as ignored; its record as the event.
    expect(stats).toMatchObject({ lines: 5, eventLines: 3, ignored: 2, unparsed: 0 });
  });

  it('rows before any header are unparsed, unless a header is configured; a new header row switches', () => {
    const row = 'd,1178807903,orig@port25.com,user1@domain.com,10.0.0.1,';
    expect(events([row]).stats).toMatchObject({ events: 0, unparsed: 1 });
    expect(events([row], { pmtaHeader: 'type,timeLogged,orig,rcpt,dlvSourceIp,bounceCat' }).events).toEqual([
      { ts: 1_178_807_903_000, format: 'pmta', kind: 'delivery', egress: '10.0.0.1', domain: 'domain.com' },
    ]);
    const { events: ev, stats } = events(['type,rcpt,vmta', 'd,a@one.example,v1', 'type,vmta,rcpt', 'd,v2,b@two.example', 'd,short', 'x,a,b', 'f,c,d']);
    expect(ev.map((e) => `${e.egress} ${e.domain}`)).toEqual(['v1 one.example', 'v2 two.example']);
    expect(stats).toMatchObject({ unparsed: 2, ignored: 3 });
  });

  it('a source that ends inside a quoted line break counts the record as incomplete', () => {
    const p = createPipeline(config({ format: 'pmta' }), () => {});
    for (const line of ['type,rcpt,dsnDiag', 'b,a@one.example,"smtp;550 first line']) p.line(line, 'acct');
    p.endSource('acct');
    expect(p.stats()).toMatchObject({ lines: 2, ignored: 2, incomplete: 1, sources: {} });
  });

  it('splitCsv', () => {
    expect(splitCsv('a,"b,c","d""e",,f')).toEqual(['a', 'b,c', 'd"e', '', 'f']);
    expect(splitCsv('"open')).toBeUndefined();
    expect(splitCsv('')).toEqual(['']);
    expect(splitCsv('a,')).toEqual(['a', '']);
  });
});
