// Property tests for every parser: arbitrary input and mutations of the real fixture lines
// never make a parser throw or emit an event outside the schema, and address local parts never
// get out unless the operator opted in.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Format, MailEvent } from '../../server/protocol/index.js';
import { createPipeline } from '../../server/parse/pipeline.js';
import { eventProblem } from '../../server/parse/schema.js';
import { config, fixtureLines, NOW } from './helpers.js';

const FIXTURES: Record<Format, string[]> = {
  postfix: [...fixtureLines('postfix/maillog.log'), ...fixtureLines('postfix/syslog-rfc3339.log').slice(0, 200), ...fixtureLines('postfix/syslog-5424.log').slice(0, 100)],
  exim: [...fixtureLines('exim/mainlog-default.log'), ...fixtureLines('exim/mainlog-selectors.log')],
  sparkpost: [...fixtureLines('sparkpost/webhook-records.ndjson'), ...fixtureLines('sparkpost/webhook-batch.json'), ...fixtureLines('sparkpost/momentum-delivery.json')],
  pmta: [...fixtureLines('pmta/bouncehandler.csv'), ...fixtureLines('pmta/guide-v4-mixed.csv')],
  json: [
    '{"ts":1795457630000,"format":"postfix","kind":"delivery","mta":"mx1","ingress":"elb-smtp","egress":"proxy-a","destIp":"127.0.0.1","domain":"ok-a.test","dsn":"2.0.0","delayMs":110,"queueId":"A786B20E505"}',
    '{"ts":1795457630000,"kind":"bounce","reason":"550 5.1.1 <jane@example.com>: unknown user"}',
  ],
};
const FORMATS = Object.keys(FIXTURES) as Format[];

/** A local-part character followed by '@' is an address that got out unmasked ("***@x" is fine). */
const UNMASKED = /[A-Za-z0-9._%+=!#$&'^`{}|~-]@/;

interface Outcome {
  events: MailEvent[];
  lines: number;
  accounted: number;
}

function feed(format: Format | 'auto', lines: readonly string[], showAddresses = false): Outcome {
  const events: MailEvent[] = [];
  const p = createPipeline(config({ format, showAddresses }), (e) => events.push(e), { now: () => NOW });
  for (const line of lines) p.line(line, 'prop');
  const s = p.stats();
  p.close();
  return { events, lines: s.lines, accounted: s.eventLines + s.ignored + s.unparsed };
}

function checkSafe(o: Outcome, n: number): void {
  expect(o.lines).toBe(n);
  expect(o.accounted).toBe(n);
  for (const e of o.events) {
    const problem = eventProblem(e);
    if (problem !== undefined) throw new Error(`${problem}: ${JSON.stringify(e)}`);
    const text = JSON.stringify(e);
    if (UNMASKED.test(text)) throw new Error(`unmasked address in ${text}`);
  }
}

/** One edit of a line: the kinds of damage transports and bad tools do. */
const mutation = (line: string) =>
  fc.oneof(
    fc.nat(line.length).map((i) => line.slice(0, i)), // truncated
    fc.tuple(fc.nat(line.length), fc.nat(40)).map(([i, n]) => line.slice(0, i) + line.slice(i + n)), // a range lost
    fc.tuple(fc.nat(line.length), fc.string({ maxLength: 12 })).map(([i, s]) => line.slice(0, i) + s + line.slice(i)), // junk inserted
    fc.tuple(fc.nat(line.length), fc.constantFrom('<', '>', '[', ']', ':', ',', '"', '@', '=', ' ', '\t', '(', ')', '{', '}', '\\', '\uFFFD', '\u00e9', '0', '.'))
      .map(([i, c]) => line.slice(0, i) + c + line.slice(i + 1)), // one character replaced
    fc.tuple(fc.nat(line.length), fc.nat(line.length)).map(([i, j]) => line.slice(0, Math.min(i, j)) + line.slice(Math.max(i, j)) + line.slice(Math.min(i, j), Math.max(i, j))), // segments swapped
    fc.nat(line.length).map((i) => line.slice(0, i) + line.slice(i).replace(/\d/g, '9')), // digits overflowed
    fc.constant(line + line), // two lines glued
  );

const mutatedLines = (format: Format) =>
  fc.array(
    fc.constantFrom(...FIXTURES[format]).chain((line) => fc.oneof({ weight: 1, arbitrary: fc.constant(line) }, { weight: 3, arbitrary: mutation(line) })),
    { minLength: 1, maxLength: 60 },
  );

describe.each(FORMATS)('%s parser', (format) => {
  it('survives arbitrary strings: every line accounted for, every event valid and masked', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.string({ maxLength: 300 }), fc.string({ unit: 'binary', maxLength: 300 })), { maxLength: 30 }), (lines) => {
        checkSafe(feed(format, lines), lines.length);
      }),
      { numRuns: 150 },
    );
  });

  it('survives mutations of real lines, in sequence (correlation state included)', () => {
    fc.assert(
      fc.property(mutatedLines(format), (lines) => {
        checkSafe(feed(format, lines), lines.length);
      }),
      { numRuns: 200 },
    );
  });
});

