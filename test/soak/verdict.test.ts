// The soak's verdict (bench/soak/verdict.ts) on synthetic series shaped like
// the CI run (3 minutes, a sample every 10 s, 60 s of warm-up): it must pass
// flat memory with the noise a real run shows, and fail each leak the
// verdict's comment says it catches, a lost client and a stalled page. A
// soak whose verdict cannot fail would prove nothing.

import { describe, expect, it } from 'vitest';
import { summarizeSoak, type Sample, type SoakOptions } from '../../bench/soak/soak.js';

const OPTS: SoakOptions = { minutes: 3, intervalSec: 10, warmupSec: 60, eventsPerSec: 1000, clients: 10 };

/** Deterministic noise in [-1, 1]. */
const noise = (i: number, salt: number) => Math.sin(i * 12.9898 + salt * 78.233) % 1;

interface Shape {
  /** MB added per minute after warm-up, per series. */
  daemonHeapPerMin?: number;
  daemonExternalPerMin?: number;
  browserHeapPerMin?: number;
  /** Sample index from which one ws client is gone. */
  clientLostAt?: number;
  /** Sample index from which the page receives nothing more. */
  pageStallsAt?: number;
}

function series(shape: Shape, count = 18): Sample[] {
  return Array.from({ length: count }, (_, i) => {
    const t = (i + 1) * OPTS.intervalSec;
    const minutes = Math.max(0, t - OPTS.warmupSec) / 60;
    const lost = shape.clientLostAt !== undefined && i >= shape.clientLostAt;
    const received = 10_000 * Math.min(i + 1, shape.pageStallsAt ?? Infinity);
    return {
      t,
      daemon: {
        // Warm-up growth (the correlator filling) and the measured noise: +-0.1 MB daemon, +-0.5 MB page.
        heapMB: 11 + Math.min(t, 60) / 60 + 0.1 * noise(i, 1) + (shape.daemonHeapPerMin ?? 0) * minutes,
        externalMB: 2.5 + 0.05 * noise(i, 2) + (shape.daemonExternalPerMin ?? 0) * minutes,
        arrayBuffersMB: 0.1,
        rssMB: 72 + noise(i, 3),
        lagP99Ms: 8,
        lagMaxMs: 40,
        gcMs: 90,
        events: 10_000 * (i + 1),
        correlating: 700,
        clients: lost ? 10 : 11,
        disconnects: 0,
        framesDropped: 0,
      },
      clients: { connected: lost ? 9 : 10, minRate: 1000, maxRate: 1000, framesDropped: 0 },
      browser: {
        heapMB: 6.5 + 0.5 * noise(i, 4) + (shape.browserHeapPerMin ?? 0) * minutes,
        liveBalls: 1000,
        fps: 59,
        frameP50Ms: 16.7,
        frameP99Ms: 28,
        drops: 0,
        received,
        state: 'live',
      },
    };
  });
}

const verdict = (shape: Shape, count?: number) => summarizeSoak(OPTS, 469, series(shape, count)).verdict;

describe('the soak verdict', () => {
  it('passes flat memory with real-run noise', () => {
    const v = verdict({});
    expect(v.failures).toEqual([]);
    expect(v.pass).toBe(true);
  });

  it('fails a daemon heap leak of one 64-byte object per event (3.8 MB a minute)', () => {
    const v = verdict({ daemonHeapPerMin: 3.8 });
    expect(v.pass).toBe(false);
    expect(v.failures).toEqual([expect.stringMatching(/^daemonHeap grew .* a leak$/)]);
    expect(v.growthMB.daemonHeap.fitted).toBeGreaterThan(v.growthMB.daemonHeap.allowed);
  });

  it('fails a leaked Buffer per client per second outside the heap (0.5 MB a minute over 2 minutes is under its floor, 1 MB a minute is not)', () => {
    expect(verdict({ daemonExternalPerMin: 0.5 }).pass).toBe(true);
    const v = verdict({ daemonExternalPerMin: 1 });
    expect(v.failures).toEqual([expect.stringMatching(/^daemonExternal grew /)]);
  });

  it('fails a page heap leak of 2.5 MB a minute, and not the page noise alone', () => {
    const v = verdict({ browserHeapPerMin: 2.5 });
    expect(v.failures).toEqual([expect.stringMatching(/^browserHeap grew /)]);
  });

  it('fails a lost ws client and a page that stopped receiving', () => {
    expect(verdict({ clientLostAt: 17 }).failures).toEqual(['9 of 10 ws clients connected at the end']);
    expect(verdict({ pageStallsAt: 12 }).failures).toEqual([expect.stringMatching(/^the page received no events between 120 s and 130 s$/)]);
  });

  it('fails a run too short to fit a trend', () => {
    expect(verdict({}, 10).failures).toEqual(['only 5 samples after warm-up (need 6)']);
  });
});
