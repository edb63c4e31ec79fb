// What the stream listeners (the Unix stream socket, TCP syslog) share: every
// connection gets its own framer, so one writer's half line never mixes with
// another's; refusals past the connection cap are counted; and closing hands
// on each writer's unterminated last line before the sockets go.

import { createServer, type ListenOptions, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { SourceCounters } from './source.js';

/** Turns one connection's bytes into lines (LineFramer, SyslogFramer). */
export interface ConnectionFramer {
  push(chunk: Buffer): void;
  /** The connection ended: its last line may lack a terminator. */
  end(): void;
}

export interface StreamServerOptions {
  sourceId: string;
  maxConnections: number;
  counters: SourceCounters;
  log: Logger;
  framer: () => ConnectionFramer;
}

export class StreamServer {
  private readonly server: Server;
  private readonly conns = new Map<Socket, ConnectionFramer>();
  private closing: Promise<void> | undefined;

  constructor(private readonly opts: StreamServerOptions) {
    const { counters, log, sourceId, maxConnections } = opts;
    this.server = createServer((sock) => this.accept(sock));
    this.server.maxConnections = maxConnections;
    this.server.on('drop', () => {
      counters.errors++;
      log.warn({ source: sourceId, max: maxConnections }, 'connection refused: too many connections');
    });
  }

  /** Connections open now. */
  get connections(): number {
    return this.conns.size;
  }

  /** Where it is bound (null before listen). */
  address(): ReturnType<Server['address']> {
    return this.server.address();
  }

  /** Resolves once listening; rejects when the address cannot be bound. */
  async listen(at: ListenOptions): Promise<void> {
    const server = this.server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(at, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => {
      this.opts.counters.errors++;
      this.opts.log.error({ source: this.opts.sourceId, err }, 'listener error');
    });
  }

  private accept(sock: Socket): void {
    const { counters, log, sourceId } = this.opts;
    const framer = this.opts.framer();
    this.conns.set(sock, framer);
    sock.on('data', (chunk: Buffer) => {
      counters.bytes += chunk.length;
      framer.push(chunk);
    });
    sock.on('error', (err) => {
      counters.errors++;
      log.debug({ source: sourceId, err }, 'connection error');
    });
    sock.on('close', () => {
      // A writer's last line may lack its LF; the close is its terminator.
      if (this.conns.delete(sock)) framer.end();
    });
  }

  /** Stops listening; bytes already read were handed on as they came. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const server = this.server;
    const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    for (const [sock, framer] of this.conns) {
      this.conns.delete(sock);
      framer.end();
      sock.destroy();
    }
    await closed;
  }
}
