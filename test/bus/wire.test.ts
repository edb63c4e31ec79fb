// The bus wire format: compact batches decode to exactly the events that went
// in, and anything else that arrives on a subject is answered with a reason,
// never a throw.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BatchEncoder, decodeBatch, decodeReport, WIRE_VERSION, type BoxReport } from '../../server/bus/wire.js';
import { FORMATS, KINDS, type MailEvent, type StatsMessage } from '../../server/protocol/index.js';

const name = fc.string({ minLength: 1, maxLength: 40 });
const event: fc.Arbitrary<MailEvent> = fc.record(
  {
    ts: fc.integer({ min: 0, max: 4_000_000_000_000 }),
    format: fc.constantFrom(...FORMATS),
    kind: fc.constantFrom(...KINDS),
    mta: name,
    ingress: name,
    egress: name,
    destIp: fc.ipV4(),
    domain: name,
    dsn: fc.constantFrom('2.0.0', '4.4.1', '5.1.1'),
    delayMs: fc.nat(1_000_000),
    queueId: name,
    reason: fc.string({ minLength: 1, maxLength: 256 }),
  },
  { requiredKeys: ['ts', 'format', 'kind'] },
);

const header = { box: 'b1', boot: 'boot-1', seq: 3, upto: 1000 };

describe('event batches', () => {
  it('decode to exactly the events encoded, in order', () => {
    fc.assert(
      fc.property(fc.array(event, { maxLength: 60 }), (events) => {
        const enc = new BatchEncoder();
        for (const ev of events) enc.add(ev);
        const decoded = decodeBatch(enc.take({ ...header, upto: Math.max(header.upto, events.length) }));
        if (typeof decoded === 'string') throw new Error(decoded);
        expect(decoded.badEvents).toBe(0);
        expect(decoded.events).toEqual(events);
        expect(enc.size).toBe(0);
      }),
    );
  });

  it('store repeated strings once: a batch of Postfix-like events is far smaller than their JSON', () => {
    const enc = new BatchEncoder();
    const events: MailEvent[] = [];
    for (let i = 0; i < 500; i++) {
      const ev: MailEvent = {
        ts: 1_795_000_000_000 + i,
        format: 'postfix',
        kind: i % 10 === 0 ? 'deferral' : 'delivery',
        mta: `mx${i % 4}`,
        ingress: 'in-smtp',
        egress: `proxy-${i % 3}`,
        destIp: `${10 + (i % 200)}.1.2.3`,
        domain: ['gmail.com', 'outlook.com', 'yahoo.com'][i % 3]!,
        dsn: i % 10 === 0 ? '4.4.1' : '2.0.0',
        delayMs: 420,
        queueId: (0x100000 + i).toString(16).toUpperCase(),
      };
      events.push(ev);
      enc.add(ev);
    }
    const compact = enc.take(header).length;
    expect(compact).toBeLessThan(JSON.stringify(events).length / 2);
  });

  it('skip malformed tuples, counted, and keep the rest', () => {
    const text = JSON.stringify({
      v: WIRE_VERSION,
      ...header,
      t0: 1000,
      dict: ['postfix', 'mx1'],
      ev: [[0, 1, -1, 1, 2], [0, 9, -1, 1], 'x', [0, 1, -1, 7], [0, 1, -1, 1, 2.5], [1, 0, 5, 1]],
    });
    const decoded = decodeBatch(text);
    if (typeof decoded === 'string') throw new Error(decoded);
    expect(decoded.events).toEqual([
      { ts: 1000, format: 'postfix', kind: 'delivery', mta: 'mx1' },
      { ts: 1001, format: 'postfix', kind: 'injection', delayMs: 5 },
    ]);
    expect(decoded.badEvents).toBe(4);
  });

  it('answer anything else with a reason, never a throw', () => {
    for (const bad of ['', 'null', '[]', '{"v":2}', JSON.stringify({ v: 1, ...header, seq: 0, t0: 0, dict: [], ev: [] }), JSON.stringify({ v: 1, ...header, upto: 0, t0: 0, dict: [], ev: [[0, 0, -1, 1]] })]) {
      expect(typeof decodeBatch(bad)).toBe('string');
    }
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v))), (text) => {
        expect(() => decodeBatch(text)).not.toThrow();
        expect(() => decodeReport(text)).not.toThrow();
      }),
    );
  });
});

describe('reports', () => {
  const stats: StatsMessage = {
    type: 'stats',
    at: 5,
    uptimeMs: 5,
    lines: 10,
    unparsed: 1,
    events: 3,
    byKind: [1, 1, 1, 0, 0],
    nodes: { 'mta:mx1': [1, 1, 1, 0, 0] },
    edges: {},
    rate: { linesPerSec: 0, eventsPerSec: 0, byKind: [0, 0, 0, 0, 0] },
    sampleRatio: 1,
    drops: { frames: 0, events: 0, evictions: 0 },
    sources: {},
  };
  const report: BoxReport = {
    v: WIRE_VERSION,
    box: 'b1',
    boot: 'boot-1',
    startedAt: 1,
    seq: 0,
    upto: 0,
    publisher: { batches: 0, events: 0, droppedBatches: 0, droppedEvents: 0, oversize: 0 },
    stats,
  };

  it('decode when whole, and name what is wrong otherwise', () => {
    expect(decodeReport(JSON.stringify(report))).toEqual(report);
    expect(decodeReport(JSON.stringify({ ...report, stats: { ...stats, byKind: [1, 2] } }))).toMatch(/totals/);
    expect(decodeReport(JSON.stringify({ ...report, stats: { ...stats, nodes: { x: [1, 2, 3, 4, -5] } } }))).toMatch(/nodes/);
    expect(decodeReport(JSON.stringify({ ...report, publisher: {} }))).toMatch(/publisher/);
    expect(decodeReport(JSON.stringify({ ...report, v: 99 }))).toMatch(/version/);
  });
});
