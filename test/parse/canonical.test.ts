import { describe, expect, it } from 'vitest';
import { eventProblem } from '../../server/parse/schema.js';
import { fixtureLines, run } from './helpers.js';

describe('canonical JSON lines', () => {
  it('reads back what the Postfix parser emitted, event for event', () => {
    const original = run(fixtureLines('postfix/maillog.log')).events;
    const again = run(original.map((e) => JSON.stringify(e)), { format: 'json' });
    expect(again.events).toEqual(original);
    expect(again.stats).toMatchObject({ unparsed: 0, eventLines: original.length });
  });

  it('keeps only known fields, rounds fractional ms, defaults the format, masks addresses', () => {
    const { events } = run(
      [
        JSON.stringify({ ts: 1700000000000.7, kind: 'bounce', mta: 'mx1', egress: 'proxy-a', reason: '550 <jane@example.com> unknown', extra: { x: 1 }, host: 'h' }),
        JSON.stringify({ ts: 1700000000000, format: 'exim', kind: 'delivery', destIp: '2001:db8::1', domain: 'example.com', delayMs: 12.5 }),
      ],
      { format: 'json' },
    );
    expect(events).toEqual([
      { ts: 1700000000001, format: 'json', kind: 'bounce', mta: 'mx1', egress: 'proxy-a', reason: '550 <***@example.com> unknown' },
      { ts: 1700000000000, format: 'exim', kind: 'delivery', destIp: '2001:db8::1', domain: 'example.com', delayMs: 12.5 },
    ]);
  });

  it('refuses events outside the schema, counting each as unparsed', () => {
    const bad = [
      '{"ts": "now", "kind": "delivery"}',
      '{"ts": 1, "kind": "opened"}',
      '{"ts": 1, "kind": "delivery", "format": "sendmail"}',
      '{"ts": 1, "kind": "delivery", "destIp": "999.1.1.1"}',
      '{"ts": 1, "kind": "delivery", "dsn": "2.0"}',
      '{"ts": 1, "kind": "delivery", "domain": "jane@example.com"}',
      '{"ts": 1, "kind": "delivery", "delayMs": -5}',
      '{"ts": 1, "kind": "delivery", "egress": ""}',
      `{"ts": 1, "kind": "delivery", "mta": "${'m'.repeat(300)}"}`,
      '{"ts": -1, "kind": "delivery"}',
      '[{"ts": 1, "kind": "delivery"}]',
      '{"ts": 1, "kind": "delivery"',
      'not json',
    ];
    const { events, stats } = run(bad, { format: 'json' });
    expect(events).toEqual([]);
    expect(stats).toMatchObject({ lines: bad.length, unparsed: bad.length });
  });
});

describe('eventProblem', () => {
  it('names what is wrong', () => {
    expect(eventProblem({ ts: 1, format: 'postfix', kind: 'delivery' })).toBeUndefined();
    expect(eventProblem({ ts: 1, format: 'postfix', kind: 'delivery', egress: undefined })).toBe('field "egress" is undefined');
    expect(eventProblem({ ts: 1, format: 'postfix', kind: 'delivery', color: 'red' })).toBe('unknown field "color"');
    expect(eventProblem({ ts: 1.5, format: 'postfix', kind: 'delivery' })).toBe('ts is not epoch milliseconds');
    expect(eventProblem({ ts: 1, format: 'postfix', kind: 'delivery', reason: 'x'.repeat(257) })).toMatch(/^reason is not/);
    expect(eventProblem({ ts: 1, format: 'postfix', kind: 'delivery', ingress: ' padded' })).toMatch(/^ingress is not/);
    expect(eventProblem(null)).toBe('not an object');
  });
});
