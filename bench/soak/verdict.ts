// What fails a soak. A leak is judged by the trend of memory retained after a
// full GC (RSS is allocator-sticky, so it is reported, not judged), as growth
// the fitted slope adds over the fitted window:
//
//   allowed growth over the window = max(RATE x window, FLOOR)
//
// RATE is the release bar (performance-anchors.md section 7: daemon heap
// after GC at most 1 MB per hour after warm-up); FLOOR keeps short runs from
// failing on noise. Measured on this machine kind (2 shared cores): the
// daemon's heap after a full GC moves by about +-0.1 MB from sample to
// sample at 1000 events/s, which puts the noise of a 2-minute fitted trend
// near 0.1-0.2 MB; the page's heap after GC moves by about +-0.5 MB (Phaser,
// frames, the HUD). A real leak at this input is far above both floors: a
// leak of one 64-byte object per event is 3.8 MB per minute (7.7 MB over the
// 2-minute window of the 3-minute CI run), one small object per events
// frame per client (50 frames/s x 10 clients) 1.9 MB per minute, and a
// leaked stats frame per second per client about 0.5-2 MB per minute. So the
// CI run's floors (daemon 1.5 MB, page 4 MB over the window) sit at about
// 10x the measured noise and below the growth of any of those leaks; over an
// hour the RATE governs.

import type { Sample, SoakSummary } from './soak.js';

export const THRESHOLDS = {
  daemonHeap: { mbPerHour: 1, floorMB: 2 },
  /** Buffers and other memory outside the V8 heap (frames are Buffers). */
  daemonExternal: { mbPerHour: 1, floorMB: 1.5 },
  browserHeap: { mbPerHour: 1, floorMB: 2 },
  /** Fewest samples after warm-up that make a trend. */
  minFitted: 6,
};

export interface Verdict {
  pass: boolean;
  failures: string[];
  /** Growth each judged series may show over the fitted window, MB, and what the fit says it grew. */
  growthMB: Record<'daemonHeap' | 'daemonExternal' | 'browserHeap', { allowed: number; fitted: number }>;
}

export function judge(s: Omit<SoakSummary, 'verdict'>, samples: readonly Sample[]): Verdict {
  const failures: string[] = [];
  const fitted = samples.filter((x) => x.t >= s.warmupSec);
  const windowHours = fitted.length > 1 ? (fitted.at(-1)!.t - fitted[0]!.t) / 3600 : 0;
  const round = (v: number) => Number(v.toFixed(2));
  const growth = (slopePerHour: number, limit: { mbPerHour: number; floorMB: number }) => ({
    allowed: round(Math.max(limit.mbPerHour * windowHours, limit.floorMB)),
    fitted: round(slopePerHour * windowHours),
  });
  const growthMB = {
    daemonHeap: growth(s.daemon.heapMB.slopePerHour, THRESHOLDS.daemonHeap),
    daemonExternal: growth(s.daemon.externalMB.slopePerHour, THRESHOLDS.daemonExternal),
    browserHeap: growth(s.browser.heapMB.slopePerHour, THRESHOLDS.browserHeap),
  };

  if (fitted.length < THRESHOLDS.minFitted) failures.push(`only ${fitted.length} samples after warm-up (need ${THRESHOLDS.minFitted})`);
  for (const [name, g] of Object.entries(growthMB)) {
    if (g.fitted > g.allowed) failures.push(`${name} grew ${g.fitted} MB over the fitted window (allowed ${g.allowed} MB): a leak`);
  }
  if (s.clients.connected !== s.clients.expected) failures.push(`${s.clients.connected} of ${s.clients.expected} ws clients connected at the end`);
  if (s.daemon.disconnects > 0) failures.push(`the daemon disconnected ${s.daemon.disconnects} clients`);
  const starved = samples.filter((x) => x.clients.minRate === 0).length;
  if (starved > 0) failures.push(`in ${starved} intervals a ws client received no events`);
  if (s.browser.state !== 'live') failures.push(`the page's connection ended ${s.browser.state}`);
  for (let i = 1; i < samples.length; i++) {
    if (samples[i]!.browser.received <= samples[i - 1]!.browser.received) {
      failures.push(`the page received no events between ${samples[i - 1]!.t} s and ${samples[i]!.t} s`);
      break;
    }
  }
  return { pass: failures.length === 0, failures, growthMB };
}
