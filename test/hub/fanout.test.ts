// The hub and the WebSocket endpoint in-process: a real node:http server with
// the real upgrade handler, real `ws` clients over loopback TCP, events
// published straight into the hub. (The daemon-level tests in test/http/ feed
// the real daemon through its Unix socket.)

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Hub } from '../../server/hub/hub.js';
import type { HubConfig } from '../../server/hub/options.js';
import { Access } from '../../server/http/access.js';
import type { HttpCounters } from '../../server/http/metrics.js';
import { websocketUpgrade } from '../../server/http/websocket.js';
import { silentLogger } from '../../server/log.js';
import { KINDS, PROTOCOL_VERSION, type MailEvent } from '../../server/protocol/index.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient, upgradeStatus } from '../helpers/ws-client.js';

const DEFAULTS: HubConfig = {
  rate: 1000,
  tick: 20,
  clientBuffer: 1024 * 1024,
  stuckTimeout: 15_000,
  pingInterval: 30_000,
  maxNodes: 256,
  maxEdges: 20_000,
};

interface Rig {
  hub: Hub;
  url: string;
  http: HttpCounters;
  published: () => number;
  /** Publishes `n` events now. */
  publish(n: number): void;
  /** Publishes `perMs` events per millisecond of wall time, from a 5 ms timer. */
  produce(perMs: number, make?: (i: number) => MailEvent): void;
  stop(): Promise<void>;
}

const rigs: Rig[] = [];
const clients: RecordingClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await Promise.all(rigs.splice(0).map((r) => r.stop()));
});

function event(i: number): MailEvent {
  return {
    ts: Date.now(),
    format: 'postfix',
    kind: KINDS[i % KINDS.length]!,
    ingress: `in${i % 2}`,
    mta: `mx${i % 3}`,
    egress: `proxy-${i % 4}`,
    destIp: `${(i % 200) + 10}.0.0.${i % 250}`,
    queueId: `Q${i}`,
  };
}

