// Federation through NATS: built daemons in their own processes, a real
// nats-server on loopback, writer threads feeding the boxes' Unix sockets,
// ws clients in a separate process.
//
// - federation.throughput: events/s from two publishing boxes through NATS
//   into one view, both boxes flooded at once; the view's rate of received
//   events (its per-box counters), with what was lost on the way.
// - federation.bytes-per-event: what a compact batch costs on the bus.
// - federation.latency.*: line written -> event parsed by a ws client, HDR
//   histogram, for a daemon fed directly and for a view fed by a box through
//   NATS, at the same input; added p99 = federated p99 - local p99.

import { once } from 'node:events';
import type { StatsMessage } from '../server/protocol/index.js';
import { getJson, spawnDaemon, type DaemonProcess } from './lib/daemon-process.js';
import type { Figure } from './lib/figure.js';
import { clientsReport, machine, settle, startClients, startWriter, stopClients, wsUrl } from './lib/load.js';
import { startNatsServer, type NatsServer } from './lib/nats-server.js';
import type { ClientsReport } from './lib/ws-clients.js';
const stats = async (d: DaemonProcess) => (await getJson<{ stats: StatsMessage }>(`${d.url}/api/snapshot`)).stats;

async function subscribed(view: DaemonProcess): Promise<void> {
  while ((await stats(view)).bus?.subscribe?.state !== 'connected') await settle(20);
}

async function throughput(nats: NatsServer): Promise<Figure[]> {
  const boxes = 2;
  const linesPerBox = 600_000;
  const view = await spawnDaemon(['--socket', '', '--subscribe', nats.url]);
  const pubs: DaemonProcess[] = [];
  try {
    await subscribed(view);
    for (let i = 0; i < boxes; i++) pubs.push(await spawnDaemon(['--publish', nats.url, '--box', `box${i}`, '--bus-buffer', '64MiB']));
    const writers = pubs.map((p, writer) => startWriter({ mode: 'flood', socket: p.socket, lines: linesPerBox, perWrite: 400, writer }));
    await Promise.all(writers.map((w) => w.ready));
    const viewCpu0 = view.cpuMs();
    const t0 = performance.now();
    for (const w of writers) w.worker.postMessage('go');
    // Done when every box has reported all its lines and the view has accounted for every batch it numbered.
    let last: StatsMessage | undefined;
    let lastChange = performance.now();
    let lastReceived = -1;
    for (;;) {
      await settle(50);
      last = await stats(view);
      const bx = Object.values(last.bus?.boxes ?? {});
      const received = bx.reduce((n, b) => n + b.received.events, 0);
      if (received !== lastReceived) {
        lastReceived = received;
        lastChange = performance.now();
      }
      const complete =
        bx.length === boxes &&
        last.lines === boxes * linesPerBox &&
        bx.every((b) => b.received.batches + b.lost.batches === b.published.batches && b.events === b.published.events);
      if (complete) break;
      if (performance.now() - lastChange > 10_000) throw new Error(`the view stopped receiving: ${JSON.stringify(last.bus)}`);
    }
    const seconds = (lastChange - t0) / 1000;
    const viewCpuMs = view.cpuMs() - viewCpu0;
    const bx = Object.values(last.bus!.boxes!);
    const received = bx.reduce((n, b) => n + b.received.events, 0);
    const lost = bx.reduce((n, b) => n + b.lost.events, 0);
    const dropped = bx.reduce((n, b) => n + b.dropped.events, 0);
    const pubStats = await Promise.all(pubs.map(stats));
    const published = pubStats.reduce((n, s) => n + s.bus!.publish!.events, 0);
    const bytes = pubStats.reduce((n, s) => n + s.bus!.publish!.bytes, 0);
    const conditions =
      `${boxes} publishing daemons each flooded with ${linesPerBox} Postfix lines (400 per write) through their Unix sockets, ` +
      `default --bus-flush 20ms, --bus-batch 2000, --bus-buffer 64MiB; one view daemon subscribed through nats-server ` +
      `(Debian ${nats.log().match(/Version:\s+(\S+)/)?.[1] ?? ''}) on loopback; ${received} events received, ${lost} lost ` +
      `(${dropped} dropped by the boxes), view CPU ${Math.round((100 * viewCpuMs) / (seconds * 1000))}% of one core; all processes on one machine; ${machine()}`;
    return [
      { name: 'federation.throughput', value: Math.round(received / seconds), unit: 'events/s', conditions },
      {
        name: 'federation.view-cpu-per-event',
        value: Math.round((viewCpuMs * 1e6) / Math.max(1, received)),
        unit: 'ns/event',
        conditions: `as federation.throughput: the view's user+system CPU time / events received (decode, rename, offer to the sampler)`,
      },
      {
        name: 'federation.bytes-per-event',
        value: Math.round((bytes / Math.max(1, published)) * 10) / 10,
        unit: 'bytes/event',
        conditions: `as federation.throughput: bytes the boxes published (compact batches and their reports, ${bytes} bytes) / events published (${published})`,
      },
    ];
  } finally {
    for (const p of pubs) await p.stop();
    await view.stop();
  }
}

