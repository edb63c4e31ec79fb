// The heads-up line's figures. The bug this guards: "227 events/s in, 340
// balls/s shown", balls per second counted over the page's last second
// against the daemon's events of its last stats period, so a burst drawn a
// moment after its period closed showed more balls than events. Now all
// three figures cover the same frames, and a ball counts under its frame.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventsMessage, MailEvent, StatsMessage } from '../../server/protocol/index.js';
import { DEFAULTS, Settings } from '../../client/state/settings.js';
import { FlowRates } from '../../client/state/rates.js';
import { Store } from '../../client/state/store.js';

const ev = (i: number): MailEvent => ({ ts: i, format: 'postfix', kind: 'delivery', mta: 'mx1' });
const hello = { type: 'hello', protocol: 1, server: 'test', limits: { rate: 1000, tickMs: 20, maxClientMessageBytes: 4096 }, showAddresses: false } as const;
let seq = 0;
const frame = (kept: number, input = kept): EventsMessage => ({ type: 'events', seq: ++seq, input, events: Array.from({ length: kept }, (_, i) => ev(i)) });

/** Draws every event due by `now` as a ball, the way the scene does. */
function draw(s: Store, now: number): void {
  s.queue.take(now, Infinity, (_e, _late, frameAt) => s.noteShown(1, frameAt));
}

function statsWithRate(eventsPerSec: number): StatsMessage {
  return {
    type: 'stats', at: 0, uptimeMs: 0, lines: 0, unparsed: 0, events: 0, byKind: [0, 0, 0, 0, 0], nodes: {}, edges: {},
    rate: { linesPerSec: 0, eventsPerSec, byKind: [0, 0, 0, 0, 0] }, sampleRatio: 1, drops: { frames: 0, events: 0, evictions: 0 }, sources: {},
  };
}

describe('FlowRates', () => {
  it('sums frames over the window and counts a ball under its frame, not when it was drawn', () => {
    const f = new FlowRates(5000, 20);
    f.start(0);
    f.frame(1000, 100, 50);
    f.frame(2000, 100, 50);
    for (let i = 0; i < 40; i++) f.ball(1000);
    expect(f.rates(5000)).toEqual({ inPerSec: 40, keptPerSec: 20, shownPerSec: 8, spanMs: 5000 });
    // The first frame leaves the window, and its balls with it.
    const later = f.rates(6500);
    expect(later.inPerSec * (later.spanMs / 1000)).toBe(100);
    expect(later.shownPerSec).toBe(0);
    // A ball whose frame is long gone is not counted anywhere.
    f.ball(100);
    expect(f.rates(6500).shownPerSec).toBe(0);
    expect(f.rates(60_000)).toMatchObject({ inPerSec: 0, keptPerSec: 0, shownPerSec: 0 });
  });

  it('measures from the start of the stream while it is younger than the window', () => {
    const f = new FlowRates(5000, 20);
    f.start(10_000);
    f.frame(10_500, 300, 300);
    expect(f.rates(12_000)).toMatchObject({ inPerSec: 150, spanMs: 2000 });
  });
});

describe('the heads-up line never shows more balls than events', () => {
  it('a burst drawn after its frame arrived (the reported 227 in / 340 shown)', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onHello(hello, 0);
    // A quiet stream, then a burst of 600 events in one frame, drawn over the following second.
    for (let t = 20; t < 4000; t += 20) {
      s.onEvents(frame(4), t);
      draw(s, t);
    }
    s.onEvents(frame(600), 4000);
    for (let t = 4000; t <= 5000; t += 16) draw(s, t);
    const r = s.flowRates(5000);
    expect(r.ballsPerSec).toBeLessThanOrEqual(r.eventsPerSec);
    // Nothing was sampled or lost: every event became a ball, so the two agree.
    expect(r.ballsPerSec).toBeCloseTo(r.eventsPerSec, 6);
    expect(r.messagesPerBall).toBe(1);
  });

  it('holds for any frames, samples, delays and reading times (property)', () => {
    const arb = fc.array(
      fc.record({
        gapMs: fc.integer({ min: 1, max: 400 }),
        kept: fc.integer({ min: 0, max: 300 }),
        extraInput: fc.integer({ min: 0, max: 3000 }),
        drawDelayMs: fc.integer({ min: 0, max: 1500 }),
      }),
      { minLength: 1, maxLength: 80 },
    );
    fc.assert(
      fc.property(arb, fc.integer({ min: 0, max: 8000 }), (frames, readAfter) => {
        const s = new Store(new Settings(DEFAULTS), 0);
        s.onHello(hello, 0);
        let t = 0;
        const check = (now: number) => {
          const r = s.flowRates(now);
          return r.ballsPerSec <= r.eventsPerSec + 1e-9 && r.messagesPerBall >= 1;
        };
        for (const f of frames) {
          t += f.gapMs;
          s.onEvents(frame(f.kept, f.kept + f.extraInput), t);
          draw(s, t + f.drawDelayMs);
          if (!check(t + f.drawDelayMs)) return false;
        }
        draw(s, t + readAfter);
        return check(t + readAfter);
      }),
      { numRuns: 300 },
    );
  });

  it('says how many messages a ball stands for over the same frames', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onHello(hello, 0);
    for (let t = 100; t <= 3000; t += 100) s.onEvents(frame(20, 100), t);
    expect(s.flowRates(3000).messagesPerBall).toBeCloseTo(5);
  });

  it('takes events in from the daemon’s exact stats while it drops frames for this page', () => {
    const s = new Store(new Settings(DEFAULTS), 0);
    s.onHello(hello, 0);
    s.onStats(statsWithRate(900));
    s.onEvents(frame(10), 1000);
    seq += 50; // fifty frames dropped by the daemon for this page
    s.onEvents(frame(10), 1100);
    const r = s.flowRates(2000);
    expect(r.fromStats).toBe(true);
    expect(r.eventsPerSec).toBe(900);
    expect(s.flowRates(8000).fromStats).toBe(false);
  });
});
