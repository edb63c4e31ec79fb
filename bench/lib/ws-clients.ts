// Child process holding N real `ws` clients for the fan-out benchmark, so the
// daemon's core is not shared with its own audience. The first PARSED clients
// parse every frame (what a browser does) and put line-to-client latency
// (receive time minus the event's ts, which the writer stamped when it wrote
// the line) into an HDR histogram; the others count events by their "ts" keys
// (an event has exactly one, and a quote inside a JSON string is escaped), so
// that 200 clients at 1000 events/s fit beside the daemon on a 2-core box.
//
// argv: URL COUNT [PARSED]. IPC from the parent: {cmd:'reset'} starts a
// measuring window, {cmd:'report'} answers with a ClientsReport for it.

import hdr from 'hdr-histogram-js';
import { WebSocket } from 'ws';
import type { ServerMessage } from '../../server/protocol/index.js';

export interface ClientsReport {
  seconds: number;
  connected: number;
  events: number;
  frames: number;
  /** Events per second per client: lowest and highest. */
  minRate: number;
  maxRate: number;
  /** Frames the daemon dropped for these clients (from their client stats). */
  framesDropped: number;
  /** CPU share of this process over the window, percent of one core (is the audience keeping up?). */
  cpu: number;
  latency: { count: number; p50: number; p99: number; p999: number; max: number };
}

const [url, countText, parsedText] = process.argv.slice(2);
const count = Number(countText);
const parsed = parsedText === undefined ? count : Number(parsedText);
const TS_KEY = '"ts":';

function countEvents(text: string): number {
  let n = 0;
  for (let i = text.indexOf(TS_KEY); i >= 0; i = text.indexOf(TS_KEY, i + TS_KEY.length)) n++;
  return n;
}
const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
const perClient = new Float64Array(count);
const dropped = new Float64Array(count);
let frames = 0;
let t0 = performance.now();
let cpu0 = process.cpuUsage();
let open = 0;

function connectOne(i: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url!, { perMessageDeflate: false });
    ws.on('open', () => {
      open++;
      resolve();
    });
    ws.on('error', reject);
    ws.on('close', () => open--);
    ws.on('message', (data) => {
      const text = data.toString();
      if (i >= parsed) {
        if (text.startsWith('{"type":"events"')) {
          frames++;
          perClient[i]! += countEvents(text);
        } else if (text.startsWith('{"type":"client"')) {
          dropped[i] = (JSON.parse(text) as { framesDropped: number }).framesDropped;
        }
        return;
      }
      const msg = JSON.parse(text) as ServerMessage;
      if (msg.type === 'client') dropped[i] = msg.framesDropped;
      if (msg.type !== 'events') return;
      const now = Date.now();
      frames++;
      perClient[i]! += msg.events.length;
      for (const ev of msg.events) histogram.recordValue(Math.max(1, now - ev.ts));
    });
  });
}

function report(): ClientsReport {
  const seconds = (performance.now() - t0) / 1000;
  const rates = [...perClient].map((n) => n / seconds);
  return {
    seconds,
    connected: open,
    events: perClient.reduce((a, b) => a + b, 0),
    frames,
    minRate: Math.min(...rates),
    maxRate: Math.max(...rates),
    framesDropped: dropped.reduce((a, b) => a + b, 0),
    cpu: (() => {
      const c = process.cpuUsage(cpu0);
      return (c.user + c.system) / 10 / (seconds * 1000);
    })(),
    latency: {
      count: histogram.totalCount,
      p50: histogram.getValueAtPercentile(50),
      p99: histogram.getValueAtPercentile(99),
      p999: histogram.getValueAtPercentile(99.9),
      max: histogram.maxValue,
    },
  };
}

process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'reset') {
    perClient.fill(0);
    frames = 0;
    histogram.reset();
    t0 = performance.now();
    cpu0 = process.cpuUsage();
  } else if (m.cmd === 'report') {
    process.send!(report());
  }
});

// Connect in small groups: a thundering herd of handshakes only measures the accept queue.
for (let i = 0; i < count; i += 20) {
  await Promise.all(Array.from({ length: Math.min(20, count - i) }, (_, j) => connectOne(i + j)));
}
process.send!('connected');
