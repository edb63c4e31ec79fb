import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Correlator } from '../../server/parse/correlator.js';

type Op = { op: 'touch' | 'remove' | 'get'; host: string; id: string; dt: number };

/** The policy in plain terms: creation order, evict the oldest beyond capacity or TTL. */
class Model {
  entries: { host: string; id: string; created: number }[] = [];
  evictions = 0;
  constructor(
    readonly max: number,
    readonly ttl: number,
  ) {}
  find(host: string, id: string) {
    return this.entries.findIndex((e) => e.host === host && e.id === id);
  }
  touch(host: string, id: string, now: number) {
    if (this.find(host, id) >= 0) return;
    while (this.entries.length && this.entries[0]!.created < now - this.ttl) {
      this.entries.shift();
      this.evictions++;
    }
    if (this.entries.length >= this.max) {
      this.entries.shift();
      this.evictions++;
    }
    this.entries.push({ host, id, created: now });
  }
  remove(host: string, id: string) {
    const i = this.find(host, id);
    if (i >= 0) this.entries.splice(i, 1);
  }
}

describe('Correlator', () => {
  it('behaves like its model under any mix of operations (capacity, TTL, several hosts)', () => {
    const op = fc.record({
      op: fc.constantFrom<'touch' | 'remove' | 'get'>('touch', 'touch', 'remove', 'get'),
      host: fc.constantFrom('', 'mx1', 'mx2'),
      id: fc.constantFrom('A', 'B', 'C', 'D', 'E', 'F'),
      dt: fc.integer({ min: 0, max: 40 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 10, max: 100 }), fc.array(op, { maxLength: 80 }), (max, ttl, ops: Op[]) => {
        const c = new Correlator(max, ttl);
        const m = new Model(max, ttl);
        let now = 0;
        for (const o of ops) {
          now += o.dt;
          if (o.op === 'touch') {
            c.touch(o.host, o.id, now).ingress = `${o.host}/${o.id}`;
            m.touch(o.host, o.id, now);
          } else if (o.op === 'remove') {
            c.remove(o.host, o.id);
            m.remove(o.host, o.id);
          }
          for (const host of ['', 'mx1', 'mx2']) {
            for (const id of ['A', 'B', 'C', 'D', 'E', 'F']) {
              const present = m.find(host, id) >= 0;
              expect(c.get(host, id)?.ingress).toBe(present ? `${host}/${id}` : undefined);
            }
          }
          expect(c.counters).toEqual({ size: m.entries.length, evictions: m.evictions });
          expect(c.counters.size).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('clear() empties it', () => {
    const c = new Correlator(10, 1000);
    c.touch('mx', 'A', 0);
    c.clear();
    expect(c.get('mx', 'A')).toBeUndefined();
    expect(c.counters.size).toBe(0);
  });
});
