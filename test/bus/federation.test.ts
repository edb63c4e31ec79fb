// Several boxes, one view, through a real nats-server on loopback: three
// publishing daemons (one of them --headless) fed different known Postfix
// mixes through their sockets, and a view daemon with local input of its own,
// watched by a real ws client. The view's exact stats must equal the sum of
// the mixes per box, kind and edge, through a nats-server crash and restart,
// a box's daemon restarting, and a box going silent (stale, then removed).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../../bench/lib/nats-server.js';
import type { TrafficOptions } from '../../bench/lib/postfix-traffic.js';
import type { BoxStats, KindCounts, MailEvent, ServerMessage, StatsMessage, TopologyMessage } from '../../server/protocol/index.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

interface Snapshot {
  topology: TopologyMessage;
  stats: StatsMessage;
}

/** A box: its daemon, the mix it is fed, and everything written into it (all its runs). */
interface BoxRig {
  name: string;
  mix: TrafficOptions;
  headless: boolean;
  daemon: Daemon;
  writers: TrafficWriter[];
  /** Messages written so far, so a new writer continues the numbering (disjoint queue IDs). */
  messages: number;
}

const MIXES: Record<string, TrafficOptions> = {
  b1: { seed: 11, ingresses: ['in-smtp'], mtas: ['mx1', 'mx2'], egresses: ['proxy-a', 'proxy-b'], outcomes: [0.8, 0.15, 0.05], rejects: 0.02 },
  b2: { seed: 22, ingresses: ['in-smtp', 'in-api'], mtas: ['mx1', 'mx3'], egresses: ['proxy-a'], outcomes: [0.5, 0.3, 0.2], rejects: 0.1 },
  b3: { seed: 33, ingresses: ['in-api'], mtas: ['mta-c1'], egresses: ['proxy-a', 'proxy-c'], outcomes: [0.9, 0.05, 0.05], rejects: 0 },
};
/** The view's own input: plain names, next to the boxes' qualified ones. */
const LOCAL_MIX: TrafficOptions = { seed: 44, ingresses: ['lb'], mtas: ['mx1'], egresses: ['proxy-a'] };

let nats: NatsServer;
let view: Daemon;
/** A second view that merges only some boxes (--boxes). */
let partial: Daemon;
let client: RecordingClient;
const boxes = new Map<string, BoxRig>();
const localWriters: TrafficWriter[] = [];
/** Node ids of the topology as the ws client has it (full topology plus deltas). */
const seenNodes = new Set<string>();
const seenEvents: MailEvent[] = [];
let fullTopologies = 0;

const publisherArgs = (name: string) => ['--publish', nats.url, '--box', name, '--bus-stats', '200ms', '--bus-buffer', '1KiB'];

async function startBox(name: string, headless: boolean): Promise<Daemon> {
  return startDaemon({ args: [...publisherArgs(name), ...(headless ? ['--headless'] : [])], headless });
}

async function snapshot(d: Daemon): Promise<Snapshot> {
  return (await (await fetch(`${d.url}/api/snapshot`)).json()) as Snapshot;
}

/** A writer into the box's socket that carries on the box's message numbering. */
async function writer(box: BoxRig): Promise<TrafficWriter> {
  const w = await new TrafficWriter(box.daemon.socket, { ...box.mix, firstMessage: box.messages }).open();
  box.writers.push(w);
  return w;
}

async function finish(box: BoxRig, w: TrafficWriter): Promise<void> {
  await w.close();
  box.messages = box.writers.reduce((n, x) => n + messagesOf(x), 0);
}

function messagesOf(w: TrafficWriter): number {
  const k = w.traffic.counts.byKind;
  // Every message is one injection or one rejection.
  return k[0] + k[4];
}

const sum = (a: KindCounts, b: readonly number[]): KindCounts => a.map((x, i) => x + (b[i] ?? 0)) as KindCounts;
const total = (k: readonly number[]) => k.reduce((a, b) => a + b, 0);

/** A box-local node id in the view's names: tier:BOX/name (destination buckets are shared). */
function qualifyNode(box: string, id: string): string {
  if (id.startsWith('dest:')) return id;
  const colon = id.indexOf(':');
  return `${id.slice(0, colon)}:${box}/${id.slice(colon + 1)}`;
}

