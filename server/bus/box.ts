// One federated box as a view sees it: its latest report turned into the
// view's names, the totals of its earlier runs, and the accounting of its
// batch stream (received, lost, duplicate) per run.
//
// Names: every node of a box is shown as BOX/NAME in every tier. Two boxes'
// nodes are never the same node, even when the names match: "proxy-a" on two
// boxes is usually a different proxy in each data centre, and an MTA whose
// logs reach two boxes was counted by both. A view's own local input keeps
// its plain names. Destination buckets (the meter) are shared by everyone.
//
// Totals: a run's counters are cumulative, so the box's contribution is its
// latest report plus, for every earlier run (a new boot id: its daemon
// restarted), the last report the view had from it. A lost or late report is
// superseded by the next one; a lost batch changes no total.

import { OTHER_NODE } from '../hub/stats.js';
import { maskAddresses } from '../parse/redact.js';
import {
  TIERS,
  destId,
  edgeId,
  nodeId,
  type KindCounts,
  type MailEvent,
  type SourceStats,
  type Tier,
  type TopoNode,
} from '../protocol/index.js';
import { BREAKDOWNS, type BoxReport, type DecodedBatch, type PublisherCounters } from './wire.js';

export type CountsMap = Map<string, KindCounts>;

/** Counters of one run of a box, in the view's names. */
export interface BoxTotals {
  lines: number;
  unparsed: number;
  evictions: number;
  events: number;
  byKind: KindCounts;
  nodes: CountsMap;
  edges: CountsMap;
  /** failures, providers...: summed as they are. */
  breakdowns: Map<string, CountsMap>;
  /** Per egress and provider; keys start with a node id, which is qualified. */
  providerEdges: CountsMap;
  publisher: PublisherCounters;
}

/** What the view registers in its topology as a box's names come up. */
export interface TopologySink {
  addNode(node: TopoNode): void;
  addEdge(id: string): void;
}

const zero = (): KindCounts => [0, 0, 0, 0, 0];
const NEXT_TIER: Record<Tier, string> = { ingress: 'mta', mta: 'egress', egress: 'dest' };
/** Earlier runs remembered per box, so a straggler from one is recognised as late, not as a restart. */
const BOOTS_KEPT = 16;

export function emptyTotals(): BoxTotals {
  return {
    lines: 0,
    unparsed: 0,
    evictions: 0,
    events: 0,
    byKind: zero(),
    nodes: new Map(),
    edges: new Map(),
    breakdowns: new Map(),
    providerEdges: new Map(),
    publisher: { batches: 0, events: 0, droppedBatches: 0, droppedEvents: 0, oversize: 0 },
  };
}

export function addCounts(into: KindCounts, from: readonly number[]): void {
  for (let i = 0; i < into.length; i++) into[i]! += from[i] ?? 0;
}

function addInto(map: CountsMap, key: string, counts: readonly number[]): void {
  const have = map.get(key);
  if (have) addCounts(have, counts);
  else map.set(key, counts.slice(0, 5) as KindCounts);
}

/** a += b, everything. */
export function addTotals(a: BoxTotals, b: BoxTotals): void {
  a.lines += b.lines;
  a.unparsed += b.unparsed;
  a.evictions += b.evictions;
  a.events += b.events;
  addCounts(a.byKind, b.byKind);
  for (const [k, v] of b.nodes) addInto(a.nodes, k, v);
  for (const [k, v] of b.edges) addInto(a.edges, k, v);
  for (const [k, v] of b.providerEdges) addInto(a.providerEdges, k, v);
  for (const [name, m] of b.breakdowns) {
    let into = a.breakdowns.get(name);
    if (!into) a.breakdowns.set(name, (into = new Map()));
    for (const [k, v] of m) addInto(into, k, v);
  }
  for (const key of Object.keys(a.publisher) as (keyof PublisherCounters)[]) a.publisher[key] += b.publisher[key];
}

export interface StreamCounters {
  /** Batches and events that arrived and were animated. */
  received: { batches: number; events: number };
  /** Missing from the numbering: lost between the box and the view, or dropped by the box. */
  lost: { batches: number; events: number };
  /** Arrived again or after a later one (a resend after a reconnect); skipped. */
  duplicates: number;
  /** Tuples that did not decode; skipped. */
  badEvents: number;
}

