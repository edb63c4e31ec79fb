// Alarm evaluation against a reference: the windowed value of each target is
// the difference of cumulative counters one window apart, recomputed here by
// brute force from the per-second increments fed in.

import { describe, expect, it } from 'vitest';
import { parseAlarmRule } from '../../server/insight/alarm-rule.js';
import { Alarms } from '../../server/insight/alarms.js';
import type { KindCounts, StatsMessage } from '../../server/protocol/index.js';

const T0 = 1_700_000_000_000;

function stats(at: number, nodes: Record<string, KindCounts>, providers: Record<string, KindCounts> = {}): StatsMessage {
  const byKind: KindCounts = [0, 0, 0, 0, 0];
  for (const c of Object.values(nodes)) if (Object.keys(nodes).length) c.forEach((n, i) => (byKind[i]! += n));
  return {
    type: 'stats',
    at,
    uptimeMs: at - T0,
    lines: 0,
    unparsed: 0,
    events: 0,
    byKind,
    nodes,
    edges: {},
    rate: { linesPerSec: 0, eventsPerSec: 0, byKind: [0, 0, 0, 0, 0] },
    sampleRatio: 1,
    drops: { frames: 0, events: 0, evictions: 0 },
    sources: {},
    providers,
  };
}

/** Per-second increments [deliveries, deferrals] for egress a and b. */
function feed(seconds: number, perSecond: (s: number) => Record<string, [number, number]>) {
  const cum: Record<string, KindCounts>[] = [{}];
  for (let s = 1; s <= seconds; s++) {
    const prev = cum[s - 1]!;
    const next: Record<string, KindCounts> = {};
    for (const [id, c] of Object.entries(prev)) next[id] = c.slice() as KindCounts;
    for (const [id, [del, def]] of Object.entries(perSecond(s))) {
      const c = (next[id] ??= [0, 0, 0, 0, 0]);
      c[1] += del;
      c[2] += def;
    }
    cum.push(next);
  }
  return cum;
}

describe('alarms over a sliding window of exact counters', () => {
  it('fires and clears exactly when the windowed share crosses the threshold', () => {
    const rule = parseAlarmRule('deferral share per egress > 50% over 5s min 10');
    const alarms = new Alarms([rule], T0);
    // a: healthy, then 6 s of mostly deferrals, then healthy again; b: always healthy.
    const cum = feed(30, (s) => ({
      'egress:a': s > 10 && s <= 16 ? [2, 18] : [10, 0],
      'egress:b': [7, 1],
    }));
    const events: { at: number; changed: boolean; active: string[] }[] = [];
    for (let s = 1; s <= 30; s++) {
      const out = alarms.evaluate(stats(T0 + s * 1000, cum[s]!));
      // Reference: difference of the cumulative counts 5 s apart (or since start).
      const base = cum[Math.max(0, s - 5)]!;
      for (const id of ['egress:a', 'egress:b']) {
        const now = cum[s]![id]!;
        const then = base[id] ?? [0, 0, 0, 0, 0];
        const def = now[2] - then[2];
        const att = now[1] + now[2] + now[3] - (then[1] + then[2] + then[3]);
        const reading = alarms.readings().find((r) => r.target === id)!;
        if (att >= 10) expect(reading.value).toBeCloseTo(def / att, 12);
        else expect(reading.value).toBeUndefined();
        expect(reading.active).toBe(att >= 10 && def / att > 0.5);
      }
      if (out) events.push({ at: s, changed: out.changed, active: out.message.active.map((a) => a.target) });
    }
    const changes = events.filter((e) => e.changed);
    // Share of a over (s-5, s], bad seconds 11..16 (18 of 20 deferred), good ones 10 of 10 delivered:
    // s=11: 18/60 = 30%; s=12: 36/70 = 51.4%, fires; ... s=19: seconds 15, 16 bad: 36/70 = 51.4%;
    // s=20: second 16 only: 18/60 = 30%, clears.
    expect(changes).toEqual([
      { at: 12, changed: true, active: ['egress:a'] },
      { at: 20, changed: true, active: [] },
    ]);
    // While it holds the state is re-sent every second (its value moves), and not otherwise.
    expect(events.map((e) => e.at)).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 20]);
    const fired = alarms.firings();
    expect(fired).toEqual([{ rule: 'deferral share per egress > 50% over 5s min 10', count: 1 }]);
  });

  it('does not judge a share on fewer events than the minimum', () => {
    const alarms = new Alarms([parseAlarmRule('deferral share per egress > 50% over 10s min 50')], T0);
    const cum = feed(20, () => ({ 'egress:a': [0, 2] }));
    for (let s = 1; s <= 20; s++) expect(alarms.evaluate(stats(T0 + s * 1000, cum[s]!))).toBeUndefined();
    expect(alarms.readings()).toEqual([{ rule: 'deferral share per egress > 50% over 10s min 50', target: 'egress:a', value: undefined, active: false }]);
  });

  it('judges providers, and a rate floor only once a whole window has passed', () => {
    const alarms = new Alarms([parseAlarmRule('delivery rate per provider < 5/s over 4s')], T0);
    const seen: string[][] = [];
    let google: KindCounts = [0, 0, 0, 0, 0];
    for (let s = 1; s <= 12; s++) {
      // 10 deliveries a second for 6 s, then nothing.
      google = [0, google[1] + (s <= 6 ? 10 : 0), 0, 0, 0];
      const out = alarms.evaluate(stats(T0 + s * 1000, {}, { Google: google }));
      seen.push(out ? out.message.active.map((a) => `${a.target}@${s}`) : []);
    }
    // Window (s-4, s]: at s=8 it holds seconds 5 and 6, 20/4 = 5/s (not below 5); at s=9 only second 6: 2.5/s.
    // Before s=4 no whole window has passed: nothing is judged although the rate so far is 10/s anyway.
    expect(seen.flat()[0]).toBe('provider:Google@9');
    expect(seen.slice(0, 8).flat()).toEqual([]);
  });

  it('keeps a long window in bounded steps and still measures it to within one step', () => {
    const alarms = new Alarms([parseAlarmRule('deferral share > 30% over 10m min 1')], T0);
    let c: KindCounts = [0, 0, 0, 0, 0];
    for (let s = 1; s <= 1800; s++) {
      // Deferrals only in the first 5 minutes; deliveries all the time.
      c = [0, c[1] + 1, c[2] + (s <= 300 ? 1 : 0), 0, 0];
      alarms.evaluate(stats(T0 + s * 1000, { 'egress:a': c }));
      if (s === 600) expect(alarms.readings()[0]!.value).toBeCloseTo(300 / 900, 2);
      if (s === 1000) expect(alarms.readings()[0]!.value).toBe(0);
    }
  });
});
