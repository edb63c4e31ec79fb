// The soak's view into the daemon's heap (and the fault tests' way to stall
// its main thread): the V8 inspector the daemon was started with
// (node --inspect=127.0.0.1:0, loopback only), spoken over its WebSocket. This needs nothing in the daemon itself: no debug flag, no
// endpoint, no --expose-gc; a full garbage collection (HeapProfiler.
// collectGarbage) comes first, so the heap read after it is what is really
// retained, not what the collector has not got to yet.

import { once } from 'node:events';
import { WebSocket } from 'ws';

/** What node prints on stderr when the inspector listens. */
const LISTENING = /Debugger listening on (ws:\/\/\S+)/;

/** The inspector's WebSocket URL in the daemon's stderr so far, if it has been printed. */
export function inspectorUrl(stderr: string): string | undefined {
  return LISTENING.exec(stderr)?.[1];
}

export interface RetainedMemory {
  /** V8 heap in use after a full collection, bytes. */
  heapUsed: number;
  /** Memory of C++ objects bound to JS (Buffers included), bytes. */
  external: number;
  /** ArrayBuffers and Buffers (part of external), bytes. */
  arrayBuffers: number;
  rss: number;
}

interface Reply {
  id?: number;
  result?: unknown;
  error?: { message: string };
  /** Set on notifications (events) instead of id. */
  method?: string;
  params?: unknown;
}

export class Inspector {
  private lastId = 0;
  private readonly waiting = new Map<number, (r: Reply) => void>();
  private readonly listeners = new Map<string, ((params: unknown) => void)[]>();

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const reply = JSON.parse(data.toString()) as Reply;
      if (reply.id === undefined) {
        const list = this.listeners.get(reply.method ?? '');
        this.listeners.delete(reply.method ?? '');
        for (const l of list ?? []) l(reply.params);
        return;
      }
      this.waiting.get(reply.id)?.(reply);
      this.waiting.delete(reply.id);
    });
  }

  /** The next notification `method` (e.g. Debugger.paused); ask for it before causing it. */
  next<T>(method: string): Promise<T> {
    return new Promise((resolve) => {
      const list = this.listeners.get(method) ?? [];
      list.push((params) => resolve(params as T));
      this.listeners.set(method, list);
    });
  }

  static async connect(url: string): Promise<Inspector> {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    await once(ws, 'open');
    return new Inspector(ws);
  }

  async call<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = ++this.lastId;
    const reply = new Promise<Reply>((resolve) => this.waiting.set(id, resolve));
    this.ws.send(JSON.stringify({ id, method, params }));
    const r = await reply;
    if (r.error) throw new Error(`${method}: ${r.error.message}`);
    return r.result as T;
  }

  /** A full GC, then the process's memory as it reports it. */
  async retained(): Promise<RetainedMemory> {
    await this.call('HeapProfiler.collectGarbage');
    const { result } = await this.call<{ result: { value: string } }>('Runtime.evaluate', {
      expression: 'JSON.stringify(process.memoryUsage())',
      returnByValue: true,
    });
    const m = JSON.parse(result.value) as RetainedMemory;
    return { heapUsed: m.heapUsed, external: m.external, arrayBuffers: m.arrayBuffers, rss: m.rss };
  }

  close(): void {
    this.ws.terminate();
  }
}
