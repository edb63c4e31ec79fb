// The client's insight model on synthetic stats snapshots: windowed,
// exact counts from differences of cumulative counters (never balls), the
// lens's matrices and flags, the floor's bins and the pens, and lanes.

import { describe, expect, it } from 'vitest';
import { octetGroup, Insight } from '../../client/insight/insight.js';
import { alarmEdgeIds } from '../../client/insight/alarm-targets.js';
import { RecentReasons, REASONS_KEPT } from '../../client/insight/reasons.js';
import { DEFAULTS, parseSettings, Settings, writeSettings } from '../../client/state/settings.js';
import { SelectionState } from '../../client/state/selection.js';
import { StatsHistory } from '../../client/state/stats-history.js';
import { Store } from '../../client/state/store.js';
import { Drift, DRIFT_PX } from '../../client/hud/drift.js';
import { dotUnit } from '../../client/insight/dot-unit.js';
import { cellColour, formatP } from '../../client/hud/lens-html.js';
import type { KindCounts, MailEvent, StatsMessage } from '../../server/protocol/index.js';

const T0 = 1_700_000_000_000;
const hello = { type: 'hello', protocol: 1, server: 't', limits: { rate: 1000, tickMs: 20, maxClientMessageBytes: 1024 }, showAddresses: false } as const;
const k = (injection = 0, delivery = 0, deferral = 0, bounce = 0, rejection = 0): KindCounts => [injection, delivery, deferral, bounce, rejection];

function stats(sec: number, parts: Partial<StatsMessage>): StatsMessage {
  return {
    type: 'stats', at: T0 + sec * 1000, uptimeMs: sec * 1000, lines: 0, unparsed: 0, events: 0, byKind: k(), nodes: {}, edges: {},
    rate: { linesPerSec: 0, eventsPerSec: 0, byKind: k() }, sampleRatio: 1, drops: { frames: 0, events: 0, evictions: 0 }, sources: {},
    ...parts,
  };
}

function store(settings = DEFAULTS): Store {
  const s = new Store(new Settings(settings), 0);
  s.onHello(hello, 0);
  s.onTopology({
    type: 'topology',
    nodes: [
      { id: 'mta:m1', tier: 'mta', name: 'm1' },
      { id: 'mta:m2', tier: 'mta', name: 'm2' },
      { id: 'egress:a', tier: 'egress', name: 'a' },
      { id: 'egress:b', tier: 'egress', name: 'b' },
    ],
    edges: ['mta:m1>egress:a', 'mta:m1>egress:b', 'mta:m2>egress:a', 'mta:m2>egress:b'],
  });
  return s;
}

describe('stats history', () => {
  it('finds the snapshot a window back, and starts over when the daemon restarts', () => {
    const h = new StatsHistory();
    for (let s = 1; s <= 30; s++) h.push(stats(s, {}));
    expect(h.base(10_000)!.stats.at).toBe(T0 + 20_000);
    expect(h.base(100_000)!.stats.at).toBe(T0 + 1000);
    h.push({ ...stats(31, {}), uptimeMs: 500 });
    expect(h.base(10_000)!.stats.uptimeMs).toBe(500);
  });

  it('keeps a minute at most', () => {
    const h = new StatsHistory();
    for (let s = 1; s <= 200; s++) h.push(stats(s, {}));
    expect(h.base(60_000)!.stats.at).toBe(T0 + 140_000);
    expect(h.base(3_600_000)!.stats.at).toBe(T0 + 140_000);
  });
});