export class Box {
  boot: string | undefined;
  startedAt = 0;
  restarts = 0;
  /** performance.now() when anything was last heard from it. */
  lastSeen: number;
  readonly stream: StreamCounters = {
    received: { batches: 0, events: 0 },
    lost: { batches: 0, events: 0 },
    duplicates: 0,
    badEvents: 0,
  };
  /** Node and edge ids this box put into the view's topology. */
  readonly nodeIds = new Set<string>();
  readonly edgeIds = new Set<string>();
  /** Sightings of node names and edges beyond the view's bounds (folded into BOX/(other), or not kept). */
  overflow = 0;
  /** The current run's latest report, the sum of earlier runs, and both together. */
  private current = emptyTotals();
  private retired = emptyTotals();
  combined = emptyTotals();
  sources: Record<string, SourceStats> = {};
  rate = { linesPerSec: 0, eventsPerSec: 0, byKind: zero() };
  /** The box's own clock of its latest report, to recognise an older one. */
  private reportAt = -Infinity;
  private lastSeq: number | undefined;
  private lastUpto = 0;
  /**
   * The numbering of the current run: where it stood when the view first
   * heard of the run (0 for a run the view saw start) and the highest the box
   * has claimed; and the same spans of earlier runs, summed.
   */
  private runBase = { batches: 0, events: 0 };
  private runTop = { batches: 0, events: 0 };
  private pastRuns = { batches: 0, events: 0 };
  private readonly pastBoots: string[] = [];
  /** Box-local name -> view name, per tier, and how many names of each tier are kept as nodes of their own. */
  private readonly names: Record<Tier, Map<string, string>> = { ingress: new Map(), mta: new Map(), egress: new Map() };
  private readonly kept: Record<Tier, number> = { ingress: 0, mta: 0, egress: 0 };

  constructor(
    readonly name: string,
    now: number,
    private readonly bounds: { maxNodes: number; maxEdges: number; showAddresses: boolean },
    private readonly topology: TopologySink,
  ) {
    this.lastSeen = now;
  }

  /**
   * A batch of this box's events: accounted, then each event (renamed to the
   * view's names) handed to `offer`. Returns false for a straggler or duplicate.
   */
  onBatch(b: DecodedBatch, now: number, offer: (ev: MailEvent) => void): boolean {
    this.lastSeen = now;
    if (!this.sameRun(b.boot)) {
      this.stream.duplicates++;
      return false;
    }
    const n = b.events.length + b.badEvents;
    if (this.lastSeq === undefined) {
      // First batch of a run: one the view saw start (a restart) owes everything before it.
      if (this.restarts > 0) this.lose(b.seq - 1, b.upto - n);
      else this.runBase = { batches: b.seq - 1, events: b.upto - n };
    } else if (b.seq <= this.lastSeq) {
      this.stream.duplicates++;
      return false;
    } else if (b.seq > this.lastSeq + 1) {
      this.lose(b.seq - this.lastSeq - 1, b.upto - n - this.lastUpto);
    }
    this.lastSeq = b.seq;
    this.lastUpto = b.upto;
    this.claim(b.seq, b.upto);
    this.stream.received.batches++;
    this.stream.received.events += b.events.length;
    this.stream.badEvents += b.badEvents;
    for (const ev of b.events) offer(this.rename(ev));
    return true;
  }

  /** A report of this box's counters. Returns false for one older than the latest (ignored). */
  onReport(r: BoxReport, now: number): boolean {
    this.lastSeen = now;
    if (!this.sameRun(r.boot) || r.stats.at < this.reportAt) return false;
    this.reportAt = r.stats.at;
    this.startedAt = r.startedAt;
    // A box sends its report behind every batch it numbered before it, so
    // batches up to r.seq not seen by now are lost, the last ones included.
    if (this.lastSeq === undefined) {
      if (this.restarts > 0) this.lose(r.seq, r.upto);
      else this.runBase = { batches: r.seq, events: r.upto };
      this.lastSeq = r.seq;
      this.lastUpto = r.upto;
    } else if (r.seq > this.lastSeq) {
      this.lose(r.seq - this.lastSeq, r.upto - this.lastUpto);
      this.lastSeq = r.seq;
      this.lastUpto = r.upto;
    }
    this.claim(r.seq, r.upto);
    this.current = this.totalsOf(r);
    this.combined = emptyTotals();
    addTotals(this.combined, this.retired);
    addTotals(this.combined, this.current);
    const sources: Record<string, SourceStats> = {};
    for (const [id, s] of Object.entries(r.stats.sources ?? {})) sources[`${this.name}/${id}`] = s;
    this.sources = sources;
    this.rate = { linesPerSec: r.stats.rate.linesPerSec, eventsPerSec: r.stats.rate.eventsPerSec, byKind: r.stats.rate.byKind.slice() as KindCounts };
    return true;
  }

  /** True when `boot` is this run (starting a new run if it is new); false for an earlier run. */
  private sameRun(boot: string): boolean {
    if (boot === this.boot) return true;
    if (this.pastBoots.includes(boot)) return false;
    if (this.boot !== undefined) {
      this.restarts++;
      this.pastBoots.push(this.boot);
      if (this.pastBoots.length > BOOTS_KEPT) this.pastBoots.shift();
      addTotals(this.retired, this.current);
      this.current = emptyTotals();
      this.pastRuns = this.published;
    }
    this.boot = boot;
    this.lastSeq = undefined;
    this.lastUpto = 0;
    this.reportAt = -Infinity;
    this.runBase = { batches: 0, events: 0 };
    this.runTop = { batches: 0, events: 0 };
    return true;
  }

