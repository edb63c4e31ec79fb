// A view's merge of federated boxes, in-process: real hubs on both sides (a
// box's hub makes the reports, exactly as a publishing daemon does), messages
// in the wire format, and the view's hub building its stats with the merge.
// Time is passed in, so stale and expiry need no waiting.

import { describe, expect, it } from 'vitest';
import { Federation } from '../../server/bus/federation.js';
import type { SubscribeSettings } from '../../server/bus/options.js';
import { BatchEncoder, WIRE_VERSION, type BoxReport } from '../../server/bus/wire.js';
import { Hub } from '../../server/hub/hub.js';
import type { HubConfig } from '../../server/hub/options.js';
import { silentLogger } from '../../server/log.js';
import type { KindCounts, MailEvent, StatsMessage, TopologyMessage } from '../../server/protocol/index.js';

const CONFIG: HubConfig = {
  rate: 1_000_000,
  tick: 20,
  clientBuffer: 1024 * 1024,
  stuckTimeout: 15_000,
  pingInterval: 30_000,
  maxNodes: 256,
  maxEdges: 20_000,
};

const SETTINGS: SubscribeSettings = {
  endpoint: { servers: ['nats://127.0.0.1:4222'], reconnectMaxMs: 1000 },
  prefix: 'mtaviz',
  accept: undefined,
  exact: undefined,
  ownBox: undefined,
  staleMs: 1000,
  expireMs: 5000,
  maxBoxes: 8,
};

function hub(remote?: { mergeInto(msg: StatsMessage): void }, config: Partial<HubConfig> = {}): Hub {
  return new Hub(
    { ...CONFIG, ...config },
    {
      version: 'test',
      showAddresses: false,
      counters: () => ({ lines: 0, unparsed: 0, evictions: 0, correlating: 0, sources: {}, parsers: {} }),
      log: silentLogger(),
      ...(remote ? { remote } : {}),
    },
  );
}

/** A box: its own hub counting what it publishes, its batch numbering and its reports. */
class TestBox {
  readonly hub = hub();
  private seq = 0;
  private upto = 0;
  private reportAt = 0;

  constructor(
    readonly name: string,
    readonly boot = `${name}-boot-1`,
  ) {}

  /** Counts the events on the box and returns them as the next batch (number `seq`, if given, else the next). */
  batch(events: MailEvent[], seq?: number): Uint8Array {
    for (const ev of events) this.hub.publish({ ...ev });
    this.seq = seq ?? this.seq + 1;
    this.upto += events.length;
    const enc = new BatchEncoder();
    for (const ev of events) enc.add(ev);
    return new TextEncoder().encode(enc.take({ box: this.name, boot: this.boot, seq: this.seq, upto: this.upto }));
  }

  report(): Uint8Array {
    const stats = this.hub.localStats();
    stats.at = ++this.reportAt;
    const r: BoxReport = {
      v: WIRE_VERSION,
      box: this.name,
      boot: this.boot,
      startedAt: 0,
      seq: this.seq,
      upto: this.upto,
      publisher: { batches: 0, events: 0, droppedBatches: 0, droppedEvents: 0, oversize: 0 },
      stats,
    };
    return new TextEncoder().encode(JSON.stringify(r));
  }
}

function ev(kind: MailEvent['kind'], mta: string, egress?: string, more: Partial<MailEvent> = {}): MailEvent {
  return { ts: 1_795_000_000_000, format: 'postfix', kind, ingress: 'in', mta, ...(egress ? { egress, destIp: '66.1.2.3' } : {}), ...more };
}

interface Rig {
  fed: Federation;
  view: Hub;
  now: number;
  /** Events the view's samplers were offered. */
  offered: MailEvent[];
}

function rig(settings: Partial<SubscribeSettings> = {}, bounds: Partial<{ maxNodes: number; maxEdges: number; showAddresses: boolean }> = {}): Rig {
  const r = { now: 0, offered: [] as MailEvent[] } as Rig;
  const b = { maxNodes: 256, maxEdges: 20_000, showAddresses: false, ...bounds };
  r.fed = new Federation({ ...SETTINGS, ...settings }, b, () => ({
    topology: r.view.topology,
    offer: (e: MailEvent) => {
      r.offered.push(e);
      r.view.offer(e);
    },
  }), silentLogger());
  r.view = hub({ mergeInto: (msg) => r.fed.mergeInto(msg, r.now) }, { maxNodes: b.maxNodes, maxEdges: b.maxEdges });
  return r;
}

