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
  /** An egress node's destination edges by octet slot (see octetSlot), filled as they are first counted. */
  dests: (EdgeEntry | undefined)[] | undefined;
}

const zero = (): KindCounts => [0, 0, 0, 0, 0];

/** Slot of the "v6" bucket in NodeEntry.dests; 0-255 are IPv4 first octets. */
const V6 = 256;

/**
 * destBucket(ip) as an array index: the first octet of a dotted quad, V6, or
 * -1 for whatever else (those take destBucket and the Map). On the dev box
 * destBucket (slice, Number, String) and the Map lookup of its answer cost
 * ~60 ns per delivery; this and an array index ~10 ns.
 */
function octetSlot(ip: string): number {
  let v = 0;
  let i = 0;
  for (; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c < 48 || c > 57) break;
    v = v * 10 + c - 48;
  }
  if (i >= 1 && i <= 3 && ip.charCodeAt(i) === 46 && v <= 255) return ip.indexOf(':', i) >= 0 ? V6 : v;
  return ip.indexOf(':') >= 0 ? V6 : -1;
}

/** KIND_INDEX[kind], -1 for anything else. A switch: a keyed load with five different keys goes megamorphic. */
function kindIndex(kind: unknown): number {
  switch (kind) {
    case 'injection': return KIND_INDEX.injection;
    case 'delivery': return KIND_INDEX.delivery;
    case 'deferral': return KIND_INDEX.deferral;
    case 'bounce': return KIND_INDEX.bounce;
    case 'rejection': return KIND_INDEX.rejection;
    default: return -1;
  }
}

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
    const k = kindIndex(ev.kind);
    if (k < 0) {
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
    if (egr && ev.destIp) this.countDest(egr, ev.destIp, k);
  }

  private countDest(egr: NodeEntry, ip: string, k: number): void {
    const slot = octetSlot(ip);
    const edge = slot >= 0 ? (egr.dests ??= new Array<EdgeEntry | undefined>(V6 + 1).fill(undefined))[slot] : undefined;
    if (edge !== undefined) {
      edge.counts[k]! += 1;
      return;
    }
    const bucket = destBucket(ip);
    if (bucket === undefined) return;
    const counted = this.count(egr, bucket, undefined, k);
    if (slot >= 0 && counted !== undefined) egr.dests![slot] = counted;
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
    return { id, name, counts: zero(), out: new Map(), dests: undefined };
  }

  /** `toId` undefined means the target is the destination bucket `key`. The edge counted, undefined past maxEdges. */
  private count(from: NodeEntry, key: string, toId: string | undefined, k: number): EdgeEntry | undefined {
    let edge = from.out.get(key);
    if (!edge) {
      if (this.edges >= this.maxEdges) {
        this.edgeOverflow++;
        return undefined;
      }
      edge = { id: edgeId(from.id, toId ?? destId(key)), counts: zero() };
      from.out.set(key, edge);
      this.edges++;
      this.topology.addEdge(edge.id);
    }
    edge.counts[k]! += 1;
    return edge;
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