describe('the insight model', () => {
  it('computes the lens from the window only, and flags a skew that appears in it', () => {
    const s = store({ ...DEFAULTS, lens: true, lensWindow: 10 });
    const insight = new Insight();
    // 20 s of balance (100 a second per MTA, even), then m1 sends 90% to a.
    let e: Record<string, KindCounts> = {};
    const add = (id: string, n: number) => (e[id] = k(0, (e[id]?.[1] ?? 0) + n));
    for (let sec = 1; sec <= 40; sec++) {
      e = { ...e };
      const skew = sec > 20;
      add('mta:m1>egress:a', skew ? 90 : 50);
      add('mta:m1>egress:b', skew ? 10 : 50);
      add('mta:m2>egress:a', 50);
      add('mta:m2>egress:b', 50);
      s.onStats(stats(sec, { edges: e }));
      insight.update(s, s.settings.current, sec * 1000);
      if (sec === 20) expect(insight.flaggedNodes.size).toBe(0);
    }
    const lens = insight.lens!;
    expect(lens.spanMs).toBe(10_000);
    expect(lens.mtaEgress.rows).toEqual(['mta:m1', 'mta:m2']);
    expect(lens.mtaEgress.counts).toEqual([
      [900, 100],
      [500, 500],
    ]);
    expect([...insight.flaggedNodes]).toEqual(['mta:m1']);
    expect([...insight.flaggedEdges]).toEqual(['mta:m1>egress:a']);
    expect(insight.edgeShare.get('mta:m1>egress:a')).toBeCloseTo(0.9);
    // Without the lens nothing is flagged, though edges keep their shares.
    s.settings.set('lens', false);
    insight.update(s, s.settings.current, 50_000);
    expect(insight.lens).toBeUndefined();
    expect(insight.flaggedNodes.size).toBe(0);
    expect(insight.edgeShare.get('mta:m1>egress:a')).toBeCloseTo(0.9);
  });

  it('counts the floor per class and the pens per egress over their window, exactly', () => {
    const s = store({ ...DEFAULTS, floorWindow: 10 });
    const insight = new Insight();
    for (let sec = 1; sec <= 25; sec++) {
      s.onStats(
        stats(sec, {
          failures: { mailbox: k(0, 0, 0, sec * 2, sec), policy: k(0, 0, sec * 7, 0, 0), routing: k(), expired: k(0, 0, 0, sec, 0), other: k() },
          nodes: { 'egress:a': k(0, 0, sec * 3, 0, 0), 'mta:m1': k(0, 0, 99 * sec, 0, 0) },
          providers: { Google: k(0, sec, 0, 0, 0), Yahoo: k() },
        }),
      );
    }
    insight.update(s, s.settings.current, 0);
    // Bounces + rejections over (15, 25]; deferrals (policy) are not floor counts.
    expect(Array.from(insight.floor)).toEqual([30, 0, 0, 10, 0]);
    expect(insight.floorSpanMs).toBe(10_000);
    expect(Object.fromEntries(insight.pen)).toEqual({ 'egress:a': 30 });
    expect(insight.lanes).toEqual(['Google']);
  });

  it('recomputes at most twice a second, and only on news', () => {
    const s = store();
    const insight = new Insight();
    s.onStats(stats(1, {}));
    expect(insight.update(s, s.settings.current, 1000)).toBe(true);
    expect(insight.update(s, s.settings.current, 1100)).toBe(false);
    s.onStats(stats(2, {}));
    expect(insight.update(s, s.settings.current, 1300)).toBe(false);
    expect(insight.update(s, s.settings.current, 1600)).toBe(true);
    expect(insight.update(s, s.settings.current, 2600)).toBe(false);
  });

  it('groups destination buckets for the lens', () => {
    expect(['10', '31', '32', '255', 'v6', 'x'].map(octetGroup)).toEqual(['0–31', '0–31', '32–63', '224–255', 'IPv6', '?']);
  });
});

describe('alarm targets', () => {
  const edges = ['ingress:i>mta:m', 'mta:m>egress:a', 'mta:n>egress:b', 'egress:a>dest:17'];
  it('pulses the edges of a node, the egress ways to a provider, or everything', () => {
    expect(alarmEdgeIds('egress:a', edges, [])).toEqual(['mta:m>egress:a', 'egress:a>dest:17']);
    expect(alarmEdgeIds('mta:m', edges, [])).toEqual(['ingress:i>mta:m', 'mta:m>egress:a']);
    expect(alarmEdgeIds('provider:Google', edges, ['egress:a>provider:Google', 'egress:b>provider:Yahoo'])).toEqual(['egress:a>provider:Google']);
    expect(alarmEdgeIds('all', edges, [])).toEqual(edges);
  });
});

