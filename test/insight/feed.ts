// A paced Postfix feed whose MTA -> egress spread the test sets: each message
// goes through an MTA picked evenly and an egress drawn from that MTA's
// weights, to a destination IP whose first octet is spread evenly. Counts
// what it wrote per MTA and egress, so a test can compare with the lens.

import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { attempt } from './lines.js';

/** mulberry32: small and seedable, so a run can be repeated. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SpreadFeed {
  /** Messages written per `mta>egress`. */
  readonly written = new Map<string, number>();
  private readonly random: () => number;
  private weights: (mta: string) => readonly number[];
  private sock: Socket | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly path: string,
    readonly mtas: readonly string[],
    readonly egresses: readonly string[],
    seed = 1,
  ) {
    this.random = rng(seed);
    this.weights = () => egresses.map(() => 1);
  }

  /** Every MTA spreads evenly unless `weights` says otherwise (relative weights per egress). */
  spread(weights: (mta: string) => readonly number[]): void {
    this.weights = weights;
  }

  async open(): Promise<this> {
    const sock = connect(this.path);
    await once(sock, 'connect');
    this.sock = sock;
    return this;
  }

  /** Writes `perSec` messages a second until close(), paced by elapsed time. */
  pace(perSec: number): void {
    const t0 = performance.now();
    let sent = 0;
    this.timer = setInterval(() => {
      const due = Math.floor(((performance.now() - t0) * perSec) / 1000) - sent;
      if (due <= 0) return;
      sent += due;
      const lines: string[] = [];
      for (let i = 0; i < due; i++) lines.push(...this.message());
      this.writing = this.writing.then(() => this.send(lines));
    }, 10);
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.writing;
    const sock = this.sock;
    if (sock && !sock.destroyed) {
      sock.end();
      await once(sock, 'close');
    }
  }

  private message(): string[] {
    const mta = this.mtas[Math.floor(this.random() * this.mtas.length)]!;
    const w = this.weights(mta);
    let u = this.random() * w.reduce((a, b) => a + b, 0);
    let e = 0;
    while (e < w.length - 1 && u >= w[e]!) u -= w[e++]!;
    const egress = this.egresses[e]!;
    const key = `${mta}>${egress}`;
    this.written.set(key, (this.written.get(key) ?? 0) + 1);
    const octet = 10 + Math.floor(this.random() * 240);
    return attempt({ mta, egress, ip: `${octet}.${Math.floor(this.random() * 256)}.7.25` });
  }

  private async send(lines: string[]): Promise<void> {
    if (!this.sock!.write(lines.join('\n') + '\n')) await once(this.sock!, 'drain');
  }
}
