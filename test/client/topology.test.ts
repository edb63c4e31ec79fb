import { describe, expect, it } from 'vitest';
import { Topology } from '../../client/state/topology.js';
import { nodeId, type TopoNode } from '../../server/protocol/index.js';

const n = (tier: TopoNode['tier'], name: string): TopoNode => ({ id: nodeId(tier, name), tier, name });

describe('Topology', () => {
  it('orders a tier by name the way people count (mx2 before mx10)', () => {
    const t = new Topology();
    t.reset([n('mta', 'mx10'), n('mta', 'mx2'), n('mta', 'mx1'), n('egress', 'p1')], []);
    expect(t.tier('mta').map((x) => x.name)).toEqual(['mx1', 'mx2', 'mx10']);
  });

  it('changes version only when something new arrives', () => {
    const t = new Topology();
    t.reset([n('mta', 'mx1')], []);
    const v = t.version;
    t.add([n('mta', 'mx1')], []);
    expect(t.version).toBe(v);
    t.add([], ['ingress:a>mta:mx1']);
    expect(t.version).toBe(v + 1);
    t.add([n('egress', 'p9')], []);
    expect(t.tier('egress')).toHaveLength(1);
  });

  it('rebuilds from scratch on reset (a restarted daemon) and skips malformed nodes', () => {
    const t = new Topology();
    t.reset([n('mta', 'mx1'), n('mta', 'mx2')], ['x>y']);
    t.reset([n('mta', 'mx3'), { id: 'bad' } as TopoNode, { id: 'x', tier: 'proxy', name: 'x' } as unknown as TopoNode], []);
    expect([...t.nodes.keys()]).toEqual(['mta:mx3']);
    expect(t.edges.size).toBe(0);
  });
});