/** p99 and the rest of line-to-client latency at `url` while `socket` is fed at a steady rate. */
async function latencyAt(socket: string, watch: DaemonProcess, messagesPerSec: number): Promise<ClientsReport> {
  const { worker, ready } = startWriter({ mode: 'paced', socket, messagesPerSec, writer: 0 });
  const clients = await startClients(wsUrl(watch), 1);
  try {
    await ready;
    worker.postMessage('go');
    await settle(2000);
    clients.send({ cmd: 'reset' });
    await settle(10_000);
    return await clientsReport(clients);
  } finally {
    worker.postMessage('stop');
    await once(worker, 'message');
    await stopClients(clients);
  }
}

async function latency(nats: NatsServer): Promise<Figure[]> {
  const messagesPerSec = 400; // ~800 events/s: below one client's --rate 1000, so every event is timed
  const local = await spawnDaemon([]);
  let direct: ClientsReport;
  try {
    direct = await latencyAt(local.socket, local, messagesPerSec);
  } finally {
    await local.stop();
  }
  const view = await spawnDaemon(['--socket', '', '--subscribe', nats.url]);
  let box: DaemonProcess | undefined;
  let federated: ClientsReport;
  try {
    await subscribed(view);
    box = await spawnDaemon(['--publish', nats.url, '--box', 'box0']);
    federated = await latencyAt(box.socket, view, messagesPerSec);
  } finally {
    await box?.stop();
    await view.stop();
  }
  const conditions = (r: ClientsReport, how: string) =>
    `line stamped and written -> event parsed by one ws client (Date.now, ms), ${how}, input ${messagesPerSec} Postfix messages/s, ` +
    `${r.latency.count} events over 10 s; p50 ${r.latency.p50} ms, p99.9 ${r.latency.p999} ms, max ${r.latency.max} ms; ${machine()}`;
  const fed = `box daemon -> NATS (loopback, --bus-flush 20ms) -> view daemon -> client`;
  return [
    { name: 'federation.latency.local.p99', value: direct.latency.p99, unit: 'ms', conditions: conditions(direct, 'the daemon fed directly') },
    { name: 'federation.latency.federated.p99', value: federated.latency.p99, unit: 'ms', conditions: conditions(federated, fed) },
    {
      name: 'federation.latency.added-p99',
      value: federated.latency.p99 - direct.latency.p99,
      unit: 'ms',
      conditions: `federation.latency.federated.p99 - federation.latency.local.p99 (same input, same client); p50 added ${federated.latency.p50 - direct.latency.p50} ms; ${machine()}`,
    },
  ];
}

export default async function federation(): Promise<Figure[]> {
  const nats = await startNatsServer();
  try {
    return [...(await throughput(nats)), ...(await latency(nats))];
  } finally {
    await nats.stop();
  }
}
