import { describe, expect, it } from 'vitest';
import type { EventsMessage, MailEvent, StatsMessage } from '../../server/protocol/index.js';
import { DEFAULTS, Settings } from '../../client/state/settings.js';
import { Store } from '../../client/state/store.js';

const ev = (kind: MailEvent['kind'], i = 0): MailEvent => ({ ts: i, format: 'postfix', kind, mta: 'mx1' });
const frame = (seq: number, events: MailEvent[], input = events.length): EventsMessage => ({ type: 'events', seq, input, events });
const hello = { type: 'hello', protocol: 1, server: 'test', limits: { rate: 1000, tickMs: 20, maxClientMessageBytes: 4096 }, showAddresses: false } as const;

function queued(store: Store): string[] {
  const out: string[] = [];
  store.queue.take(Infinity, Infinity, (e) => out.push(e.kind));
  return out;
}

function stats(at: number, uptimeMs: number, nodes: Record<string, [number, number, number, number, number]>): StatsMessage {
  return {
    type: 'stats', at, uptimeMs, lines: 0, unparsed: 0, events: 0, byKind: [0, 0, 0, 0, 0], nodes, edges: {},
    rate: { linesPerSec: 0, eventsPerSec: 0, byKind: [0, 0, 0, 0, 0] }, sampleRatio: 1,
    drops: { frames: 0, events: 0, evictions: 0 }, sources: {},
  };
}

describe('Store', () => {
  it('queues events and counts them per kind', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onHello(hello, 0);
    s.onEvents(frame(1, [ev('injection'), ev('delivery'), ev('bounce')]), 0);
    expect(s.received).toEqual([1, 1, 0, 1, 0]);
    expect(queued(s)).toEqual(['injection', 'delivery', 'bounce']);
  });

  it('skips and counts events without a known kind, prototype names included', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    const junk = [null, 42, { kind: 'constructor' }, { kind: 'toString' }, { nokind: 1 }] as unknown as MailEvent[];
    s.onEvents(frame(1, [...junk, ev('delivery')]), 0);
    expect(s.badEvents).toBe(5);
    expect(queued(s)).toEqual(['delivery']);
  });

  it('drops what arrives while the tab is hidden, and what was queued when it hid, counting both', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onEvents(frame(1, [ev('delivery'), ev('delivery')]), 0);
    s.setHidden(true);
    s.onEvents(frame(2, [ev('delivery')]), 10);
    expect(s.drops.hidden).toBe(3);
    expect(s.queue.length).toBe(0);
    s.setHidden(false);
    s.onEvents(frame(3, [ev('injection')]), 20);
    expect(queued(s)).toEqual(['injection']);
    expect(s.totalDrops()).toBe(3);
  });

  it('does not queue while paused and empties the queue on pausing', () => {
    const settings = new Settings(DEFAULTS);
    const s = new Store(settings, 0);
    s.onEvents(frame(1, [ev('delivery')]), 0);
    settings.set('paused', true);
    s.onEvents(frame(2, [ev('delivery')]), 0);
    expect(s.drops.paused).toBe(2);
    expect(s.queue.length).toBe(0);
    expect(s.totalDrops()).toBe(0);
  });

  it('squelches deferrals, bounces and rejections when errors are off, including those already queued', () => {
    const settings = new Settings(DEFAULTS);
    const s = new Store(settings, 0);
    s.onEvents(frame(1, [ev('deferral'), ev('delivery'), ev('rejection')]), 0);
    settings.set('errors', false);
    s.onEvents(frame(2, [ev('bounce'), ev('injection')]), 0);
    expect(queued(s)).toEqual(['delivery', 'injection']);
    expect(s.squelched).toBe(3);
    settings.set('errors', true);
    s.onEvents(frame(3, [ev('bounce')]), 0);
    expect(queued(s)).toEqual(['bounce']);
  });

  it('keeps counting the daemon\'s drops for this page across reconnects', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onHello(hello, 0);
    s.onClientStats({ type: 'client', framesDropped: 2, eventsDropped: 30 });
    s.onHello(hello, 10);
    expect(s.serverDrops).toEqual({ frames: 2, events: 30 });
    s.onClientStats({ type: 'client', framesDropped: 1, eventsDropped: 5 });
    expect(s.serverDrops).toEqual({ frames: 3, events: 35 });
    expect(s.totalDrops()).toBe(35);
  });

  it('counts frames missing from the sequence', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onEvents(frame(1, []), 0);
    s.onEvents(frame(2, []), 0);
    s.onEvents(frame(5, []), 0);
    expect(s.seqGaps).toBe(2);
  });

  it('works out how many messages a ball stands for from the frames', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    expect(s.messagesPerBall(0)).toBe(1);
    s.onEvents(frame(1, [ev('delivery'), ev('delivery')], 10), 100);
    s.onEvents(frame(2, [ev('delivery'), ev('delivery')], 6), 200);
    expect(s.messagesPerBall(300)).toBe(4);
    expect(s.messagesPerBall(10_000)).toBe(1);
  });

  it('counts recoveries: a hello after the first is a reconnect', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onHello(hello, 0);
    expect(s.conn).toMatchObject({ state: 'live', reconnects: 0 });
    s.setConnState('down', 10);
    s.onHello(hello, 20);
    expect(s.conn).toMatchObject({ state: 'live', reconnects: 1, since: 20 });
  });

  it('derives per-node rates from consecutive stats and ignores a daemon restart', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onStats(stats(1000, 5000, { 'mta:mx1': [10, 0, 0, 0, 0] }));
    s.onStats(stats(3000, 7000, { 'mta:mx1': [30, 10, 0, 0, 0] }));
    expect(s.nodeRates.perNode.get('mta:mx1')).toBe(15);
    s.onStats(stats(4000, 100, { 'mta:mx1': [1, 0, 0, 0, 0] }));
    expect(s.nodeRates.perNode.size).toBe(0);
  });
});
