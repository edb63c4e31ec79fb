// TCP syslog listener (--syslog-tcp), what rsyslog's omfwd and syslog-ng's
// network()/syslog() destinations send. Each connection's framing, LF lines
// or RFC 6587 octet counting, is detected from its first bytes.

import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';
import { newCounters, type LineHandler, type Source } from './source.js';
import { StreamServer } from './stream-server.js';
import { SyslogFramer } from './syslog-framer.js';

export interface SyslogTcpOptions {
  host: string;
  port: number;
  maxLine: number;
  maxConnections: number;
}

export class SyslogTcpSource implements Source {
  readonly kind = 'syslog-tcp' as const;
  readonly id: string;
  readonly counters = newCounters();
  private readonly server: StreamServer;

  constructor(
    private readonly opts: SyslogTcpOptions,
    onLine: LineHandler,
    private readonly log: Logger,
  ) {
    this.id = `syslog-tcp:${formatHostPort(opts.host, opts.port)}`;
    this.server = new StreamServer({
      sourceId: this.id,
      maxConnections: opts.maxConnections,
      counters: this.counters,
      log,
      framer: () => new SyslogFramer(opts.maxLine, (line, bytes, at) => onLine(line, this, bytes, at), this.counters),
    });
  }

  /** The bound HOST:PORT (differs from the id when the configured port was 0). */
  get address(): string | undefined {
    const addr = this.server.address() as AddressInfo | null;
    return addr ? formatHostPort(addr.address, addr.port) : undefined;
  }

  async start(): Promise<void> {
    await this.server.listen({ port: this.opts.port, host: this.opts.host });
    this.log.info({ source: this.id, address: this.address }, 'listening');
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