async function rig(over: Partial<HubConfig> = {}, maxClients = 50): Promise<Rig> {
  let published = 0;
  const hub = new Hub(
    { ...DEFAULTS, ...over },
    {
      version: 'test',
      showAddresses: false,
      counters: () => ({ lines: published, unparsed: 0, evictions: 0, correlating: 0, sources: {}, parsers: {} }),
      log: silentLogger(),
    },
  );
  const http: HttpCounters = { refused: { origin: 0, host: 0, token: 0, capacity: 0 } };
  const server: Server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', websocketUpgrade({ hub, access: new Access({ token: undefined, allowOrigins: [], allowHosts: [] }), maxClients, counters: http }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hub.start();
  let timer: NodeJS.Timeout | undefined;
  const r: Rig = {
    hub,
    http,
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`,
    published: () => published,
    publish(n) {
      for (let i = 0; i < n; i++) hub.publish(event(published++));
    },
    produce(perMs, make = event) {
      let last = performance.now();
      timer = setInterval(() => {
        const now = performance.now();
        const n = Math.round((now - last) * perMs);
        last = now;
        for (let i = 0; i < n; i++) hub.publish(make(published++));
      }, 5);
    },
    async stop() {
      clearInterval(timer);
      await hub.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  rigs.push(r);
  return r;
}

async function connect(url: string, opts: Parameters<typeof RecordingClient.connect>[1] = {}): Promise<RecordingClient> {
  const c = await RecordingClient.connect(url, opts);
  clients.push(c);
  return c;
}

describe('hub fan-out over real WebSockets', () => {
  it('greets with hello, topology and stats, then streams events', async () => {
    const r = await rig();
    r.publish(12);
    const c = await connect(r.url);
    r.produce(1);
    await waitFor(() => c.frames.length > 0 && c.statsLog.length > 1, Boolean, { message: 'events and a periodic stats frame' });
    expect(c.order.slice(0, 3)).toEqual(['hello', 'topology', 'stats']);
    expect(c.hello).toMatchObject({
      protocol: PROTOCOL_VERSION,
      server: 'test',
      showAddresses: false,
      limits: { rate: 1000, tickMs: 20, maxClientMessageBytes: 1024 },
    });
    expect(c.topology!.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['ingress:in0', 'mta:mx2', 'egress:proxy-3']));
    expect(c.topology!.edges).toContain('ingress:in0>mta:mx0');
    expect(c.client).toEqual({ type: 'client', framesDropped: 0, eventsDropped: 0 });
    const s = c.stats!;
    expect(s.events).toBeLessThanOrEqual(r.published());
    expect(s.byKind.reduce((a, b) => a + b, 0)).toBe(s.events);
    expect(s.sampleRatio).toBe(1);
  });

  it('sends every client of a stream the same frames, and each frame says what it stands for', async () => {
    const r = await rig();
    const cs = await Promise.all([0, 1, 2].map(() => connect(r.url, { keepEvents: true })));
    r.produce(20); // 20,000 events/s against a 1000/s limit
    await waitFor(() => Math.min(...cs.map((c) => c.frames.length)), (n) => n >= 30, { message: '30 frames each' });
    const bySeq = cs.map((c) => new Map(c.frames.map((f, i) => [f.seq, c.raw[i]])));
    let compared = 0;
    for (const [seq, text] of bySeq[0]!) {
      if (bySeq[1]!.has(seq) && bySeq[2]!.has(seq)) {
        expect(bySeq[1]!.get(seq)).toBe(text);
        expect(bySeq[2]!.get(seq)).toBe(text);
        compared++;
      }
    }
    expect(compared).toBeGreaterThanOrEqual(25);
    for (const f of cs[0]!.frames) expect(f.input).toBeGreaterThan(f.events);
  });

  it('drops frames for a stalled client, then disconnects it, while a healthy one misses nothing', async () => {
    const cap = 64 * 1024;
    const r = await rig({ rate: 100_000, clientBuffer: cap, stuckTimeout: 1500 });
    const healthy = await connect(r.url);
    const stalled = await connect(r.url);
    stalled.stall();
    let maxBacklog = 0;
    const watch = setInterval(() => (maxBacklog = Math.max(maxBacklog, r.hub.backlog().max)), 2);
    const reason = 'x'.repeat(300);
    // Enough to fill the stalled client's cap within a few frames, little enough for the healthy
    // client, parsing every frame in this same process, to keep up on a busy machine.
    r.produce(5, (i) => ({ ...event(i), reason }));
    try {
      await waitFor(() => r.hub.totals.framesDropped, (n) => n > 0, { message: 'frames dropped for the stalled client' });
      await waitFor(() => r.hub.totals.disconnects.slow, (n) => n === 1, { message: 'stalled client disconnected' });
      await waitFor(() => r.hub.clientCount, (n) => n === 1, { message: 'stalled client gone' });
      const sentAfter = healthy.frames.length;
      await waitFor(() => healthy.frames.length, (n) => n > sentAfter + 20, { message: 'healthy client still served' });
    } finally {
      clearInterval(watch);
    }
    const seqs = healthy.frames.map((f) => f.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    expect(healthy.client?.framesDropped ?? 0).toBe(0);
    const biggest = Math.max(...healthy.frames.map((f) => f.bytes));
    // A frame is only written while the backlog is under the cap, so the backlog never passes cap + one frame.
    expect(maxBacklog).toBeLessThanOrEqual(cap + biggest + 1024);
    expect(r.hub.totals.eventsDropped).toBeGreaterThan(0);
  });

  it('terminates a peer that stops answering pings and keeps one that answers', async () => {
    const r = await rig({ pingInterval: 150 });
    const alive = await connect(r.url);
    const dead = await connect(r.url, { autoPong: false });
    await waitFor(() => dead.closed, Boolean, { message: 'dead peer terminated' });
    expect(r.hub.totals.disconnects.timeout).toBe(1);
    expect(alive.closed).toBeUndefined();
    expect(r.hub.clientCount).toBe(1);
  });

  it('moves a client that asks for a lower rate to its own stream, and counts bad messages', async () => {
    const r = await rig();
    const slow = await connect(r.url);
    const fast = await connect(r.url);
    slow.ws.send(JSON.stringify({ type: 'rate', rate: 300 }));
    slow.ws.send('not json');
    slow.ws.send(JSON.stringify({ type: 'rate', rate: -5 }));
    await waitFor(() => r.hub.streamInfo().map((s) => s.rate).sort((a, b) => a - b), (rates) => rates.join() === '200,1000', {
      message: 'a 200/s stream (300 rounded down to a 1-2-5 step)',
    });
    await waitFor(() => r.hub.totals.badMessages, (n) => n === 2, { message: 'two bad messages counted' });
    r.produce(10);
    await waitFor(() => slow.frames.length > 20 && fast.frames.length > 20, Boolean, { message: 'frames on both streams' });
    const ratio = (c: RecordingClient) => c.frames.reduce((a, f) => a + f.events, 0) / c.frames.reduce((a, f) => a + f.input, 0);
    expect(ratio(slow)).toBeLessThan(ratio(fast));
    await slow.close();
    await waitFor(() => r.hub.streamInfo().length, (n) => n === 1, { message: 'empty stream removed' });
  });

  it('refuses a foreign Origin, a wrong path and connections beyond the cap', async () => {
    const r = await rig({}, 1);
    const url = new URL(r.url);
    expect(await upgradeStatus(r.url, { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(r.url, { origin: `http://${url.host}` })).toBe(101);
    expect(await upgradeStatus(r.url.replace('/ws', '/other'))).toBe(404);
    await connect(r.url);
    expect(await upgradeStatus(r.url)).toBe(503);
    expect(r.http.refused).toMatchObject({ origin: 1, capacity: 1 });
  });
});
