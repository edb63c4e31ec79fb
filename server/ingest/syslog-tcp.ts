// TCP syslog listener (--syslog-tcp), what rsyslog's omfwd and syslog-ng's
// network()/syslog() destinations send. Each connection's framing, LF lines
// or RFC 6587 octet counting, is detected from its first bytes.

import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Logger } from '../log.js';
import { newCounters, type LineHandler, type Source } from './source.js';
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
  private server: Server | undefined;
  private readonly conns = new Map<Socket, SyslogFramer>();
  private closing: Promise<void> | undefined;

  constructor(
    private readonly opts: SyslogTcpOptions,
    private readonly onLine: LineHandler,
    private readonly log: Logger,
  ) {
    this.id = `syslog-tcp:${formatHostPort(opts.host, opts.port)}`;
  }

  /** The bound HOST:PORT (differs from the id when the configured port was 0). */
  get address(): string | undefined {
    const addr = this.server?.address() as AddressInfo | null | undefined;
    return addr ? formatHostPort(addr.address, addr.port) : undefined;
  }

  async start(): Promise<void> {
    const server = createServer((sock) => this.accept(sock));
    server.maxConnections = this.opts.maxConnections;
    server.on('drop', () => {
      this.counters.errors++;
      this.log.warn({ source: this.id, max: this.opts.maxConnections }, 'connection refused: too many connections');
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.opts.port, this.opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => {
      this.counters.errors++;
      this.log.error({ source: this.id, err }, 'listener error');
    });
    this.server = server;
    this.log.info({ source: this.id, address: this.address }, 'listening');
  }

  private accept(sock: Socket): void {
    const framer = new SyslogFramer(this.opts.maxLine, (line, bytes, at) => this.onLine(line, this, bytes, at), this.counters);
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
    for (const [sock, framer] of this.conns) {
      this.conns.delete(sock);
      framer.end();
      sock.destroy();
    }
    await closed;
  }
}

export function formatHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