const qualifyEdge = (box: string, id: string) =>
  id
    .split('>')
    .map((n) => qualifyNode(box, n))
    .join('>');

/** What the writers of one box (or the view's own) put in, per edge, in the view's names. */
function expectedEdges(writers: readonly TrafficWriter[], box: string | undefined): Record<string, KindCounts> {
  const out: Record<string, KindCounts> = {};
  for (const w of writers) {
    for (const [id, counts] of Object.entries(w.traffic.counts.edges)) {
      const key = box ? qualifyEdge(box, id) : id;
      out[key] = sum(out[key] ?? [0, 0, 0, 0, 0], counts);
    }
  }
  return out;
}

function expectedKinds(writers: readonly TrafficWriter[]): KindCounts {
  return writers.reduce<KindCounts>((acc, w) => sum(acc, w.traffic.counts.byKind), [0, 0, 0, 0, 0]);
}

const allWriters = () => [...localWriters, ...[...boxes.values()].flatMap((b) => b.writers)];

/** The view's stats (from the ws client) once every box's and the local totals are all in. */
async function settled(what: string): Promise<StatsMessage> {
  const progress = () => {
    const s = client.stats;
    const perBox = [...boxes.values()].map((b) => {
      const seen = s?.bus?.boxes?.[b.name];
      return {
        box: b.name,
        events: seen?.events,
        want: total(expectedKinds(b.writers)),
        // Every batch number is accounted for: received or lost.
        accounted: seen ? seen.received.batches + seen.lost.batches : undefined,
        published: seen?.published.batches,
      };
    });
    return { events: s?.events, want: total(expectedKinds(allWriters())), perBox, extra: Object.keys(s?.bus?.boxes ?? {}) };
  };
  await waitFor(
    progress,
    (p) =>
      p.events === p.want &&
      p.extra.length === boxes.size &&
      p.perBox.every((b) => b.events === b.want && b.accounted === b.published),
    { timeoutMs: 30_000, message: what },
  );
  // Writing has ended: any later stats message holds the same totals.
  return client.stats!;
}

function checkExact(s: StatsMessage): void {
  expect(s.byKind).toEqual(expectedKinds(allWriters()));
  const want: Record<string, KindCounts> = expectedEdges(localWriters, undefined);
  for (const b of boxes.values()) Object.assign(want, expectedEdges(b.writers, b.name));
  // Every edge of every mix, exact; and no edge the mixes did not make.
  expect(s.edges).toEqual(want);
}

beforeAll(async () => {
  nats = await startNatsServer();
  view = await startDaemon({ args: ['--subscribe', nats.url, '--box-stale', '1500ms', '--box-expire', '6s'] });
  client = await RecordingClient.connect(`${view.url.replace(/^http/, 'ws')}/ws`, {
    onEvents: (msg) => {
      for (const ev of msg.events) {
        seenEvents.push(ev);
        // Events and topology agree: every node an event names is in the topology the client holds.
        for (const [tier, name] of [['ingress', ev.ingress], ['mta', ev.mta], ['egress', ev.egress]] as const) {
          if (name !== undefined) expect(seenNodes.has(`${tier}:${name}`), `${tier}:${name} in topology`).toBe(true);
        }
      }
    },
  });
  client.ws.on('message', (data) => {
    const msg = JSON.parse(data.toString()) as ServerMessage;
    if (msg.type === 'topology') {
      fullTopologies++;
      seenNodes.clear();
    }
    if (msg.type === 'topology' || msg.type === 'topology-delta') for (const n of msg.nodes) seenNodes.add(n.id);
  });
  partial = await startDaemon({ args: ['--subscribe', nats.url, '--boxes', 'b[13]', '--socket', ''] });
  // The views listen before any box speaks, so every box's numbering is seen from 1.
  for (const v of [view, partial]) {
    await waitFor(async () => (await snapshot(v)).stats.bus?.subscribe?.state, (s) => s === 'connected', { message: 'view subscribed' });
  }
  for (const [name, mix] of Object.entries(MIXES)) {
    const headless = name === 'b2';
    boxes.set(name, { name, mix, headless, daemon: await startBox(name, headless), writers: [], messages: 0 });
  }
});

