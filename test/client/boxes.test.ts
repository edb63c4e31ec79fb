// The heads-up line's summary of federated boxes.

import { describe, expect, it } from 'vitest';
import { boxesSummary } from '../../client/hud/boxes.js';
import type { BoxStats } from '../../server/protocol/index.js';

const box = (over: Partial<BoxStats> = {}): BoxStats => ({
  state: 'live',
  silentMs: 100,
  restarts: 0,
  events: 1000,
  eventsPerSec: 50,
  received: { batches: 10, events: 900 },
  lost: { batches: 0, events: 0 },
  dropped: { batches: 0, events: 0 },
  duplicates: 0,
  published: { batches: 10, events: 900 },
  overflow: 0,
  ...over,
});

describe('boxesSummary', () => {
  it('says nothing when the daemon merges no boxes', () => {
    expect(boxesSummary(undefined)).toEqual({ text: '', detail: '', warn: false });
    expect(boxesSummary({}).text).toBe('');
  });

  it('counts boxes, stale ones and lost batches, with a line per box', () => {
    const s = boxesSummary({
      b2: box({ state: 'stale', silentMs: 12_400, eventsPerSec: 0 }),
      b1: box({ lost: { batches: 3, events: 40 }, dropped: { batches: 1, events: 10 }, restarts: 1 }),
    });
    expect(s.text).toBe('2 boxes · 1 stale · 3 batches lost');
    expect(s.detail).toBe(
      'b1: 50 events/s, 1,000 events in all; lost 3 batches (40 events, 10 dropped by the box); restarted 1x\n' +
        'b2: STALE, silent 12 s, 1,000 events in all',
    );
    expect(s.warn).toBe(true);
    expect(boxesSummary({ a: box() })).toEqual({ text: '1 box', detail: 'a: 50 events/s, 1,000 events in all', warn: false });
  });
});
