// A Unix datagram socket: what rsyslog's omuxsock, syslog-ng's unix-dgram()
// and Postfix's postlogd write. One datagram is one line; a trailing LF, CR or
// NUL is a terminator some senders add, and a datagram that still holds LFs
// carries several lines. Node has no AF_UNIX SOCK_DGRAM, so the socket comes
// from node-unix-socket (a prebuilt N-API addon), loaded only when used.

import { chmodSync } from 'node:fs';
import type { DgramSocket } from 'node-unix-socket';
import type { Logger } from '../log.js';
import { LineFramer } from './line-framer.js';
import { claimSocketPath, releaseSocketPath, SocketPathError, socketIdentity } from './socket-path.js';
import { newCounters, type LineHandler, type Source } from './source.js';

/** node-unix-socket receives into a 65535-byte buffer; a datagram that fills it may have been cut by the kernel. */
const RECV_CAP = 65535;

export interface UnixDgramOptions {
  path: string;
  mode: number;
  maxLine: number;
}

/** Strips the trailer (LF, CR, NUL in any mix) that some senders put after the message. */
export function datagramBody(buf: Buffer): Buffer {
  let end = buf.length;
  while (end > 0) {
    const b = buf[end - 1];
    if (b !== 0x0a && b !== 0x0d && b !== 0) break;
    end--;
  }
  return end === buf.length ? buf : buf.subarray(0, end);
}

export class UnixDgramSource implements Source {
  readonly kind = 'unix-dgram' as const;
  readonly id: string;
  readonly counters = newCounters();
  private socket: DgramSocket | undefined;
  private readonly framer: LineFramer;
  private identity: string | undefined;
  private closed = false;

  constructor(
    private readonly opts: UnixDgramOptions,
    onLine: LineHandler,
    private readonly log: Logger,
  ) {
    this.id = `unix-dgram:${opts.path}`;
    this.framer = new LineFramer(opts.maxLine, (line, bytes, at) => onLine(line, this, bytes, at), this.counters);
  }

  async start(): Promise<void> {
    await claimSocketPath(this.opts.path);
    const { DgramSocket } = await import('node-unix-socket');
    const socket = new DgramSocket();
    socket.on('error', (err: Error) => {
      this.counters.errors++;
      this.log.error({ source: this.id, err }, 'datagram socket error');
    });
    socket.on('data', (buf: Buffer) => this.receive(buf));
    try {
      socket.bind(this.opts.path);
    } catch (err) {
      socket.close();
      throw new SocketPathError(`cannot bind datagram socket ${this.opts.path}: ${(err as Error).message}`);
    }
    this.socket = socket;
    this.identity = socketIdentity(this.opts.path);
    chmodSync(this.opts.path, this.opts.mode);
    this.log.info({ source: this.id }, 'listening');
  }

  private receive(buf: Buffer): void {
    this.counters.bytes += buf.length;
    const oversizeBefore = this.counters.oversize;
    this.framer.push(datagramBody(buf));
    this.framer.end();
    // The kernel cut a longer datagram to the receive buffer without saying so.
    if (buf.length >= RECV_CAP && this.counters.oversize === oversizeBefore) this.counters.oversize++;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.socket?.close();
    releaseSocketPath(this.opts.path, this.identity);
  }
}
