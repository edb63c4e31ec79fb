// The main input: a Unix stream socket any number of writers connect to at
// once (syslog-ng unix-stream, Vector, socat, logger -T). Each connection has
// its own LineFramer, so partial lines are reassembled per writer and one
// writer's half line never mixes with another's.

import { chmodSync } from 'node:fs';
import type { Logger } from '../log.js';
import { LineFramer } from './line-framer.js';
import { claimSocketPath, releaseSocketPath, socketIdentity } from './socket-path.js';
import { newCounters, type LineHandler, type Source } from './source.js';
import { StreamServer } from './stream-server.js';

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
  private readonly server: StreamServer;
  private identity: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly opts: UnixStreamOptions,
    onLine: LineHandler,
    private readonly log: Logger,
  ) {
    this.id = `unix-stream:${opts.path}`;
    this.server = new StreamServer({
      sourceId: this.id,
      maxConnections: opts.maxConnections,
      counters: this.counters,
      log,
      framer: () => new LineFramer(opts.maxLine, (line, bytes, at) => onLine(line, this, bytes, at), this.counters),
    });
  }

  /** Connections open now. */
  get connections(): number {
    return this.server.connections;
  }

  async start(): Promise<void> {
    await claimSocketPath(this.opts.path);
    await this.server.listen({ path: this.opts.path });
    this.identity = socketIdentity(this.opts.path);
    chmodSync(this.opts.path, this.opts.mode);
    this.log.info({ source: this.id, mode: this.opts.mode.toString(8) }, 'listening');
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    if (this.identity === undefined) return;
    await this.server.close();
    releaseSocketPath(this.opts.path, this.identity);
  }
}
