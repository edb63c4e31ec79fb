import { describe, expect, it } from 'vitest';
import type { MailEvent } from '../../server/protocol/index.js';
import { EventQueue } from '../../client/state/event-queue.js';

const ev = (i: number): MailEvent => ({ ts: i, format: 'json', kind: 'delivery', queueId: String(i) });
const batch = (n: number, from = 0) => Array.from({ length: n }, (_, i) => ev(from + i));

function drain(q: EventQueue, now: number, maxAge = 1000): string[] {
  const out: string[] = [];
  q.take(now, maxAge, (e) => out.push(e.queueId!));
  return out;
}

describe('EventQueue', () => {
  it('releases a frame evenly over the spread, not all at once', () => {
    const q = new EventQueue(100);
    q.push(batch(10), 1000, 100);
    expect(drain(q, 1000)).toEqual(['0']);
    expect(drain(q, 1049)).toEqual(['1', '2', '3', '4']);
    expect(drain(q, 1100)).toEqual(['5', '6', '7', '8', '9']);
    expect(q.length).toBe(0);
  });

  it('continues after a frame still being released (frames arriving in pairs)', () => {
    const q = new EventQueue(100);
    q.push(batch(4), 0, 100);
    q.push(batch(4, 4), 10, 100);
    // The second frame starts where the first ends (t=100), not at t=10.
    expect(drain(q, 99)).toEqual(['0', '1', '2', '3']);
    expect(drain(q, 100)).toEqual(['4']);
    expect(q.drops.late).toBe(0);
  });

  it('catches up after a short delay without dropping anything', () => {
    const q = new EventQueue(1000, 250);
    // Five frames at once after a 100 ms pause, then the normal one frame per 20 ms.
    for (let i = 0; i < 5; i++) q.push(batch(10, i * 10), 0, 20);
    let t = 0;
    for (let i = 5; i < 20; i++) q.push(batch(10, i * 10), (t += 20), 20);
    expect(q.drops.late).toBe(0);
    // Released at double pace while behind, so the lag is back to one tick (it would be five without).
    expect(drain(q, t + 40)).toHaveLength(200);
  });

  it('drops what is still waiting when a pile of frames arrives at once, and counts it', () => {
    const q = new EventQueue(2000, 250);
    // A tab handed 200 frames (4 s at 20 ms) of backlog in one go: only the newest are shown.
    for (let i = 0; i < 200; i++) q.push(batch(10, i * 10), 0, 20);
    expect(q.drops.late).toBeGreaterThan(1500);
    expect(q.drops.late + q.length).toBe(2000);
    const shown = drain(q, 300);
    expect(shown).toContain('1999');
    expect(shown).toHaveLength(q.drops.late === 2000 ? 0 : 2000 - q.drops.late);
  });

  it('drops and counts events that waited longer than the age limit', () => {
    const q = new EventQueue(100);
    q.push(batch(5), 0, 10);
    expect(drain(q, 5000, 1000)).toEqual([]);
    expect(q.drops.late).toBe(5);
    expect(q.length).toBe(0);
  });

  it('drops the oldest when full and counts them', () => {
    const q = new EventQueue(4);
    q.push(batch(6), 0, 0);
    expect(q.drops.overflow).toBe(2);
    expect(drain(q, 0)).toEqual(['2', '3', '4', '5']);
  });

  it('removes picked events in place, keeping the others and their release times', () => {
    const q = new EventQueue(8);
    q.push(batch(6), 0, 60);
    expect(q.remove((e) => Number(e.queueId) % 2 === 0)).toBe(3);
    expect(q.length).toBe(3);
    expect(drain(q, 15)).toEqual(['1']);
    expect(drain(q, 100)).toEqual(['3', '5']);
  });

  it('clear empties the queue and reports how many were discarded', () => {
    const q = new EventQueue(10);
    q.push(batch(3), 0, 10);
    expect(q.clear()).toBe(3);
    expect(drain(q, 100)).toEqual([]);
  });
});