const add = (a: readonly number[], b: readonly number[]) => a.map((x, i) => x + b[i]!) as KindCounts;

describe('merging boxes into a view', () => {
  it('adds each box to the local input, with every node and edge named BOX/NAME', () => {
    const r = rig();
    const a = new TestBox('a');
    const b = new TestBox('b');
    r.view.publish(ev('delivery', 'mx1', 'proxy-a'));
    r.fed.onEvents('a', a.batch([ev('injection', 'mx1'), ev('delivery', 'mx1', 'proxy-a')]), r.now);
    r.fed.onEvents('b', b.batch([ev('deferral', 'mx1', 'proxy-a'), ev('bounce', 'mx2', 'proxy-a')]), r.now);
    r.fed.onReport('a', a.report(), r.now);
    r.fed.onReport('b', b.report(), r.now);

    const { stats, topology } = r.view.snapshot();
    expect(stats.events).toBe(5);
    expect(stats.byKind).toEqual([1, 2, 1, 1, 0]);
    expect(stats.nodes['egress:proxy-a']).toEqual([0, 1, 0, 0, 0]);
    expect(stats.nodes['egress:a/proxy-a']).toEqual([0, 1, 0, 0, 0]);
    expect(stats.nodes['egress:b/proxy-a']).toEqual([0, 0, 1, 1, 0]);
    expect(stats.edges['mta:b/mx2>egress:b/proxy-a']).toEqual([0, 0, 0, 1, 0]);
    expect(stats.edges['egress:a/proxy-a>dest:66']).toEqual([0, 1, 0, 0, 0]);
    expect(stats.edges['ingress:in>mta:mx1']).toEqual([0, 1, 0, 0, 0]);
    // Topology and events agree: every node an offered event names is in the topology, with its box.
    const nodes = new Map(topology.nodes.map((n) => [n.id, n]));
    for (const e of r.offered) {
      expect(nodes.get(`mta:${e.mta}`)?.box).toBe(e.box);
      if (e.egress) expect(nodes.has(`egress:${e.egress}`)).toBe(true);
    }
    expect(r.offered.map((e) => e.mta)).toEqual(['a/mx1', 'a/mx1', 'b/mx1', 'b/mx2']);
    // The view's own counters stay its own: the merge never writes into them.
    expect(r.view.stats.events).toBe(1);
    expect(r.view.localStats().events).toBe(1);
  });

  it('carries a box over its restart, and ignores a straggler from the run before', () => {
    const r = rig();
    const first = new TestBox('a', 'run-1');
    r.fed.onEvents('a', first.batch([ev('delivery', 'mx1', 'p'), ev('delivery', 'mx1', 'p')]), r.now);
    const lastOfFirst = first.report();
    r.fed.onReport('a', lastOfFirst, r.now);
    const second = new TestBox('a', 'run-2');
    r.fed.onEvents('a', second.batch([ev('bounce', 'mx1', 'p')]), r.now);
    r.fed.onReport('a', second.report(), r.now);
    r.fed.onReport('a', lastOfFirst, r.now);

    const { stats } = r.view.snapshot();
    expect(stats.events).toBe(3);
    expect(stats.nodes['mta:a/mx1']).toEqual([0, 2, 0, 1, 0]);
    const box = r.fed.status(r.now).a!;
    expect(box.restarts).toBe(1);
    expect(box.received.batches + box.lost.batches).toBe(box.published.batches);
  });

  it('counts every batch number as received, lost or duplicate, the last ones included', () => {
    const r = rig();
    const a = new TestBox('a');
    const one = [ev('delivery', 'mx1', 'p')];
    const two = [ev('delivery', 'mx1', 'p'), ev('deferral', 'mx1', 'p')];
    r.fed.onEvents('a', a.batch(one), r.now);
    const second = a.batch(two);
    r.fed.onEvents('a', second, r.now);
    a.batch(two); // 3: lost on the way
    r.fed.onEvents('a', a.batch(one), r.now); // 4
    r.fed.onEvents('a', second, r.now); // 2 again: a resend after a reconnect
    a.batch(one); // 5: lost, and the last one before the report
    r.fed.onReport('a', a.report(), r.now);

    const box = r.fed.status(r.now).a!;
    expect(box.received).toEqual({ batches: 3, events: 4 });
    expect(box.lost).toEqual({ batches: 2, events: 3 });
    expect(box.duplicates).toBe(1);
    expect(box.published).toEqual({ batches: 5, events: 7 });
    // Totals come from the report, not from what arrived.
    expect(r.view.snapshot().stats.events).toBe(7);
  });

  it('splits edge ids whose names hold ">" at the node the box reported', () => {
    const r = rig();
    const a = new TestBox('a');
    a.batch([ev('delivery', 'mx>1', 'proxy>egress:x')]);
    r.fed.onReport('a', a.report(), r.now);
    const { stats } = r.view.snapshot();
    expect(stats.edges['mta:a/mx>1>egress:a/proxy>egress:x']).toEqual([0, 1, 0, 0, 0]);
    expect(stats.edges['ingress:a/in>mta:a/mx>1']).toEqual([0, 1, 0, 0, 0]);
  });

  it('shows a silent box stale (rates drop out), then removes it: clients get the full topology without it', () => {
    const r = rig();
    const a = new TestBox('a');
    const b = new TestBox('b');
    r.fed.onEvents('a', a.batch([ev('delivery', 'mx1', 'p')]), r.now);
    r.fed.onReport('a', a.report(), r.now);
    r.fed.onReport('b', b.report(), r.now);
    r.view.topology.takeDelta();

    r.now = 1500;
    r.fed.onReport('b', b.report(), r.now);
    r.fed.sweep(r.now);
    expect(r.fed.status(r.now).a!.state).toBe('stale');
    expect(r.view.snapshot().stats.events).toBe(1);

    r.now = 5500;
    r.fed.sweep(r.now);
    const status = r.fed.status(r.now);
    expect(Object.keys(status)).toEqual(['b']);
    const { stats } = r.view.snapshot();
    expect(stats.events).toBe(0);
    expect(Object.keys(stats.nodes).some((id) => id.includes('a/'))).toBe(false);
    const next = r.view.topology.takeDelta() as TopologyMessage;
    expect(next.type).toBe('topology');
    expect(next.nodes.some((n) => n.box === 'a')).toBe(false);
    expect(r.fed.counters.removed).toBe(1);
  });

  it('bounds what boxes can add: names per tier, edges, boxes', () => {
    const r = rig({ maxBoxes: 2 }, { maxNodes: 2, maxEdges: 3 });
    const a = new TestBox('a');
    a.batch(['m1', 'm2', 'm3', 'm4'].map((m) => ev('delivery', m, 'p')));
    r.fed.onReport('a', a.report(), r.now);
    r.fed.onReport('b', new TestBox('b').report(), r.now);
    r.fed.onReport('c', new TestBox('c').report(), r.now);
    const { stats, topology } = r.view.snapshot();
    expect(stats.events).toBe(4);
    expect(stats.nodes['mta:a/(other)']).toEqual(add([0, 1, 0, 0, 0], [0, 1, 0, 0, 0]));
    expect(Object.keys(stats.edges).length).toBe(3);
    expect(topology.edges.length).toBe(3);
    expect(r.fed.counters.ignored).toBe(1);
    expect(r.fed.status(r.now).a!.overflow).toBeGreaterThan(0);
  });

  it('masks addresses in what boxes send unless the view shows them, and skips bad messages, counted', () => {
    const r = rig();
    const a = new TestBox('a');
    r.fed.onEvents('a', a.batch([ev('bounce', 'mx1', 'p', { reason: '550 <jane.doe@example.com>: unknown user' })]), r.now);
    expect(r.offered[0]!.reason).toBe('550 <***@example.com>: unknown user');
    r.fed.onEvents('a', new TextEncoder().encode('{"v":1'), r.now);
    r.fed.onReport('b', a.report(), r.now); // box "a" on b's subject
    expect(r.fed.counters.badMessages).toBe(2);
  });

  it('leaves out its own box and boxes the patterns do not match', () => {
    const r = rig({ ownBox: 'me', accept: (box) => box.startsWith('dc1-') });
    expect(r.fed.wants('me')).toBe(false);
    expect(r.fed.wants('dc1-a')).toBe(true);
    expect(r.fed.wants('dc2-a')).toBe(false);
  });
});
