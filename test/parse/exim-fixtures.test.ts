// Golden counts for the mainlogs of a real Exim 4.96 run (scripts/capture-exim-fixtures.sh),
// once with the default log_selector and once with a dozen selectors on. The mix mirrors the
// Postfix fixture: listeners on ports 24525 ("smtp") and 24526 ("api"), transports proxy_a,
// proxy_b and out_v6; 20 msgs to ok-a.test, 10 x 2 rcpts to ok-b.test and 4 to down.test
// (nothing listens) on 24525 from 127.0.0.1; 8 to hard.test (5xx) and 5 to v6.test from [::1]
// and 6 to soft.test (4xx) from 127.0.0.1 on 24526; 3 relay rejects; 3 local submissions
// (ok-a; ok-b + soft; an unroutable domain). Deferred mail is tried three times, the last pass
// without retry rules, so it bounces ("retry timeout exceeded"); every bounce makes an Exim
// bounce message (<= <> R=...) delivered to the sender.

import { describe, expect, it } from 'vitest';
import { eventProblem } from '../../server/parse/schema.js';
import { by, fixtureLines, localPartsIn, run } from './helpers.js';

const key = (e: { kind: string; ingress?: string; egress?: string }) => `${e.kind} ${e.ingress ?? '-'} ${e.egress ?? '-'}`;

const WHERE = {
  'injection - - -': 76,
  'delivery 127.0.0.11 ok-a.test 2.0.0': 39,
  'delivery 127.0.0.11 ok-b.test 2.0.0': 23,
  'delivery ::1 v6.test 2.0.0': 5,
  'deferral 127.0.0.12 soft.test 4.3.0': 21,
  // "H=127.0.0.14 [127.0.0.14] Connection refused" precedes each "== ... defer (111)" line.
  'deferral 127.0.0.14 down.test -': 9,
  // "retry time not reached for any host": no connection was tried.
  'deferral - down.test -': 3,
  'bounce 127.0.0.13 hard.test 5.3.0': 8,
  'bounce - nowhere.example -': 1,
  'bounce - soft.test -': 7,
  'bounce - down.test -': 4,
  'rejection - nowhere.example -': 3,
};

describe.each([
  [
    'exim/mainlog-default.log',
    {
      'injection smtp -': 53,
      'injection local -': 3,
      'injection internal -': 20,
      'delivery smtp proxy_a': 20,
      'delivery smtp proxy_b': 20,
      'delivery smtp out_v6': 5,
      'delivery local proxy_a': 1,
      'delivery local proxy_b': 1,
      'delivery internal proxy_a': 18,
      'delivery internal proxy_b': 2,
      'deferral smtp proxy_a': 18,
      'deferral smtp proxy_b': 12,
      'deferral local proxy_a': 3,
      'bounce smtp proxy_b': 12,
      'bounce smtp proxy_a': 6,
      'bounce local proxy_a': 1,
      'bounce local -': 1,
      'rejection - -': 3,
    },
  ],
  [
    // +incoming_interface: the listener (and the client's address family) is on every line.
    'exim/mainlog-selectors.log',
    {
      'injection [127.0.0.1]:24525 -': 34,
      'injection [127.0.0.1]:24526 -': 6,
      'injection [::1]:24526 -': 13,
      'injection local -': 3,
      'injection internal -': 20,
      'delivery [127.0.0.1]:24525 proxy_a': 20,
      'delivery [127.0.0.1]:24525 proxy_b': 20,
      'delivery [::1]:24526 out_v6': 5,
      'delivery local proxy_a': 1,
      'delivery local proxy_b': 1,
      'delivery internal proxy_a': 18,
      'delivery internal proxy_b': 2,
      'deferral [127.0.0.1]:24526 proxy_a': 18,
      'deferral [127.0.0.1]:24525 proxy_b': 12,
      'deferral local proxy_a': 3,
      'bounce [::1]:24526 proxy_b': 8,
      'bounce [127.0.0.1]:24525 proxy_b': 4,
      'bounce [127.0.0.1]:24526 proxy_a': 6,
      'bounce local proxy_a': 1,
      'bounce local -': 1,
      'rejection [127.0.0.1]:24525 -': 3,
    },
  ],
])('%s', (fixture, table) => {
  const lines = fixtureLines(fixture);
  const { events, stats } = run(lines);

  it('reads every line (the indented continuation of a warning included)', () => {
    expect(stats.lines).toBe(291);
    expect(stats.unparsed).toBe(0);
    expect(stats.sources).toEqual({ test: 'exim' });
  });

  it('counts exactly per kind, ingress and egress', () => {
    expect(stats.byKind).toEqual([76, 67, 33, 20, 3]);
    expect(by(events, key)).toEqual(table);
  });

  it('fills destination, domain and DSN', () => {
    expect(by(events, (e) => `${e.kind} ${e.destIp ?? '-'} ${e.domain ?? '-'} ${e.dsn ?? '-'}`)).toEqual(WHERE);
  });

  it('turns the final failure of deferred mail into bounces through the transport last tried', () => {
    const final = events.filter((e) => e.reason === 'retry timeout exceeded');
    expect(by(final, (e) => `${e.egress} ${e.domain}`)).toEqual({ 'proxy_a soft.test': 7, 'proxy_b down.test': 4 });
  });

  it('emits only schema-valid events without address local parts, and forgets completed messages', () => {
    for (const e of events) expect(eventProblem(e), JSON.stringify(e)).toBeUndefined();
    const text = JSON.stringify(events);
    for (const local of localPartsIn(lines)) expect(text).not.toContain(`${local}@`);
    expect(text).toContain('<***@hard.test>');
    expect(stats.correlation).toMatchObject({ size: 0, evictions: 0 });
  });
});

describe('exim selectors', () => {
  it('takes the delay from QT= when it is logged, else from the arrival line', () => {
    const rich = run(fixtureLines('exim/mainlog-selectors.log')).events;
    const plain = run(fixtureLines('exim/mainlog-default.log')).events;
    for (const e of [...rich, ...plain].filter((x) => x.kind === 'delivery')) expect(e.delayMs).toBeGreaterThanOrEqual(0);
    // +millisec: millisecond timestamps.
    expect(rich.some((e) => e.ts % 1000 !== 0)).toBe(true);
    expect(plain.every((e) => e.ts % 1000 === 0)).toBe(true);
  });

  it('egress from the outgoing interface (I= on delivery lines, port dropped) when mapped', () => {
    const { events } = run(fixtureLines('exim/mainlog-selectors.log'), { fields: { exim: { egress: ['interface', 'transport'] } } });
    expect(by(events.filter((e) => e.kind === 'delivery'), (e) => e.egress ?? '-')).toEqual({
      '127.0.0.2': 20 + 1 + 18,
      '127.0.0.3': 20 + 1 + 2,
      '::1': 5,
    });
  });
});
