// window.__mtaviz: a small read-only view of the running page for tests and
// benchmarks, so they never scrape pixels. Every read returns a fresh copy;
// nothing here can change the page.

import { FAILURE_CLASSES, KINDS, type Kind } from '../server/protocol/index.js';
import type { Insight } from './insight/insight.js';
import { meterY } from './layout/layout.js';
import type { FlowScene } from './scene/flow-scene.js';
import type { SelectionState } from './state/selection.js';
import type { Settings } from './state/settings.js';
import type { Store } from './state/store.js';

type PerKind = Record<Kind, number>;

function perKind(counts: ArrayLike<number>): PerKind {
  return Object.fromEntries(KINDS.map((k, i) => [k, counts[i] ?? 0])) as PerKind;
}

export interface HookInfo {
  renderer: 'webgl' | 'canvas';
  reason: string;
  gpu: string;
  phaser: string;
}

export function installHook(store: Store, settings: Settings, scene: FlowScene, insight: Insight, selection: SelectionState, info: HookInfo): void {
  // The scene's parts exist once Phaser has run its create().
  const ready = (): FlowScene | undefined => (scene.balls ? scene : undefined);
  const hook = {
    get ready() {
      return ready() !== undefined;
    },
    get renderer() {
      return { ...info };
    },
    get balls() {
      const s = ready();
      const live = s ? perKind(s.balls.liveByKind) : perKind([]);
      return { ...live, total: s?.balls.liveTotal ?? 0, cap: s?.balls.cap ?? 0, limit: s?.balls.limit ?? 0 };
    },
    get nodes() {
      const s = ready();
      if (!s) return [];
      const rates = store.nodeRates.perNode;
      return [...s.nodes.positions()].map(([id, n]) => ({ id, tier: n.tier, name: n.name, ...s.toPage(n), rate: rates.get(id) ?? 0 }));
    },
    /** Where recent balls came to rest, in page coordinates. */
    get landings() {
      const s = ready();
      if (!s) return [];
      return s.balls.landings().map((l) => ({ kind: KINDS[l.kind], bucket: l.bucket, ...s.toPage(l) }));
    },
    /** The right-edge meter in page coordinates: octet 10 at `bottom`, 256 at `top`. */
    get meter() {
      const s = ready();
      if (!s) return undefined;
      const m = s.layout.meter;
      return {
        x: s.toPage({ x: m.x, y: 0 }).x,
        top: s.toPage({ x: 0, y: m.top }).y,
        bottom: s.toPage({ x: 0, y: m.bottom }).y,
        v6: s.toPage(m.v6),
        y: (octet: number) => s.toPage({ x: 0, y: meterY(m, octet) }).y,
      };
    },
    get floorY() {
      const s = ready();
      return s ? s.toPage({ x: 0, y: s.layout.floorY }).y : undefined;
    },
    get frames() {
      return ready()?.frames.summary();
    },
    get connection() {
      const c = store.conn;
      return {
        state: c.state,
        stale: c.state === 'stale' || c.state === 'down' || c.state === 'incompatible',
        attempts: c.attempts,
        reconnects: c.reconnects,
        server: c.server,
        msSinceMessage: performance.now() - c.lastMessageAt,
      };
    },
    get counters() {
      const flow = store.flowRates(performance.now());
      return {
        received: perKind(store.received),
        shown: perKind(store.shown),
        squelched: store.squelched,
        queued: store.queue.length,
        drops: { ...store.drops, ...store.queue.drops, server: { ...store.serverDrops }, total: store.totalDrops() },
        seqGaps: store.seqGaps,
        badMessages: store.badMessages,
        badEvents: store.badEvents,
        // What the heads-up line shows: all three over the same recent frames.
        ballsPerSec: flow.ballsPerSec,
        messagesPerBall: flow.messagesPerBall,
        eventsPerSecIn: flow.spanMs > 0 ? flow.eventsPerSec : store.stats?.rate.eventsPerSec,
      };
    },
    get topology() {
      return { version: store.topology.version, nodes: store.topology.nodes.size, edges: store.topology.edges.size };
    },
    /** The daemon's exact cumulative counts as of the last stats frame: all events, per kind, per node id. */
    get stats() {
      const s = store.stats;
      if (!s) return undefined;
      const nodes = Object.fromEntries(Object.entries(s.nodes).map(([id, counts]) => [id, perKind(counts)]));
      return { events: s.events, lines: s.lines, byKind: perKind(s.byKind), nodes };
    },
    /** Federated boxes the daemon merges (server/bus), as of the last stats frame; {} when none. */
    get boxes() {
      return structuredClone(store.stats?.bus?.boxes ?? {});
    },
    /** The daemon's exact cumulative counts per edge id, as of the last stats frame (shares, imbalance). */
    get edges() {
      const edges = store.stats?.edges ?? {};
      return Object.fromEntries(Object.entries(edges).map(([id, counts]) => [id, perKind(counts)]));
    },
    get settings() {
      return { ...settings.current };
    },
    /** Live balls with their events, in page coordinates (for inspect tests). */
    get inspectable() {
      const s = ready();
      if (!s) return [];
      return s.balls.inspectable().map((b) => ({ kind: KINDS[b.kind], queueId: b.ev.queueId, ...s.toPage(b) }));
    },
    /** What the insight views show, all from the daemon's exact stats over their windows. */
    get insight() {
      const lens = insight.lens;
      const matrix = (m: NonNullable<typeof lens>['mtaEgress']) => ({
        rows: m.rows,
        cols: m.cols,
        counts: m.counts,
        expected: m.expected,
        p: m.verdicts.map((v) => v.p ?? null),
        ratios: m.verdicts.map((v) => Array.from(v.ratios, (r) => (Number.isFinite(r) ? r : null))),
        flaggedRows: m.rows.filter((_, i) => m.verdicts[i]!.flagged),
        flaggedCells: m.verdicts.flatMap((v, i) => v.flaggedCells.map((c) => `${m.rows[i]}>${m.cols[c]}`)),
      });
      const l = ready()?.layout;
      return {
        version: insight.version,
        lens: lens && { spanMs: lens.spanMs, thresholds: { ...lens.thresholds }, mtaEgress: matrix(lens.mtaEgress), egressDest: matrix(lens.egressDest), destKind: lens.destKind },
        flaggedNodes: [...insight.flaggedNodes],
        floor: Object.fromEntries(FAILURE_CLASSES.map((c, i) => [c, insight.floor[i]!])),
        floorSpanMs: insight.floorSpanMs,
        pen: Object.fromEntries(insight.pen),
        lanes: [...insight.lanes],
        /** Provider lanes drawn on the right edge, in page coordinates (empty on the first-octet meter). */
        laneAt: l?.lanes ? [...l.lanes].map(([name, y]) => ({ name, ...ready()!.toPage({ x: l.meter.x, y }) })) : [],
        /** Floor bins in page coordinates, FAILURE_CLASSES order. */
        bins: l
          ? l.floorBins.map((b) => {
              const s = ready()!;
              const mid = s.toPage({ x: b.cx, y: l.floorY - 12 * l.scale });
              return { x: mid.x, y: mid.y, x0: s.toPage({ x: b.x0, y: 0 }).x, x1: s.toPage({ x: b.x1, y: 0 }).x };
            })
          : [],
        alarms: store.alarms ? { rules: [...store.alarms.rules], active: store.alarms.active.map((a) => ({ ...a })) } : undefined,
        pulsing: [...(ready()?.insightLayer.pulsing ?? [])],
        selection: selection.current ? { kind: selection.current.kind, pinned: selection.pinned } : undefined,
      };
    },
  };
  Object.defineProperty(window, '__mtaviz', { value: Object.freeze(hook), writable: false, configurable: false });
}
