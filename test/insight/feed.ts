// A paced Postfix feed whose MTA -> egress spread the test sets: each message
// goes through an MTA picked evenly and an egress drawn from that MTA's
// weights, to a destination IP whose first octet is spread evenly. Counts
// what it wrote per MTA and egress, so a test can compare with the lens.

import { rng } from '../../bench/lib/postfix-traffic.js';
import { SocketFeed } from '../helpers/traffic.js';
import { attempt } from './lines.js';

export class SpreadFeed extends SocketFeed {
  /** Messages written per `mta>egress`. */
  readonly written = new Map<string, number>();
  private readonly random: () => number;
  private weights: (mta: string) => readonly number[];

  constructor(
    path: string,
    readonly mtas: readonly string[],
    readonly egresses: readonly string[],
    seed = 1,
  ) {
    super(path, (n) => Array.from({ length: n }, () => this.message()).flat());
    this.random = rng(seed);
    this.weights = () => egresses.map(() => 1);
  }

  /** Every MTA spreads evenly unless `weights` says otherwise (relative weights per egress). */
  spread(weights: (mta: string) => readonly number[]): void {
    this.weights = weights;
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
}
