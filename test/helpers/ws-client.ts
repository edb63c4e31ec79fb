// A real `ws` client that records what the daemon sends: the handshake
// messages, every events frame (arrival time, seq, input, size) and the latest
// stats. Event payloads are kept only when asked, so long runs stay small.

import { once } from 'node:events';
import { WebSocket, type ClientOptions } from 'ws';
import type {
  ClientStatsMessage,
  EventsMessage,
  HelloMessage,
  MailEvent,
  ServerMessage,
  StatsMessage,
  TopologyMessage,
} from '../../server/protocol/index.js';

export interface FrameRecord {
  at: number;
  seq: number;
  input: number;
  events: number;
  bytes: number;
  /** The frame's events, when keepEvents is set. */
  list?: MailEvent[];
}

export interface RecorderOptions extends ClientOptions {
  /** Keep every event received (for mix tests). */
  keepEvents?: boolean;
  /** Called for every events frame as it arrives. */
  onEvents?: (msg: EventsMessage, at: number) => void;
  /** Called for every message as it arrives, from the first one (a listener added after connect() may miss the first ones). */
  onMessage?: (msg: ServerMessage) => void;
}

export class RecordingClient {
  readonly ws: WebSocket;
  /** Message types in arrival order, events frames included. */
  readonly order: ServerMessage['type'][] = [];
  readonly frames: FrameRecord[] = [];
  /** Raw text of every events frame, when keepEvents is set. */
  readonly raw: string[] = [];
  /** Every stats frame with its arrival time. */
  readonly statsLog: { at: number; stats: StatsMessage }[] = [];
  hello: HelloMessage | undefined;
  topology: TopologyMessage | undefined;
  stats: StatsMessage | undefined;
  client: ClientStatsMessage | undefined;
  deltas = 0;
  closed: { code: number; reason: string } | undefined;

  private constructor(ws: WebSocket, opts: RecorderOptions) {
    this.ws = ws;
    ws.on('message', (data, isBinary) => {
      const at = performance.now();
      const text = data.toString();
      const msg = JSON.parse(text) as ServerMessage;
      if (isBinary) throw new Error('binary frame from the daemon');
      if (msg.type !== 'events' || this.order.at(-1) !== 'events') this.order.push(msg.type);
      opts.onMessage?.(msg);
      switch (msg.type) {
        case 'hello':
          this.hello = msg;
          break;
        case 'topology':
          this.topology = msg;
          break;
        case 'topology-delta':
          this.deltas++;
          break;
        case 'stats':
          this.stats = msg;
          this.statsLog.push({ at, stats: msg });
          break;
        case 'client':
          this.client = msg;
          break;
        case 'events':
          this.frames.push({
            at,
            seq: msg.seq,
            input: msg.input,
            events: msg.events.length,
            bytes: text.length,
            ...(opts.keepEvents ? { list: msg.events } : {}),
          });
          if (opts.keepEvents) this.raw.push(text);
          opts.onEvents?.(msg, at);
          break;
      }
    });
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
    ws.on('error', () => {});
  }

  /** Connects and waits for the open handshake; rejects with the HTTP status on refusal. */
  static async connect(url: string, opts: RecorderOptions = {}): Promise<RecordingClient> {
    const { keepEvents: _k, onEvents: _o, onMessage: _m, ...wsOpts } = opts;
    const ws = new WebSocket(url, { perMessageDeflate: false, ...wsOpts });
    const client = new RecordingClient(ws, opts);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => {
        res.destroy();
        ws.terminate();
        reject(new Error(`refused: ${res.statusCode}`));
      });
      ws.once('error', reject);
    });
    return client;
  }

  /** Events received in frames that arrived in [from, to). */
  eventsBetween(from: number, to: number): number {
    let n = 0;
    for (const f of this.frames) if (f.at >= from && f.at < to) n += f.events;
    return n;
  }

  /** Stops reading: the daemon's writes pile up in the kernel and then in its own buffer. */
  stall(): void {
    (this.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    const closed = once(this.ws, 'close');
    this.ws.terminate();
    await closed;
  }
}

/** The HTTP status a refused WebSocket upgrade got. */
export async function upgradeStatus(url: string, opts: ClientOptions = {}): Promise<number> {
  const ws = new WebSocket(url, opts);
  return new Promise<number>((resolve, reject) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      res.destroy();
      ws.terminate();
    });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('error', reject);
  });
}
