// The publisher's bounded buffer: what it keeps, what it drops (counted),
// and what goes out again after a dropped connection.

import { describe, expect, it } from 'vitest';
import { Backoff } from '../../server/bus/connection.js';
import { Outbox } from '../../server/bus/outbox.js';

const batch = (n: number, bytes = 100) => ({ data: new Uint8Array(bytes).fill(n), events: n });
const report = (tag: number) => ({ data: new Uint8Array(50).fill(tag), events: 0, report: true });

function drain(o: Outbox): number[] {
  const out: number[] = [];
  for (let e = o.next(); e; e = o.next()) out.push(e.report ? -e.data[0]! : e.events);
  return out;
}

describe('Outbox', () => {
  it('drops the oldest unsent batches past its limit, counting batches and events', () => {
    const o = new Outbox(250);
    for (let i = 1; i <= 5; i++) o.push(batch(i));
    expect(o.buffered).toBeLessThanOrEqual(250);
    expect(o.droppedBatches).toBe(3);
    expect(o.droppedEvents).toBe(1 + 2 + 3);
    expect(drain(o)).toEqual([4, 5]);
  });

  it('keeps one report, the latest, behind the batches cut before it, and never drops it', () => {
    const o = new Outbox(250);
    o.push(batch(1));
    o.push(report(1));
    o.push(batch(2));
    o.push(report(2));
    o.push(batch(3));
    o.push(batch(4));
    // 1 and 2 dropped for room; the older report superseded; the newer one kept in its place.
    expect(drain(o)).toEqual([-2, 3, 4]);
    expect(o.droppedBatches).toBe(2);
  });

  it('sends again what was in flight when the connection dropped, and forgets what was confirmed', () => {
    const o = new Outbox(10_000);
    for (let i = 1; i <= 4; i++) o.push(batch(i));
    expect(drain(o).length).toBe(4);
    o.confirm(2);
    o.rewind();
    expect(drain(o)).toEqual([3, 4]);
    o.confirm(2);
    expect(o.empty).toBe(true);
    expect(o.droppedBatches).toBe(0);
  });

  it('keeps in-flight bytes out of the limit', () => {
    const o = new Outbox(250);
    o.push(batch(1));
    o.push(batch(2));
    expect(drain(o)).toEqual([1, 2]);
    o.push(batch(3));
    o.push(batch(4));
    expect(o.droppedBatches).toBe(0);
    expect(o.buffered).toBe(200);
  });
});

describe('Backoff', () => {
  it('doubles from 100 ms up to its cap, with jitter in the upper half, stable until the next failure', () => {
    let r = 0;
    const b = new Backoff(1000, () => r);
    const seen: number[] = [];
    for (let i = 0; i < 6; i++) {
      r = i % 2 ? 0.999 : 0;
      seen.push(b.delay());
      expect(b.delay()).toBe(seen.at(-1));
      b.fail();
    }
    expect(seen).toEqual([50, 200, 200, 800, 500, 1000]);
    r = 0;
    b.reset();
    expect(b.delay()).toBe(50);
  });
});
