// What the insight views show, derived from the daemon's exact stats over
// sliding windows (never from counting balls): the imbalance lens's share
// matrices and verdicts, edge weights by share, the bounce floor's counts per
// failure class, the deferral pen per egress, and the provider lanes seen so
// far. Recomputed when a new stats snapshot or a setting arrives, at most
// twice a second; the scene and the overlays read the result.

import { FAILURE_CLASSES, KIND_INDEX, type StatsMessage } from '../../server/protocol/index.js';
import type { SettingsValues } from '../state/settings.js';
import { delta, total } from '../state/stats-history.js';
import type { Store } from '../state/store.js';
import type { LensThresholds } from './imbalance.js';
import { buildMatrix, type ShareMatrix } from './matrix.js';

export const INSIGHT_PERIOD_MS = 500;

const FAILED = [KIND_INDEX.bounce, KIND_INDEX.rejection] as const;
const DEFERRED = [KIND_INDEX.deferral] as const;

export interface Lens {
  /** The daemon-clock span the counts cover (the window, or less just after start). */
  spanMs: number;
  thresholds: LensThresholds;
  mtaEgress: ShareMatrix;
  egressDest: ShareMatrix;
  /** What egressDest's columns are. */
  destKind: 'octets' | 'providers';
}

/** Destination buckets grouped for the lens: 32 first octets a column (eight columns), IPv6 apart. */
export function octetGroup(bucket: string): string {
  if (bucket === 'v6') return 'IPv6';
  const o = Number(bucket);
  if (!Number.isInteger(o)) return '?';
  const lo = o - (o % 32);
  return `${lo}–${lo + 31}`;
}

function groupOrder(label: string): number {
  return label === 'IPv6' ? 1000 : Number.parseInt(label, 10);
}

export class Insight {
  /** Changes whenever anything below does. */
  version = 0;
  lens: Lens | undefined;
  /** Share of its source node's windowed traffic, per drawn edge id (ingress>mta, mta>egress). */
  readonly edgeShare = new Map<string, number>();
  /** Nodes and mta>egress edges the lens flags. */
  readonly flaggedNodes = new Set<string>();
  readonly flaggedEdges = new Set<string>();
  /** Bounces and rejections per failure class over the floor window (exact). */
  readonly floor = new Float64Array(FAILURE_CLASSES.length);
  floorSpanMs = 0;
  /** Deferrals per egress node id over the floor window (exact). */
  readonly pen = new Map<string, number>();
  /** Providers that have had delivery attempts, in table order (the provider lanes). */
  lanes: readonly string[] = [];
  /** Changes when `lanes` does (the layout depends on it). */
  lanesVersion = 0;

  private seenHistory = -1;
  private seenSettings: SettingsValues | undefined;
  private lastRun = -Infinity;

  /** Recomputes when there is news and the last run is old enough; true when it did. */
  update(store: Store, settings: Readonly<SettingsValues>, now: number): boolean {
    const history = store.history;
    if (history.version === this.seenHistory && settings === this.seenSettings) return false;
    if (now - this.lastRun < INSIGHT_PERIOD_MS) return false;
    this.lastRun = now;
    this.seenHistory = history.version;
    this.seenSettings = settings;
    this.version++;

    const latest = history.latest?.stats;
    this.updateLanes(store, latest);
    const floorBase = history.base(settings.floorWindow * 1000)?.stats;
    this.updateFloor(latest, floorBase);
    const lensBase = history.base(settings.lensWindow * 1000)?.stats;
    this.updateShares(store, latest, lensBase);
    this.lens = undefined;
    this.flaggedNodes.clear();
    this.flaggedEdges.clear();
    if (settings.lens && latest && lensBase) this.updateLens(store, settings, latest, lensBase);
    return true;
  }

  private updateLanes(store: Store, latest: StatsMessage | undefined): void {
    const seen = latest?.providers ?? {};
    const lanes = store.providers.names.filter((name) => total(seen[name]) > 0);
    if (lanes.length !== this.lanes.length || lanes.some((l, i) => l !== this.lanes[i])) {
      this.lanes = lanes;
      this.lanesVersion++;
    }
  }

  private updateFloor(now: StatsMessage | undefined, then: StatsMessage | undefined): void {
    this.floor.fill(0);
    this.pen.clear();
    this.floorSpanMs = now && then ? now.at - then.at : 0;
    if (!now) return;
    FAILURE_CLASSES.forEach((c, i) => {
      this.floor[i] = delta(now.failures?.[c], then === now ? undefined : then?.failures?.[c], FAILED);
    });
    for (const [id, counts] of Object.entries(now.nodes)) {
      if (!id.startsWith('egress:')) continue;
      this.pen.set(id, delta(counts, then === now ? undefined : then?.nodes[id], DEFERRED));
    }
  }