  /**
   * Batches and events the box says it numbered since the view first heard
   * of it, all runs: each is either received or counted as lost (or the
   * view has not heard of it yet).
   */
  get published(): { batches: number; events: number } {
    return {
      batches: this.pastRuns.batches + this.runTop.batches - this.runBase.batches,
      events: this.pastRuns.events + this.runTop.events - this.runBase.events,
    };
  }

  private claim(seq: number, upto: number): void {
    if (seq > this.runTop.batches) this.runTop = { batches: seq, events: upto };
  }

  private lose(batches: number, events: number): void {
    if (batches <= 0) return;
    this.stream.lost.batches += batches;
    this.stream.lost.events += Math.max(0, events);
  }

  private rename(ev: MailEvent): MailEvent {
    if (ev.ingress !== undefined) ev.ingress = this.viewName('ingress', ev.ingress);
    if (ev.mta !== undefined) ev.mta = this.viewName('mta', ev.mta);
    if (ev.egress !== undefined) ev.egress = this.viewName('egress', ev.egress);
    // The view's own rule about addresses holds for what boxes send too.
    if (!this.bounds.showAddresses && ev.reason !== undefined) ev.reason = maskAddresses(ev.reason);
    ev.box = this.name;
    return ev;
  }

  /** The view's name for a box-local node name, registering the node on first sight. */
  private viewName(tier: Tier, local: string): string {
    const names = this.names[tier];
    const known = names.get(local);
    if (known !== undefined) return known;
    let name = local;
    if (this.kept[tier] >= this.bounds.maxNodes) {
      name = OTHER_NODE;
      this.overflow++;
    } else {
      this.kept[tier]++;
      if (!this.bounds.showAddresses) name = maskAddresses(local);
    }
    const view = `${this.name}/${name}`;
    // Names folded into (other) are remembered up to the bound again; past that the map stops growing.
    if (names.size < 2 * this.bounds.maxNodes) names.set(local, view);
    const id = nodeId(tier, view);
    if (!this.nodeIds.has(id)) {
      this.nodeIds.add(id);
      this.topology.addNode({ id, tier, name: view, box: this.name });
    }
    return view;
  }

  /** A box-local node id ("tier:name") in the view's terms, or undefined if it is not one. */
  private viewNode(id: string): string | undefined {
    const colon = id.indexOf(':');
    const tier = id.slice(0, colon) as Tier;
    if (colon < 0 || !TIERS.includes(tier)) return undefined;
    return nodeId(tier, this.viewName(tier, id.slice(colon + 1)));
  }

  /**
   * A box-local edge id in the view's terms. Names may hold '>' themselves, so
   * the split is the one whose left side is a node the report lists.
   */
  private viewEdge(id: string, nodes: Record<string, unknown>): string | undefined {
    const colon = id.indexOf(':');
    const tier = id.slice(0, colon) as Tier;
    if (colon < 0 || !TIERS.includes(tier)) return undefined;
    const marker = `>${NEXT_TIER[tier]}:`;
    for (let at = id.indexOf(marker); at >= 0; at = id.indexOf(marker, at + 1)) {
      const from = id.slice(0, at);
      if (!Object.hasOwn(nodes, from)) continue;
      const to = id.slice(at + 1);
      const fromView = this.viewNode(from)!;
      const toView = tier === 'egress' ? destId(to.slice('dest:'.length)) : this.viewNode(to);
      return toView === undefined ? undefined : edgeId(fromView, toView);
    }
    return undefined;
  }

  private totalsOf(r: BoxReport): BoxTotals {
    const s = r.stats;
    const t = emptyTotals();
    t.lines = s.lines;
    t.unparsed = s.unparsed;
    t.evictions = s.drops.evictions;
    t.events = s.events;
    t.byKind = s.byKind.slice() as KindCounts;
    t.publisher = { ...r.publisher };
    for (const [id, counts] of Object.entries(s.nodes)) {
      const view = this.viewNode(id);
      if (view === undefined) this.overflow++;
      else addInto(t.nodes, view, counts);
    }
    for (const [id, counts] of Object.entries(s.edges)) {
      const view = this.viewEdge(id, s.nodes);
      if (view === undefined || !this.keepEdge(view)) this.overflow++;
      else addInto(t.edges, view, counts);
    }
    const extra = s as unknown as Record<string, Record<string, KindCounts> | undefined>;
    for (const key of BREAKDOWNS) {
      const m = extra[key];
      if (!m) continue;
      const into: CountsMap = new Map();
      for (const [k, counts] of Object.entries(m)) addInto(into, k, counts);
      t.breakdowns.set(key, into);
    }
    for (const [k, counts] of Object.entries(extra.providerEdges ?? {})) {
      const gt = k.indexOf('>provider:');
      const from = gt < 0 ? undefined : this.viewNode(k.slice(0, gt));
      if (from !== undefined) addInto(t.providerEdges, from + k.slice(gt), counts);
    }
    return t;
  }

  private keepEdge(id: string): boolean {
    if (this.edgeIds.has(id)) return true;
    if (this.edgeIds.size >= this.bounds.maxEdges) return false;
    this.edgeIds.add(id);
    this.topology.addEdge(id);
    return true;
  }
}