describe('recent reasons', () => {
  it('keeps the latest examples per class, newest first, without copying events', () => {
    const r = new RecentReasons();
    const evs: MailEvent[] = Array.from({ length: REASONS_KEPT + 3 }, (_, i) => ({ ts: i, format: 'postfix', kind: 'bounce', dsn: '5.1.1', reason: `r${i}` }));
    for (const e of evs) expect(r.note(e)).toBe(0);
    const latest = r.latest(0);
    expect(latest).toHaveLength(REASONS_KEPT);
    expect(latest[0]).toBe(evs.at(-1));
    expect(latest.map((e) => e.reason)).toEqual(evs.slice(3).reverse().map((e) => e.reason));
    expect(r.latest(1)).toEqual([]);
  });
});

describe('selection', () => {
  it('follows the pointer, pins on click, unpins on the next, and forgets balls and nodes on resume', () => {
    const s = new SelectionState();
    const seen: number[] = [];
    s.subscribe(() => seen.push(s.version));
    s.hover({ kind: 'node', id: 'mta:m' }, { x: 1, y: 1 });
    s.hover({ kind: 'node', id: 'mta:m' }, { x: 2, y: 2 });
    expect(seen).toHaveLength(1);
    s.click({ kind: 'node', id: 'mta:m' }, { x: 2, y: 2 });
    expect(s.pinned).toBe(true);
    s.hover(undefined, { x: 9, y: 9 });
    expect(s.current).toEqual({ kind: 'node', id: 'mta:m' });
    s.click(undefined, { x: 9, y: 9 });
    expect(s.pinned).toBe(false);
    expect(s.current).toBeUndefined();
    s.hover({ kind: 'bin', cls: 2 }, { x: 0, y: 0 });
    s.clearInspection();
    expect(s.current).toEqual({ kind: 'bin', cls: 2 });
  });
});

describe('insight switches in the URL', () => {
  it('reads and writes the lens, lanes, kiosk, palette and thresholds; drift follows kiosk', () => {
    const s = parseSettings('?lens=1&lanes=provider&kiosk=1&palette=contrast&lensWindow=30&lensRatio=2&lensAlpha=1e-6&lensMin=50&floorWindow=20');
    expect(s).toMatchObject({ lens: true, lanes: 'provider', kiosk: true, drift: true, palette: 'contrast', lensWindow: 30, lensRatio: 2, lensAlpha: 1e-6, lensMin: 50, floorWindow: 20 });
    expect(parseSettings('?kiosk=1&drift=0').drift).toBe(false);
    expect(parseSettings('?lensWindow=999&lanes=weird&palette=neon')).toMatchObject({ lensWindow: 60, lanes: 'meter', palette: 'standard' });
    const q = new URLSearchParams(writeSettings('', s));
    expect(q.get('kiosk')).toBe('1');
    expect(q.has('drift')).toBe(false);
    expect(parseSettings(writeSettings('', s))).toEqual(s);
  });
});

describe('drawing helpers', () => {
  it('drifts within its amplitude, and not at all when off', () => {
    let on = true;
    const d = new Drift(() => on);
    for (let t = 0; t < 3_600_000; t += 61_000) {
      const p = d.offset(t);
      expect(Math.abs(p.x)).toBeLessThanOrEqual(DRIFT_PX);
      expect(Math.abs(p.y)).toBeLessThanOrEqual(DRIFT_PX);
    }
    expect(d.offset(100_000).x).not.toBe(d.offset(200_000).x);
    on = false;
    expect(d.offset(100_000)).toEqual({ x: 0, y: 0 });
  });

  it('picks a 1-2-5 dot unit that keeps piles within their dots', () => {
    expect([0, 48, 49, 96, 97, 240, 241, 5000].map((n) => dotUnit(n, 48))).toEqual([1, 1, 2, 2, 5, 5, 10, 200]);
  });

  it('colours lens cells by the log of their ratio, and prints tail p-values', () => {
    expect(cellColour(1)).toBe('rgba(255, 140, 30, 0.12)');
    expect(cellColour(4)).toBe('rgba(255, 140, 30, 0.80)');
    expect(cellColour(0.25)).toBe('rgba(70, 150, 255, 0.80)');
    expect(cellColour(NaN)).toBe('transparent');
    expect(formatP(undefined)).toMatch(/not tested/);
    expect(formatP(3.2e-12)).toBe('p = 3.2e-12');
    expect(formatP(0.5)).toBe('p = 0.500');
  });
});
