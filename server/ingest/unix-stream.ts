// The main input: a Unix stream socket any number of writers connect to at
// once (syslog-ng unix-stream, Vector, socat, logger -T). Each connection has
// its own LineFramer, so partial lines are reassembled per writer and one
// writer's half line never mixes with another's.

import { chmodSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { LineFramer } from './line-framer.js';
import { claimSocketPath, releaseSocketPath, socketIdentity } from './socket-path.js';
import { newCounters, type LineHandler, type Source } from './source.js';

export interface UnixStreamOptions {
  path: string;
  /** File mode of the socket, e.g. 0o660. */
  mode: number;
  maxLine: number;
  maxConnections: number;
}

export class UnixStreamSource implements Source {
  readonly kind = 'unix-stream' as const;
  readonly id: string;
  readonly counters = newCounters();
  private server: Server | undefined;
  private readonly conns = new Map<Socket, LineFramer>();
  private identity: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly opts: UnixStreamOptions,
    private readonly onLine: LineHandler,
    private readonly log: Logger,
  ) {
    this.id = `unix-stream:${opts.path}`;
  }

  /** Connections open now. */
  get connections(): number {
    return this.conns.size;
  }

  async start(): Promise<void> {
    await claimSocketPath(this.opts.path);
    const server = createServer({ pauseOnConnect: false }, (sock) => this.accept(sock));
    server.maxConnections = this.opts.maxConnections;
    server.on('drop', () => {
      this.counters.errors++;
      this.log.warn({ source: this.id, max: this.opts.maxConnections }, 'connection refused: too many connections');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.path, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => {
      this.counters.errors++;
      this.log.error({ source: this.id, err }, 'socket server error');
    });
    this.server = server;
    this.identity = socketIdentity(this.opts.path);
    chmodSync(this.opts.path, this.opts.mode);
    this.log.info({ source: this.id, mode: this.opts.mode.toString(8) }, 'listening');
  }

  private accept(sock: Socket): void {
    const self = this;
    const handler = this.onLine;
    const framer = new LineFramer(this.opts.maxLine, (line, bytes, at) => handler(line, self, bytes, at), this.counters);
    this.conns.set(sock, framer);
    sock.on('data', (chunk: Buffer) => {
      this.counters.bytes += chunk.length;
      framer.push(chunk);
    });
    sock.on('error', (err) => {
      this.counters.errors++;
      this.log.debug({ source: this.id, err }, 'connection error');
    });
    sock.on('close', () => {
      // A writer's last line may lack its LF; the close is its terminator.
      if (this.conns.delete(sock)) framer.end();
    });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Bytes already read were handed on as they came; what is left is each
    // writer's unterminated last line.
    for (const [sock, framer] of this.conns) {
      this.conns.delete(sock);
      framer.end();
      sock.destroy();
    }
    await closed;
    releaseSocketPath(this.opts.path, this.identity);
  }
}