describe('auto-detection', () => {
  it('survives any interleaving of mutated lines of every format on one source', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...FORMATS).chain(mutatedLines), { minLength: 1, maxLength: 4 }), (groups) => {
        const lines = groups.flat();
        checkSafe(feed('auto', lines), lines.length);
      }),
      { numRuns: 100 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Addresses: real lines with their addresses swapped for generated ones, in every place a
// parser reads (envelope fields, reason text, quoted, bare, alone in reply text).

/** Local parts that cannot occur by chance in the rest of the line. */
const localPart = fc
  .tuple(fc.stringMatching(/^[a-z0-9]{6,12}$/), fc.constantFrom('', '.', '+', '-', '_', '='), fc.stringMatching(/^[a-z0-9]{0,4}$/))
  .map(([a, sep, b]) => `zq${a}${b ? sep + b : ''}`);

/** Replaces every address in `line` with `local@domain`, keeping the original domain. */
function withLocal(line: string, local: string): string {
  return line.replace(/[A-Za-z0-9._+=-]+@(?=[A-Za-z0-9.-]+\.[A-Za-z]{2,})/g, `${local}@`);
}

/** Reply texts that quote the recipient in the shapes MTAs use. */
const REPLIES = [
  (l: string, d: string) => `550 5.1.1 <${l}@${d}>: Recipient address rejected: User unknown in virtual mailbox table`,
  (l: string) => `unknown user: "${l}"`,
  (l: string, d: string) => `host mx.${d}[192.0.2.1] said: 550 5.1.1 ${l}@${d}... No such user (in reply to RCPT TO command)`,
  (l: string, d: string) => `550-5.1.1 The email account ${l}@${d} does not exist.\r\n550 5.1.1 Try again`,
  (l: string) => `mailbox ${l} is over quota`,
];

function addressLines(format: Format, local: string, reply: (l: string, d: string) => string): string[] {
  const r = reply(local, 'example.org');
  switch (format) {
    case 'postfix':
      return [
        ...FIXTURES.postfix.slice(0, 300).map((l) => withLocal(l, local)),
        `Jan 05 08:00:00 mx postfix/smtp[2]: AB12CD34EF: to=<${local}@example.org>, relay=mx.example.org[192.0.2.1]:25, delay=1, delays=0/0/0/1, dsn=5.1.1, status=bounced (${r.replace(/\r\n/g, ' ')})`,
        `Jan 05 08:00:00 mx postfix/local[2]: AB12CD34EE: to=${local}@localhost, relay=local, delay=0.05, delays=0.02/0/0/0.02, dsn=5.1.1, status=bounced (unknown user: "${local}")`,
        `Jan 05 08:00:00 mx postfix/smtpd[3]: NOQUEUE: reject: RCPT from x[192.0.2.9]: 450 4.2.0 <${local}@example.org>: ${r.replace(/\r\n/g, ' ')}; from=<${local}@example.com> to=<${local}@example.org> proto=ESMTP helo=<x>`,
      ];
    case 'exim':
      return [
        ...FIXTURES.exim.slice(0, 200).map((l) => withLocal(l, local)),
        `2026-01-05 08:00:00 1xVYmq-0002Dg-3A ** ${local}@example.org R=r T=t H=mx [192.0.2.1]: ${r.replace(/\r\n/g, ' ')}`,
        `2026-01-05 08:00:00 1xVYmq-0002Dh-3A == ${local} <${local}@example.org> R=r T=t defer (-44): ${r.replace(/\r\n/g, ' ')}`,
        `2026-01-05 08:00:00 H=(x) [192.0.2.9] F=<${local}@example.com> rejected RCPT <${local}@example.org>: ${r.replace(/\r\n/g, ' ')}`,
      ];
    case 'sparkpost':
      return [
        ...FIXTURES.sparkpost.map((l) => withLocal(l, local)),
        JSON.stringify([{ msys: { message_event: { type: 'bounce', timestamp: '1', rcpt_to: `${local}@example.org`, raw_rcpt_to: `${local}@example.org`, msg_from: `${local}@example.com`, raw_reason: r, bounce_class: '10' } } }]),
        JSON.stringify({ type: 'delay', timestamp: '1', rcpt_to: `${local}@example.org`, reason: r }),
      ];
    case 'pmta':
      return [
        ...FIXTURES.pmta.map((l) => withLocal(l, local)),
        'type,timeLogged,orig,rcpt,dsnStatus,dsnDiag,vmta',
        `b,1178807903,${local}@example.com,${local}@example.org,5.1.1 (bad destination mailbox address),"smtp;${r.replace(/"/g, '""')}",v1`,
      ];
    case 'json':
      return [JSON.stringify({ ts: 1, kind: 'bounce', reason: r, egress: `pool-${local}@tenant` })];
  }
}

describe.each(FORMATS)('%s parser and addresses', (format) => {
  // A canonical event names no recipient, so a local part standing alone in its reason
  // ("mailbox jane is over quota") cannot be told from any other word; address shapes can.
  const replies = format === 'json' ? REPLIES.filter((r) => r('x', 'y').includes('x@y')) : REPLIES;

  it('never lets a local part out, however the line quotes it', () => {
    fc.assert(
      fc.property(localPart, fc.constantFrom(...replies), (local, reply) => {
        const lines = addressLines(format, local, reply);
        const { events } = feed(format, lines);
        const text = JSON.stringify(events);
        expect(text).not.toContain(local);
        expect(text).not.toMatch(UNMASKED);
      }),
      { numRuns: 40 },
    );
  });
});

describe('--show-addresses', () => {
  it('lets the addresses in reply texts through', () => {
    fc.assert(
      fc.property(localPart, (local) => {
        for (const format of ['postfix', 'exim', 'sparkpost', 'pmta'] as const) {
          const { events } = feed(format, addressLines(format, local, REPLIES[0]!), true);
          expect(JSON.stringify(events), format).toContain(`${local}@example.org`);
        }
      }),
      { numRuns: 10 },
    );
  });
});
