// Postfix traffic with a known mix, for benchmarks and integration tests that
// must know exactly what went in: every message is logged as Postfix logs it
// (smtpd client=, cleanup message-id=, qmgr from= (queue active), one
// smtp to=... status= line, qmgr removed), tagged with multi-instance
// syslog_names (postfix/<ingress>/smtpd, postfix/<egress>/smtp), plus NOQUEUE
// rejects. The generator counts what each message should become, so tests
// compare the daemon's exact stats with it.
//
// Lines of a batch come in blocks (all injections, then all outcomes, then
// rejects), so the mix changes within a tick: a throttle that kept the first
// events of each tick would show a skewed mix, a uniform sample would not.

import type { Kind, KindCounts } from '../../server/protocol/index.js';

export interface TrafficOptions {
  seed?: number;
  ingresses?: string[];
  mtas?: string[];
  egresses?: string[];
  /** Shares of outcomes for accepted messages: [sent, deferred, bounced]. */
  outcomes?: [number, number, number];
  /** Share of sessions rejected before queueing. */
  rejects?: number;
  /** First message number: generators writing at once need disjoint queue IDs. */
  firstMessage?: number;
}

export interface TrafficCounts {
  lines: number;
  byKind: KindCounts;
  /** Per edge id, per kind, as the hub names them. */
  edges: Record<string, KindCounts>;
}

const KIND_AT: Record<Kind, number> = { injection: 0, delivery: 1, deferral: 2, bounce: 3, rejection: 4 };

/** mulberry32: small, fast, seedable. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const p2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const p3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** RFC 3339 in UTC with milliseconds, as rsyslog's RSYSLOG_FileFormat writes it. */
export function rfc3339(ms: number): string {
  const d = new Date(ms);
  return (
    `${d.getUTCFullYear()}-${p2(d.getUTCMonth() + 1)}-${p2(d.getUTCDate())}T` +
    `${p2(d.getUTCHours())}:${p2(d.getUTCMinutes())}:${p2(d.getUTCSeconds())}.${p3(d.getUTCMilliseconds())}000+00:00`
  );
}

export class PostfixTraffic {
  readonly counts: TrafficCounts = { lines: 0, byKind: [0, 0, 0, 0, 0], edges: {} };
  private readonly random: () => number;
  private readonly ingresses: string[];
  private readonly mtas: string[];
  private readonly egresses: string[];
  private readonly outcomes: [number, number, number];
  private readonly rejects: number;
  private seq = 0;

  constructor(opts: TrafficOptions = {}) {
    this.random = rng(opts.seed ?? 1);
    this.ingresses = opts.ingresses ?? ['in-api', 'in-smtp'];
    this.mtas = opts.mtas ?? ['mx1', 'mx2', 'mx3'];
    this.egresses = opts.egresses ?? ['proxy-a', 'proxy-b', 'proxy-c', 'proxy-d'];
    this.outcomes = opts.outcomes ?? [0.7, 0.2, 0.1];
    this.rejects = opts.rejects ?? 0.05;
    this.seq = opts.firstMessage ?? 0;
  }

  /**
   * Lines for `messages` message sessions stamped `ms` (epoch ms), without
   * terminators, in blocks: injections, outcomes, rejects.
   */
  batch(messages: number, ms: number = Date.now()): string[] {
    const ts = rfc3339(ms);
    const intake: string[] = [];
    const outcome: string[] = [];
    const rejected: string[] = [];
    for (let m = 0; m < messages; m++) {
      const r = this.random;
      const ingress = this.pick(this.ingresses);
      const mta = this.pick(this.mtas);
      const pid = 1000 + (this.seq % 9000);
      if (r() < this.rejects) {
        rejected.push(
          `${ts} ${mta} postfix/${ingress}/smtpd[${pid}]: NOQUEUE: reject: RCPT from client${this.seq % 50}.example[198.51.100.${this.seq % 250}]: ` +
            `554 5.7.1 <rcpt${this.seq}@dest.example>: Relay access denied; from=<sender@shop.example> to=<rcpt${this.seq}@dest.example> proto=ESMTP helo=<client.example>`,
        );
        this.count('rejection', [`ingress:${ingress}>mta:${mta}`]);
        this.seq++;
        continue;
      }
      const qid = (0x100000000 + this.seq * 7919).toString(16).toUpperCase();
      const egress = this.pick(this.egresses);
      const octet = 10 + Math.floor(r() * 240);
      const ip = `${octet}.${this.seq % 256}.${(this.seq >> 8) % 256}.25`;
      const u = r();
      const [o0, o1] = this.outcomes;
      const kind: Kind = u < o0 ? 'delivery' : u < o0 + o1 ? 'deferral' : 'bounce';
      const status =
        kind === 'delivery'
          ? 'dsn=2.0.0, status=sent (250 2.0.0 Ok: queued as 4F2A81C0E2B)'
          : kind === 'deferral'
            ? `dsn=4.4.1, status=deferred (connect to mx.dest.example[${ip}]:25: Connection timed out)`
            : `dsn=5.1.1, status=bounced (host mx.dest.example[${ip}] said: 550 5.1.1 user unknown (in reply to RCPT TO command))`;
      intake.push(
        `${ts} ${mta} postfix/${ingress}/smtpd[${pid}]: ${qid}: client=client${this.seq % 50}.example[198.51.100.${this.seq % 250}]`,
        `${ts} ${mta} postfix/cleanup[${pid + 1}]: ${qid}: message-id=<${qid}@shop.example>`,
        `${ts} ${mta} postfix/qmgr[900]: ${qid}: from=<sender@shop.example>, size=${2000 + (this.seq % 5000)}, nrcpt=1 (queue active)`,
      );
      outcome.push(
        `${ts} ${mta} postfix/${egress}/smtp[${pid + 2}]: ${qid}: to=<rcpt${this.seq}@dest.example>, relay=mx.dest.example[${ip}]:25, ` +
          `delay=0.42, delays=0.01/0/0.2/0.21, ${status}`,
        `${ts} ${mta} postfix/qmgr[900]: ${qid}: removed`,
      );
      this.count('injection', [`ingress:${ingress}>mta:${mta}`]);
      this.count(kind, [`ingress:${ingress}>mta:${mta}`, `mta:${mta}>egress:${egress}`, `egress:${egress}>dest:${octet}`]);
      this.seq++;
    }
    const lines = [...intake, ...outcome, ...rejected];
    this.counts.lines += lines.length;
    return lines;
  }

  private pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.random() * list.length)]!;
  }

  private count(kind: Kind, edges: string[]): void {
    const k = KIND_AT[kind];
    this.counts.byKind[k]! += 1;
    for (const e of edges) (this.counts.edges[e] ??= [0, 0, 0, 0, 0])[k]! += 1;
  }
}
