// Exact counters over every event the hub sees, never sampled: per kind, per
// node, per edge (ingress>mta, mta>egress, egress>dest:bucket). Discovering a
// node or edge is a side effect of its first count, so topology and stats can
// never disagree. Both are bounded: past maxNodes a tier's new names count
// under "(other)"; past maxEdges new edges are not kept and their events are
// counted as overflow (the per-kind and per-node counts stay exact).

import {
  KIND_INDEX,
  destBucket,
  destId,
  edgeId,
  nodeId,
  type KindCounts,
  type MailEvent,
  type Tier,
} from '../protocol/index.js';
import type { Topology } from './topology.js';

export const OTHER_NODE = '(other)';

interface EdgeEntry {
  readonly id: string;
  readonly counts: KindCounts;
}

interface NodeEntry {
  readonly id: string;
  readonly name: string;
  readonly counts: KindCounts;
  /** Outgoing edges keyed by the target's name (or destination bucket). */
  readonly out: Map<string, EdgeEntry>;
}

const zero = (): KindCounts => [0, 0, 0, 0, 0];

export class ExactStats {
  events = 0;
  readonly byKind: KindCounts = zero();
  /** Events whose kind is not one of KINDS: counted, otherwise ignored. */
  invalid = 0;
  /** Events that fell on an edge beyond maxEdges. */
  edgeOverflow = 0;
  private edges = 0;
  private readonly tiers: Record<Tier, Map<string, NodeEntry>> = {
    ingress: new Map(),
    mta: new Map(),
    egress: new Map(),
  };
  private readonly others: Partial<Record<Tier, NodeEntry>> = {};

  constructor(
    private readonly topology: Topology,
    private readonly maxNodes: number,
    private readonly maxEdges: number,
  ) {}

  record(ev: MailEvent): void {
    const k = KIND_INDEX[ev.kind];
    if (typeof k !== 'number') {
      this.invalid++;
      return;
    }
    this.events++;
    this.byKind[k]! += 1;
    // Empty names are as good as absent: they would draw a nameless sprite.
    const ing = ev.ingress ? this.node('ingress', ev.ingress) : undefined;
    const mta = ev.mta ? this.node('mta', ev.mta) : undefined;
    const egr = ev.egress ? this.node('egress', ev.egress) : undefined;
    if (ing) ing.counts[k]! += 1;
    if (mta) mta.counts[k]! += 1;
    if (egr) egr.counts[k]! += 1;
    if (ing && mta) this.count(ing, mta.name, mta.id, k);
    if (mta && egr) this.count(mta, egr.name, egr.id, k);
    if (egr && ev.destIp) {
      const bucket = destBucket(ev.destIp);
      if (bucket !== undefined) this.count(egr, bucket, undefined, k);
    }
  }

  private node(tier: Tier, name: string): NodeEntry {
    const map = this.tiers[tier];
    const found = map.get(name);
    if (found) return found;
    if (map.size >= this.maxNodes) return (this.others[tier] ??= this.create(tier, OTHER_NODE));
    const entry = this.create(tier, name);
    map.set(name, entry);
    return entry;
  }

  private create(tier: Tier, name: string): NodeEntry {
    const id = nodeId(tier, name);
    this.topology.addNode({ id, tier, name });
    return { id, name, counts: zero(), out: new Map() };
  }

  /** `toId` undefined means the target is the destination bucket `key`. */
  private count(from: NodeEntry, key: string, toId: string | undefined, k: number): void {
    let edge = from.out.get(key);
    if (!edge) {
      if (this.edges >= this.maxEdges) {
        this.edgeOverflow++;
        return;
      }
      edge = { id: edgeId(from.id, toId ?? destId(key)), counts: zero() };
      from.out.set(key, edge);
      this.edges++;
      this.topology.addEdge(edge.id);
    }
    edge.counts[k]! += 1;
  }

  /** Per node id, copies (the live arrays keep counting). */
  nodeCounts(): Record<string, KindCounts> {
    const out: Record<string, KindCounts> = {};
    for (const node of this.allNodes()) out[node.id] = node.counts.slice() as KindCounts;
    return out;
  }

  /** Per edge id, copies. */
  edgeCounts(): Record<string, KindCounts> {
    const out: Record<string, KindCounts> = {};
    for (const node of this.allNodes()) {
      for (const edge of node.out.values()) out[edge.id] = edge.counts.slice() as KindCounts;
    }
    return out;
  }

  private *allNodes(): Iterable<NodeEntry> {
    for (const tier of ['ingress', 'mta', 'egress'] as const) {
      yield* this.tiers[tier].values();
      const other = this.others[tier];
      if (other) yield other;
    }
  }
}
