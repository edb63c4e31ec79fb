// Writes lines into a daemon's Unix stream socket from the test process: a
// fixed number of messages as fast as the socket takes them, or a steady rate
// paced by elapsed time (so a late timer catches up instead of lowering the
// rate). TrafficWriter writes PostfixTraffic, whose counts say exactly what
// went in.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { PostfixTraffic, type TrafficOptions } from '../../bench/lib/postfix-traffic.js';

/** Messages into a Unix stream socket; `batch(n)` makes the lines of n messages. */
export class SocketFeed {
  private sock: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  private made = 0;

  /** Set when the connection failed (the daemon went away); writing then stops. */
  error: Error | undefined;

  constructor(
    private readonly path: string,
    private readonly make: (messages: number) => string[],
  ) {}

  /** Lines written so far (made for writing, if the daemon went away). */
  get lines(): number {
    return this.made;
  }

  private batch(messages: number): string[] {
    const lines = this.make(messages);
    this.made += lines.length;
    return lines;
  }

  async open(): Promise<this> {
    const sock = connect(this.path);
    await once(sock, 'connect');
    sock.on('error', (err) => (this.error ??= err));
    this.sock = sock;
    return this;
  }

  /** Writes `messages` messages, `perWrite` at a time, honouring backpressure. */
  async write(messages: number, perWrite = 50): Promise<void> {
    for (let done = 0; done < messages; done += perWrite) {
      await this.send(this.batch(Math.min(perWrite, messages - done)));
    }
  }

  /** Writes `messagesPerSec` messages per second until close(). */
  pace(messagesPerSec: number): void {
    const t0 = performance.now();
    let sent = 0;
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) * messagesPerSec) / 1000) - sent;
      if (due <= 0) return;
      sent += due;
      const lines = this.batch(due);
      this.writing = this.writing.then(() => this.send(lines));
    }, 5);
  }

  /** Stops pacing, flushes and closes the socket; resolves to the lines written. */
  async close(): Promise<number> {
    clearInterval(this.timer);
    await this.writing;
    const sock = this.sock;
    if (sock && !sock.destroyed) {
      sock.end();
      await once(sock, 'close');
    }
    return this.made;
  }

  private async send(lines: string[]): Promise<void> {
    const sock = this.sock!;
    if (sock.destroyed) return;
    if (sock.write(lines.join('\n') + '\n')) return;
    // Drained, or gone: a writer whose daemon died stops instead of failing.
    await new Promise<void>((resolve) => {
      const done = () => {
        sock.off('drain', done).off('close', done);
        resolve();
      };
      sock.on('drain', done).on('close', done);
    });
  }
}

export class TrafficWriter extends SocketFeed {
  readonly traffic: PostfixTraffic;

  constructor(path: string, opts: TrafficOptions = {}) {
    const traffic = new PostfixTraffic(opts);
    super(path, (n) => traffic.batch(n));
    this.traffic = traffic;
  }
}
