import { describe, expect, it } from 'vitest';
import type { MailEvent } from '../../server/protocol/index.js';
import { ExactStats, OTHER_NODE } from '../../server/hub/stats.js';
import { Topology } from '../../server/hub/topology.js';

const base = { ts: 0, format: 'postfix' } as const;

describe('ExactStats and Topology', () => {
  it('counts every event per kind, node and edge, and discovers the topology once', () => {
    const topo = new Topology();
    const stats = new ExactStats(topo, 100, 1000);
    const events: MailEvent[] = [
      { ...base, kind: 'injection', ingress: 'api', mta: 'mx1' },
      { ...base, kind: 'delivery', ingress: 'api', mta: 'mx1', egress: 'proxy-a', destIp: '93.184.216.34' },
      { ...base, kind: 'delivery', ingress: 'api', mta: 'mx1', egress: 'proxy-a', destIp: '93.1.2.3' },
      { ...base, kind: 'deferral', ingress: 'smtp', mta: 'mx2', egress: 'proxy-a', destIp: '2607:f8b0::1b' },
      { ...base, kind: 'bounce', mta: 'mx2', egress: 'proxy-b' },
      { ...base, kind: 'rejection', ingress: 'smtp', mta: 'mx2' },
      { ...base, kind: 'delivery', mta: 'mx1', egress: 'proxy-b', destIp: 'not-an-ip' },
    ];
    for (const e of events) stats.record(e);

    expect(stats.events).toBe(7);
    expect(stats.byKind).toEqual([1, 3, 1, 1, 1]);
    expect(stats.nodeCounts()).toEqual({
      'ingress:api': [1, 2, 0, 0, 0],
      'ingress:smtp': [0, 0, 1, 0, 1],
      'mta:mx1': [1, 3, 0, 0, 0],
      'mta:mx2': [0, 0, 1, 1, 1],
      'egress:proxy-a': [0, 2, 1, 0, 0],
      'egress:proxy-b': [0, 1, 0, 1, 0],
    });
    expect(stats.edgeCounts()).toEqual({
      'ingress:api>mta:mx1': [1, 2, 0, 0, 0],
      'ingress:smtp>mta:mx2': [0, 0, 1, 0, 1],
      'mta:mx1>egress:proxy-a': [0, 2, 0, 0, 0],
      'mta:mx1>egress:proxy-b': [0, 1, 0, 0, 0],
      'mta:mx2>egress:proxy-a': [0, 0, 1, 0, 0],
      'mta:mx2>egress:proxy-b': [0, 0, 0, 1, 0],
      'egress:proxy-a>dest:93': [0, 2, 0, 0, 0],
      'egress:proxy-a>dest:v6': [0, 0, 1, 0, 0],
    });

    const full = topo.message();
    expect(full.nodes.map((n) => n.id).sort()).toEqual(Object.keys(stats.nodeCounts()).sort());
    expect(full.edges.sort()).toEqual(Object.keys(stats.edgeCounts()).sort());
    const delta = topo.takeDelta()!;
    expect(delta.nodes).toHaveLength(6);
    expect(delta.edges).toHaveLength(8);
    expect(topo.takeDelta()).toBeUndefined();

    stats.record({ ...base, kind: 'delivery', mta: 'mx3', egress: 'proxy-a', destIp: '10.0.0.1' });
    expect(topo.takeDelta()).toEqual({
      type: 'topology-delta',
      nodes: [{ id: 'mta:mx3', tier: 'mta', name: 'mx3' }],
      edges: ['mta:mx3>egress:proxy-a', 'egress:proxy-a>dest:10'],
    });
  });

  it('encodes the full topology once per change', () => {
    const topo = new Topology();
    const stats = new ExactStats(topo, 100, 1000);
    stats.record({ ...base, kind: 'injection', ingress: 'api', mta: 'mx1' });
    const a = topo.encodedFull();
    expect(topo.encodedFull()).toBe(a);
    stats.record({ ...base, kind: 'injection', ingress: 'api', mta: 'mx2' });
    const b = topo.encodedFull();
    expect(b).not.toBe(a);
    expect(JSON.parse(b.toString())).toEqual(topo.message());
  });

  it('stays bounded: extra names fold into (other), extra edges are counted as overflow', () => {
    const topo = new Topology();
    const stats = new ExactStats(topo, 3, 4);
    for (let i = 0; i < 50; i++) stats.record({ ...base, kind: 'delivery', mta: `mx${i}`, egress: 'p', destIp: `${i}.0.0.1` });
    const nodes = stats.nodeCounts();
    expect(Object.keys(nodes)).toEqual(['mta:mx0', 'mta:mx1', 'mta:mx2', `mta:${OTHER_NODE}`, 'egress:p']);
    expect(nodes[`mta:${OTHER_NODE}`]).toEqual([0, 47, 0, 0, 0]);
    expect(Object.keys(stats.edgeCounts())).toHaveLength(4);
    expect(topo.edgeCount).toBe(4);
    // 50 events x 2 edges each, 4 kept: per-kind and per-node counts stay exact.
    const perEdge = Object.values(stats.edgeCounts()).reduce((a, c) => a + c[1], 0);
    expect(perEdge + stats.edgeOverflow).toBe(100);
    expect(stats.byKind[1]).toBe(50);
  });

  it('counts events of an unknown kind as invalid and nothing else', () => {
    const stats = new ExactStats(new Topology(), 10, 10);
    stats.record({ ...base, kind: 'toString' as never, mta: 'mx1' });
    expect(stats.invalid).toBe(1);
    expect(stats.events).toBe(0);
    expect(stats.nodeCounts()).toEqual({});
  });
});
