// The topology as the daemon reports it: nodes per tier and the edges seen.
// `version` changes whenever anything does, so the scene can re-layout only then.

import type { Tier, TopoNode } from '../../server/protocol/index.js';

const byName = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

export class Topology {
  readonly nodes = new Map<string, TopoNode>();
  readonly edges = new Set<string>();
  version = 0;
  private tierCache = new Map<Tier, readonly TopoNode[]>();

  reset(nodes: readonly TopoNode[], edges: readonly string[]): void {
    this.nodes.clear();
    this.edges.clear();
    this.add(nodes, edges, true);
  }

  add(nodes: readonly TopoNode[], edges: readonly string[], force = false): void {
    let changed = force;
    for (const n of nodes) {
      if (!isNode(n) || this.nodes.has(n.id)) continue;
      this.nodes.set(n.id, n);
      changed = true;
    }
    for (const e of edges) {
      if (typeof e !== 'string' || this.edges.has(e)) continue;
      this.edges.add(e);
      changed = true;
    }
    if (changed) {
      this.version++;
      this.tierCache.clear();
    }
  }

  /** Nodes of one tier in a stable, human order (mx2 before mx10). */
  tier(tier: Tier): readonly TopoNode[] {
    let list = this.tierCache.get(tier);
    if (!list) {
      list = [...this.nodes.values()].filter((n) => n.tier === tier).sort((a, b) => byName.compare(a.name, b.name));
      this.tierCache.set(tier, list);
    }
    return list;
  }
}

function isNode(n: unknown): n is TopoNode {
  if (typeof n !== 'object' || n === null) return false;
  const o = n as Record<string, unknown>;
  return (
    typeof o.id === 'string' &&
    typeof o.name === 'string' &&
    (o.tier === 'ingress' || o.tier === 'mta' || o.tier === 'egress')
  );
}