  /** Each drawn edge's share of its source's windowed traffic, for edge thickness. */
  private updateShares(store: Store, now: StatsMessage | undefined, then: StatsMessage | undefined): void {
    this.edgeShare.clear();
    if (!now || !then || now === then) return;
    const out = new Map<string, number>();
    const windowed = new Map<string, number>();
    for (const id of store.topology.edges) {
      const sep = id.indexOf('>');
      const from = id.slice(0, sep);
      if (from.startsWith('egress:')) continue;
      const d = delta(now.edges[id], then.edges[id]);
      windowed.set(id, d);
      out.set(from, (out.get(from) ?? 0) + d);
    }
    for (const [id, d] of windowed) {
      const sum = out.get(id.slice(0, id.indexOf('>'))) ?? 0;
      this.edgeShare.set(id, sum > 0 ? d / sum : 0);
    }
  }

  private updateLens(store: Store, s: Readonly<SettingsValues>, now: StatsMessage, then: StatsMessage): void {
    const thresholds: LensThresholds = { alpha: s.lensAlpha, ratio: s.lensRatio, minExpected: s.lensMin };
    const mtas = store.topology.tier('mta').map((n) => n.id);
    const egresses = store.topology.tier('egress').map((n) => n.id);

    // MTA x egress: every egress that carried anything in the window is a column.
    const me = mtas.map((m) => egresses.map((e) => delta(now.edges[`${m}>${e}`], then.edges[`${m}>${e}`])));
    const liveCols = egresses.map((_, c) => me.some((row) => row[c]! > 0));
    const cols = egresses.filter((_, c) => liveCols[c]);
    const rowsKept = mtas.map((_, r) => me[r]!.some((n) => n > 0));
    const mtaEgress = buildMatrix(
      mtas.filter((_, r) => rowsKept[r]),
      cols,
      me.filter((_, r) => rowsKept[r]).map((row) => row.filter((_, c) => liveCols[c])),
      'even',
      thresholds,
    );

    // Egress x destination: providers in lane mode, first-octet groups otherwise.
    const destKind = s.lanes === 'provider' ? 'providers' : 'octets';
    const perEgress = new Map<string, Map<string, number>>();
    const add = (egress: string, col: string, n: number) => {
      if (n <= 0) return;
      let row = perEgress.get(egress);
      if (!row) perEgress.set(egress, (row = new Map()));
      row.set(col, (row.get(col) ?? 0) + n);
    };
    if (destKind === 'providers') {
      for (const [id, counts] of Object.entries(now.providerEdges ?? {})) {
        const sep = id.indexOf('>provider:');
        if (sep > 0) add(id.slice(0, sep), id.slice(sep + 10), delta(counts, then.providerEdges?.[id]));
      }
    } else {
      for (const [id, counts] of Object.entries(now.edges)) {
        if (!id.startsWith('egress:')) continue;
        const sep = id.indexOf('>dest:');
        if (sep > 0) add(id.slice(0, sep), octetGroup(id.slice(sep + 6)), delta(counts, then.edges[id]));
      }
    }
    const destCols = new Set<string>();
    for (const row of perEgress.values()) for (const c of row.keys()) destCols.add(c);
    const order = store.providers.names;
    const dcols = [...destCols].sort((a, b) =>
      destKind === 'providers' ? order.indexOf(a) - order.indexOf(b) : groupOrder(a) - groupOrder(b),
    );
    const drows = egresses.filter((e) => perEgress.has(e));
    const egressDest = buildMatrix(
      drows,
      dcols,
      drows.map((e) => dcols.map((c) => perEgress.get(e)!.get(c) ?? 0)),
      'marginal',
      thresholds,
    );

    this.lens = { spanMs: now.at - then.at, thresholds, mtaEgress, egressDest, destKind };
    mtaEgress.verdicts.forEach((v, r) => {
      if (!v.flagged) return;
      this.flaggedNodes.add(mtaEgress.rows[r]!);
      for (const c of v.flaggedCells) this.flaggedEdges.add(`${mtaEgress.rows[r]!}>${mtaEgress.cols[c]!}`);
    });
    egressDest.verdicts.forEach((v, r) => {
      if (v.flagged) this.flaggedNodes.add(egressDest.rows[r]!);
    });
  }
}