afterAll(async () => {
  await client?.close();
  for (const b of boxes.values()) await b.daemon.stop('SIGKILL');
  await view?.stop('SIGKILL');
  await partial?.stop('SIGKILL');
  await nats?.stop('SIGKILL');
});

describe('federation through NATS', () => {
  it('merges three boxes and local input into exact stats per box, kind and edge', async () => {
    const sizes: Record<string, number> = { b1: 400, b2: 300, b3: 200 };
    await Promise.all(
      [...boxes.values()].map(async (b) => {
        const w = await writer(b);
        await w.write(sizes[b.name]!);
        await finish(b, w);
      }),
    );
    const local = await new TrafficWriter(view.socket, LOCAL_MIX).open();
    localWriters.push(local);
    await local.write(100);
    await local.close();

    const s = await settled('the view to hold every box and its own input');
    checkExact(s);
    // Names that collide across boxes stay apart: proxy-a of each box, and the view's own.
    for (const b of ['b1', 'b2', 'b3']) expect(total(s.nodes[`egress:${b}/proxy-a`]!)).toBeGreaterThan(0);
    expect(total(s.nodes['egress:proxy-a']!)).toBeGreaterThan(0);
    // Per node the view agrees with what the box itself counts (b2 is headless: no API to ask).
    for (const name of ['b1', 'b3']) {
      const own = (await snapshot(boxes.get(name)!.daemon)).stats;
      for (const [id, counts] of Object.entries(own.nodes)) expect(s.nodes[qualifyNode(name, id)]).toEqual(counts);
    }
    const seen = s.bus!.boxes!;
    expect(Object.keys(seen).sort()).toEqual(['b1', 'b2', 'b3']);
    for (const b of Object.values(seen)) expect(b.state).toBe('live');

    // The sampled stream carries every box's events, renamed to the view's nodes.
    await waitFor(() => new Set(seenEvents.map((e) => e.box)), (set) => ['b1', 'b2', 'b3', undefined].every((x) => set.has(x)), {
      message: 'events from every box and the local input',
    });
    for (const ev of seenEvents) {
      if (ev.box === undefined) expect(ev.mta).toBe('mx1');
      else expect(ev.mta!.startsWith(`${ev.box}/`)).toBe(true);
    }
    const metrics = await (await fetch(`${view.url}/metrics`)).text();
    expect(metrics).toMatch(/^mtaviz_bus_boxes\{state="live"\} 3$/m);
    expect(metrics).toMatch(new RegExp(`^mtaviz_bus_box_events_total\\{box="b1"\\} ${seen.b1!.events}$`, 'm'));
    const boxMetrics = await (await fetch(`${boxes.get('b1')!.daemon.url}/metrics`)).text();
    expect(boxMetrics).toMatch(/^mtaviz_bus_publish_connected 1$/m);
    expect(boxMetrics).toMatch(/^mtaviz_bus_publish_events_total [1-9]\d*$/m);

    // A view with --boxes merges only the boxes it names.
    const want = ['b1', 'b3'].reduce((n, b) => n + total(expectedKinds(boxes.get(b)!.writers)), 0);
    const other = await waitFor(async () => (await snapshot(partial)).stats, (st) => st.events === want, { message: 'the partial view' });
    expect(Object.keys(other.bus!.boxes!).sort()).toEqual(['b1', 'b3']);
    expect(Object.keys(other.nodes).some((id) => id.includes('b2/'))).toBe(false);
  });

  it('recovers by itself when nats-server restarts mid-stream; gaps are counted, totals stay exact', async () => {
    const before = client.stats!.bus!.boxes!;
    const paced = await Promise.all(
      [...boxes.values()].map(async (b) => {
        const w = await writer(b);
        w.pace(150);
        return [b, w] as const;
      }),
    );
    // Traffic flows through the bus before the crash.
    await waitFor(
      () => client.stats?.bus?.boxes,
      (bx) => !!bx && ['b1', 'b2', 'b3'].every((n) => bx[n]!.received.batches > before[n]!.received.batches),
      { message: 'batches from every box' },
    );
    await nats.stop('SIGKILL');
    const b1 = boxes.get('b1')!.daemon;
    await waitFor(async () => (await snapshot(b1)).stats.bus!.publish!, (p) => p.state !== 'connected' && p.dropped.batches > 0, {
      message: 'b1 disconnected and dropping (its buffer is 1KiB)',
    });
    await waitFor(async () => (await snapshot(view)).stats.bus!.subscribe!.state, (st) => st !== 'connected', { message: 'view disconnected' });

    await nats.start();
    await waitFor(async () => (await snapshot(b1)).stats.bus!.publish!.state, (st) => st === 'connected', { message: 'b1 reconnected' });
    await waitFor(async () => (await snapshot(view)).stats.bus!.subscribe!.state, (st) => st === 'connected', { message: 'view resubscribed' });
    const mid = (await snapshot(view)).stats.bus!.boxes!;
    await waitFor(
      async () => (await snapshot(view)).stats.bus!.boxes!,
      (bx) => ['b1', 'b2', 'b3'].every((n) => bx[n]!.received.batches > mid[n]!.received.batches),
      { message: 'batches from every box after the restart' },
    );
    for (const [b, w] of paced) await finish(b, w);

    const s = await settled('exact totals after the restart');
    checkExact(s);
    const seen = s.bus!.boxes! as Record<string, BoxStats>;
    let lost = 0;
    for (const b of Object.values(seen)) {
      // What a box gave up on is missing from its numbering; the view may have missed more while away.
      expect(b.lost.batches).toBeGreaterThanOrEqual(b.dropped.batches);
      expect(b.received.events + b.lost.events).toBe(b.published.events);
      lost += b.lost.batches;
    }
    expect(lost).toBeGreaterThan(0);
    expect(s.bus!.subscribe!.reconnects).toBeGreaterThanOrEqual(1);
    expect((await snapshot(b1)).stats.bus!.publish!.reconnects).toBeGreaterThanOrEqual(1);
    const metrics = await (await fetch(`${view.url}/metrics`)).text();
    const lostMetric = [...metrics.matchAll(/^mtaviz_bus_box_lost_batches_total\{box="b\d"\} (\d+)$/gm)].reduce((n, m) => n + Number(m[1]), 0);
    expect(lostMetric).toBe(lost);
  });

  it("carries a box's counts over its daemon's restart (a new boot)", async () => {
    const b3 = boxes.get('b3')!;
    await b3.daemon.stop();
    b3.daemon = await startBox('b3', false);
    const w = await writer(b3);
    await w.write(150);
    await finish(b3, w);
    const s = await settled('b3 counted over both runs');
    checkExact(s);
    expect(s.bus!.boxes!.b3!.restarts).toBe(1);
  });

  it('shows a silent box as stale, then removes it from the topology and the totals', async () => {
    const b1 = boxes.get('b1')!;
    const topologiesBefore = fullTopologies;
    await b1.daemon.stop();
    await waitFor(() => client.stats?.bus?.boxes?.b1?.state, (st) => st === 'stale', { message: 'b1 stale' });
    const stale = client.stats!;
    expect(stale.bus!.boxes!.b1!.eventsPerSec).toBe(0);
    // Stale is still counted: the box's totals stay until it is removed.
    expect(stale.events).toBe(total(expectedKinds(allWriters())));

    await waitFor(() => client.stats?.bus?.boxes, (bx) => !!bx && !('b1' in bx), { timeoutMs: 20_000, message: 'b1 removed' });
    boxes.delete('b1');
    const s = await settled('totals without b1');
    checkExact(s);
    expect(fullTopologies).toBeGreaterThan(topologiesBefore);
    await waitFor(() => [...seenNodes], (ids) => !ids.some((id) => id.includes(':b1/')) && ids.some((id) => id.includes(':b2/')), {
      message: 'the client topology without b1',
    });
    expect(s.bus!.subscribe!.removed).toBe(1);
  });
});
