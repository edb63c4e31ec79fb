// The demo traffic generator: a discrete-event simulation of the platform in
// world.ts that writes what its Postfix MTAs would log, line for line
// (smtpd, cleanup, qmgr, smtp, bounce), on a simulated clock. It is pure: the
// same options and seed give the same lines, whatever the wall clock does;
// pacing against real time is the caller's business (pace.ts).
//
// Lifecycle of one message, as Postfix logs it (mta-log-formats.md §3.2):
//   smtpd  connect from C / QID: client=C / disconnect from C ...
//   cleanup QID: message-id=<...>
//   qmgr   QID: from=<s>, size=N, nrcpt=K (queue active)        -> injection
//   smtp   QID: to=<r>, relay=mx[ip]:25, delay=, delays=, dsn=, status=sent|deferred|bounced
//   qmgr   QID: from=<s>, size=N, nrcpt=K (queue active)        again on every retry
//   qmgr   QID: from=<s>, status=expired, returned to sender     past the queue lifetime
//   cleanup/bounce/qmgr  a non-delivery notification NEWQID for bounced or expired mail
//   qmgr   QID: removed
// plus NOQUEUE rejects at the ingress, and TLS session lines that carry no event.

import { postfixSeconds, stamp, type Style } from './format.js';
import { TimedHeap } from './heap.js';
import { NO_SUCH_DOMAIN, TYPO_DOMAINS, type Failure, type Provider, type ReplyContext } from './providers.js';
import { Random, Weighted } from './random.js';
import { buildWorld, PLATFORM, type Destination, type Ingress, type Mta, type Proxy, type TopologyOptions, type World } from './world.js';

export interface GeneratorOptions extends TopologyOptions {
  seed: number;
  /** Epoch ms where the simulated clock starts. */
  start: number;
  /** Messages accepted per second, on average outside bursts. */
  rate: number;
  /** Share of first delivery attempts that are deferred (4xx, timeouts). */
  deferralRate: number;
  /** Share of first delivery attempts that bounce (5xx, unknown domains). */
  bounceRate: number;
  /** Share of ingress sessions refused before queueing (NOQUEUE reject). */
  rejectRate: number;
  /** Expiries of messages queued before the run began, per accepted message. */
  expireRate: number;
  /** Occasional campaign bursts: 3-5x the rate for 5-20 s, about every two minutes. */
  bursts: boolean;
  /** Share of messages submitted locally through pickup instead of an ingress. */
  pickupShare: number;
  /** Postfix minimal_backoff_time, ms: first retry of a deferred message. */
  retryAfter: number;
  /** Postfix maximal_queue_lifetime, ms. */
  queueLifetime: number;
  style: Style;
}

export interface GeneratorCounters {
  lines: number;
  messages: number;
  rejected: number;
  attempts: number;
  sent: number;
  deferred: number;
  bounced: number;
  expired: number;
  notices: number;
}

interface Rcpt {
  addr: string;
  dest: Destination;
  /** Misspelt domain: does not resolve. */
  typo: boolean;
  /** A failure that retries keep hitting. */
  sticky?: Failure;
}

interface Message {
  qid: string;
  mta: Mta;
  sender: string;
  size: number;
  nrcpt: number;
  /** Epoch ms Postfix took the message in. */
  arrival: number;
  egress: Proxy;
  inflight: number;
  deferred: Rcpt[];
  bounced: number;
  backoff: number;
  /** A notification Postfix generated itself: it is delivered to our own bounce processors. */
  notice: boolean;
}

type Outcome = { status: 'sent' } | { status: 'deferred' | 'bounced'; failure: Failure };

/** Postfix's maximal_backoff_time default. */
const MAX_BACKOFF_MS = 4000_000;
/** Share of messages with several recipients. */
const MULTI_RCPT = 0.06;
/** Share of bounces that are misspelt domains (NXDOMAIN, 5.4.4, relay=none). */
const TYPO_SHARE = 0.1;
/** Mean gap between campaign bursts. */
const BURST_GAP_MS = 120_000;
/** Share of the accepted traffic that comes through API ingresses. */
const API_SHARE = 0.6;

const FIRST = ['james', 'mary', 'robert', 'patricia', 'john', 'jennifer', 'michael', 'linda', 'david', 'elizabeth', 'william', 'barbara', 'richard', 'susan', 'joseph', 'jessica', 'thomas', 'sarah', 'chris', 'karen', 'lena', 'marco', 'yuki', 'ana', 'omar', 'priya', 'lukas', 'sofia'];
const LAST = ['smith', 'johnson', 'williams', 'brown', 'jones', 'garcia', 'miller', 'davis', 'martinez', 'lopez', 'wilson', 'anderson', 'taylor', 'thomas', 'moore', 'martin', 'lee', 'mueller', 'rossi', 'kim', 'nguyen', 'silva'];
// Refusals at our own ingress (smtpd restrictions and the platform's policy service).
const REJECTS = [
  { weight: 5, typo: false, text: (rcpt: string) => `554 5.7.1 <${rcpt}>: Recipient address rejected: address is on the suppression list` },
  { weight: 2, typo: false, text: (rcpt: string) => `450 4.7.1 <${rcpt}>: Recipient address rejected: hourly sending limit reached for this account, try again later` },
  { weight: 2, typo: true, text: (rcpt: string) => `450 4.1.2 <${rcpt}>: Recipient address rejected: Domain not found` },
  { weight: 1, typo: false, text: () => '452 4.3.1 Insufficient system storage' },
];

export class Generator {
  readonly world: World;
  readonly counters: GeneratorCounters = { lines: 0, messages: 0, rejected: 0, attempts: 0, sent: 0, deferred: 0, bounced: 0, expired: 0, notices: 0 };
  private readonly rng: Random;
  private readonly heap = new TimedHeap();
  private readonly live = new Set<string>();
  private readonly failures = new Map<Provider, { deferrals: Weighted<Failure>; bounces: Weighted<Failure> }>();
  private readonly ingressPick: Weighted<Ingress>;
  private readonly apiIngresses: Ingress[];
  private readonly rejectPick = new Weighted(REJECTS, REJECTS.map((r) => r.weight));
  private readonly bounceOther: number;
  private burstUntil = -Infinity;
  private burstFactor = 1;
  private sink: ((line: string, ts: number) => void) | undefined;
  private lastSecond = NaN;
  private lastStamp = '';

  constructor(private readonly opts: GeneratorOptions) {
    this.rng = new Random(opts.seed);
    this.world = buildWorld(opts, this.rng);
    const apis = this.world.ingresses.filter((g) => g.api);
    const smtps = this.world.ingresses.filter((g) => !g.api);
    this.apiIngresses = apis;
    // The first ingress is an SMTP one; the API share applies once there is an API one too.
    const apiShare = apis.length === 0 ? 0 : API_SHARE;
    this.ingressPick = new Weighted(
      [...apis, ...smtps],
      [...apis.map(() => apiShare / Math.max(1, apis.length)), ...smtps.map(() => (1 - apiShare) / smtps.length)],
    );
    const typo = opts.bounceRate * TYPO_SHARE;
    this.bounceOther = typo < 1 ? (opts.bounceRate - typo) / (1 - typo) : 0;

    this.heap.push(opts.start + this.rng.exp(1000 / opts.rate), (t) => this.arrival(t));
    if (opts.bursts) this.heap.push(opts.start + this.rng.exp(BURST_GAP_MS), (t) => this.burst(t));
    if (opts.expireRate > 0) this.heap.push(opts.start + this.rng.exp(1000 / (opts.rate * opts.expireRate)), (t) => this.backlogExpiry(t));
  }

  /** Runs the simulation up to `until` (epoch ms), handing each line to `emit` in time order. */
  advance(until: number, emit: (line: string, ts: number) => void): void {
    this.sink = emit;
    try {
      while (this.heap.peekTime() <= until) {
        const next = this.heap.pop()!;
        next.run(next.t);
      }
    } finally {
      this.sink = undefined;
    }
  }

  private line(t: number, host: string, tag: string, pid: number, msg: string): void {
    this.counters.lines++;
    // Formatting a date is the costliest part of a line; whole-second stamps repeat.
    if (this.opts.style === 'rfc3339') {
      this.lastStamp = stamp(t, this.opts.style);
    } else if (Math.floor(t / 1000) !== this.lastSecond) {
      this.lastSecond = Math.floor(t / 1000);
      this.lastStamp = stamp(t, this.opts.style);
    }
    this.sink!(`${this.lastStamp} ${host} ${tag}[${pid}]: ${msg}`, t);
  }

  /** Schedules a line; `at` is never before the action that schedules it. */
  private later(at: number, host: string, tag: string, pid: number, msg: string | (() => string)): void {
    this.heap.push(at, (t) => this.line(t, host, tag, pid, typeof msg === 'string' ? msg : msg()));
  }

  private inBurst(t: number): boolean {
    return t < this.burstUntil;
  }

  private burst(t: number): void {
    const duration = this.rng.range(5_000, 20_000);
    this.burstUntil = t + duration;
    this.burstFactor = this.rng.range(3, 5);
    this.heap.push(t + duration + this.rng.exp(BURST_GAP_MS), (n) => this.burst(n));
  }

  private queueId(t: number): string {
    // Postfix short queue IDs: microseconds in 5 hex digits, then the queue file's inode number.
    for (;;) {
      const usec = Math.floor((t - Math.floor(t / 1000) * 1000) * 1000);
      const id = usec.toString(16).toUpperCase().padStart(5, '0') + this.rng.hex(this.rng.chance(0.7) ? 7 : 6);
      if (!this.live.has(id)) {
        this.live.add(id);
        return id;
      }
    }
  }

  private recipient(): Rcpt {
    const rng = this.rng;
    const local = rng.chance(0.5)
      ? `${rng.pick(FIRST)}.${rng.pick(LAST)}${rng.chance(0.4) ? rng.int(100) : ''}`
      : `${rng.pick(FIRST)}${rng.pick(LAST).slice(0, 1 + rng.int(3))}${rng.int(10000)}`;
    const dest = this.world.destinations.draw(rng);
    if (rng.chance(this.opts.bounceRate * TYPO_SHARE)) {
      return { addr: `${local}@${rng.pick(TYPO_DOMAINS)}`, dest, typo: true };
    }
    return { addr: `${local}@${dest.domain}`, dest, typo: false };
  }

  private arrival(t: number): void {
    const factor = this.inBurst(t) ? this.burstFactor : 1;
    this.heap.push(t + this.rng.exp(1000 / (this.opts.rate * factor)), (n) => this.arrival(n));
    const mta = this.rng.pick(this.world.mtas);
    if (this.rng.chance(this.opts.pickupShare)) {
      this.pickup(t, mta);
      return;
    }
    // Campaign bursts are injected through the API.
    const ingress = this.inBurst(t) && this.apiIngresses.length > 0 && this.rng.chance(0.8) ? this.rng.pick(this.apiIngresses) : this.ingressPick.draw(this.rng);
    this.session(t, mta, ingress);
  }

  private sender(): string {
    const c = this.rng.pick(this.world.customers);
    return `bounce-${this.rng.hex(10).toLowerCase()}@${c.domain}`;
  }

  private session(t: number, mta: Mta, ingress: Ingress): void {
    const rng = this.rng;
    const client = rng.pick(ingress.clients);
    const peer = `${client.host}[${client.ip}]`;
    const tag = `postfix/${ingress.name}/smtpd`;
    const pid = rng.pick(mta.pids.smtpd.get(ingress.name)!);
    const customer = rng.pick(this.world.customers);
    this.line(t, mta.host, tag, pid, `connect from ${peer}`);

    const tls = ingress.api ? 'ehlo=1' : 'ehlo=2 starttls=1 auth=1';
    const baseCommands = ingress.api ? 1 : 4;
    if (rng.chance(this.opts.rejectRate)) {
      this.counters.rejected++;
      const reject = this.rejectPick.draw(rng);
      const drawn = this.recipient();
      const rcpt = reject.typo ? `${drawn.addr.slice(0, drawn.addr.indexOf('@'))}@${rng.pick(TYPO_DOMAINS)}` : drawn.addr;
      const helo = ingress.api ? client.host : customer.mailHost;
      const at = t + rng.range(30, 400);
      this.later(
        at,
        mta.host,
        tag,
        pid,
        `NOQUEUE: reject: RCPT from ${peer}: ${reject.text(rcpt)}; from=<${this.sender()}> to=<${rcpt}> proto=ESMTP helo=<${helo}>`,
      );
      this.later(at + rng.range(1, 40), mta.host, tag, pid, `disconnect from ${peer} ${tls} mail=1 rcpt=0/1 quit=1 commands=${baseCommands + 2}/${baseCommands + 3}`);
      return;
    }

    const qid = this.queueId(t);
    const nrcpt = rng.chance(MULTI_RCPT) ? 2 + rng.int(4) : 1;
    const rcpts = Array.from({ length: nrcpt }, () => this.recipient());
    const msg = this.message(qid, mta, `bounce-${rng.hex(10).toLowerCase()}@${customer.domain}`, t, nrcpt);
    this.counters.messages++;
    const transfer = (ingress.api ? rng.lognormal(0.08, 0.5) : rng.lognormal(0.45, 0.6)) * 1000;
    const tClient = t + rng.range(20, 150);
    this.later(tClient, mta.host, tag, pid, `${qid}: client=${peer}${ingress.api ? '' : `, sasl_method=PLAIN, sasl_username=${customer.account}`}`);
    const messageId = ingress.api
      ? `<${rng.hex(8)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(4)}-${rng.hex(12)}@api.${PLATFORM}>`.toLowerCase()
      : `<${compact(t)}.${rng.hex(12)}@${customer.mailHost}>`;
    const queued = tClient + transfer;
    this.later(tClient + transfer * 0.8, mta.host, 'postfix/cleanup', rng.pick(mta.pids.cleanup), `${qid}: message-id=${messageId}`);
    this.queue(msg, queued, rcpts);
    this.later(queued + rng.range(1, 30), mta.host, tag, pid, `disconnect from ${peer} ${tls} mail=1 rcpt=${nrcpt} data=1 quit=1 commands=${baseCommands + 3 + nrcpt}`);
  }

  private pickup(t: number, mta: Mta): void {
    const rng = this.rng;
    const qid = this.queueId(t);
    const sender = `reports@${mta.host}.${PLATFORM}`;
    const msg = this.message(qid, mta, sender, t, 1);
    this.counters.messages++;
    this.line(t, mta.host, 'postfix/pickup', mta.pids.pickup, `${qid}: uid=1001 from=<reports>`);
    const cleanup = t + rng.range(1, 10);
    this.later(cleanup, mta.host, 'postfix/cleanup', rng.pick(mta.pids.cleanup), `${qid}: message-id=<${compact(t)}.${qid}@${mta.host}.${PLATFORM}>`);
    this.queue(msg, cleanup + rng.range(1, 10), [this.recipient()]);
  }

  private message(qid: string, mta: Mta, sender: string, arrival: number, nrcpt: number, notice = false): Message {
    return {
      qid,
      mta,
      sender,
      size: notice ? 2800 + this.rng.int(3000) : Math.round(this.rng.lognormal(18_000, 0.9)) + 1200,
      nrcpt,
      arrival,
      // The transport is chosen per sender (sender_dependent_default_transport_maps), so it sticks across retries.
      egress: mta.route.draw(this.rng),
      inflight: 0,
      deferred: [],
      bounced: 0,
      backoff: this.opts.retryAfter,
      notice,
    };
  }

  /** qmgr moves the message to the active queue and hands its recipients to the delivery agents. */
  private queue(msg: Message, at: number, rcpts: Rcpt[]): void {
    this.later(at, msg.mta.host, 'postfix/qmgr', msg.mta.pids.qmgr, `${msg.qid}: from=<${msg.sender}>, size=${msg.size}, nrcpt=${msg.nrcpt} (queue active)`);
    msg.inflight = rcpts.length;
    for (const rcpt of rcpts) this.attempt(msg, rcpt, at);
  }

  private failuresOf(p: Provider) {
    let f = this.failures.get(p);
    if (!f) {
      f = {
        deferrals: new Weighted(p.deferrals, p.deferrals.map((x) => x.weight)),
        bounces: new Weighted(p.bounces, p.bounces.map((x) => x.weight)),
      };
      this.failures.set(p, f);
    }
    return f;
  }

  private decide(msg: Message, rcpt: Rcpt, at: number, retry: boolean): Outcome {
    const rng = this.rng;
    if (msg.notice) return { status: 'sent' };
    const p = rcpt.dest.provider;
    const f = this.failuresOf(p);
    if (retry) {
      if (rcpt.sticky) return rng.chance(0.85) ? { status: 'deferred', failure: rcpt.sticky } : { status: 'sent' };
      const x = rng.float();
      if (x < 0.04) return { status: 'bounced', failure: f.bounces.draw(rng) };
      if (x < 0.2) return { status: 'deferred', failure: f.deferrals.draw(rng) };
      return { status: 'sent' };
    }
    const burst = this.inBurst(at) ? p.burstDeferFactor : 1;
    const pDefer = ((this.opts.deferralRate * p.deferFactor) / this.world.meanDeferFactor) * burst;
    const x = rng.float();
    if (x < this.bounceOther) return { status: 'bounced', failure: f.bounces.draw(rng) };
    if (x < this.bounceOther + pDefer) return { status: 'deferred', failure: f.deferrals.draw(rng) };
    return { status: 'sent' };
  }

  /** One delivery attempt of one recipient, from the moment qmgr queued it. */
  private attempt(msg: Message, rcpt: Rcpt, queued: number, retry = false): void {
    const rng = this.rng;
    const { mta, egress } = msg;
    const dest = msg.notice ? this.world.bounceMx : rcpt.dest;
    const p = dest.provider;
    const tag = `postfix/${egress.name}/smtp`;
    const pid = rng.pick(mta.pids.smtp.get(egress.name)!);
    const burst = this.inBurst(queued);
    const b = rng.lognormal(0.01, 1) + (burst ? rng.lognormal(0.3 * this.burstFactor, 0.5) : 0);
    const host = rng.chance(0.9) ? dest.hosts[0]! : rng.pick(dest.hosts);
    const ip = dest.ipv6.length > 0 && rng.chance(this.opts.ipv6Share) ? rng.pick(dest.ipv6) : rng.pick(dest.ipv4);
    const peer = `${host}[${ip}]`;

    const ctx = (at: number): ReplyContext => ({ rcpt: rcpt.addr, domain: rcpt.addr.slice(rcpt.addr.indexOf('@') + 1), peer, sourceIp: egress.sourceIp, rng, at });
    const outcome: Outcome = rcpt.typo && !msg.notice ? { status: 'bounced', failure: NO_SUCH_DOMAIN } : this.decide(msg, rcpt, queued, retry);
    const failure = outcome.status === 'sent' ? undefined : outcome.failure;
    let relay = 'none';
    let c = failure?.stall ?? 0;
    let d = 0;
    let reuse = 0;
    if (!failure?.relayNone) {
      relay = `${peer}:25`;
      reuse = rng.chance(0.55) ? 2 + rng.int(40) : 0;
      c = reuse ? 0 : rng.lognormal(p.connect, 0.5);
      // Refusals come at MAIL FROM / RCPT TO; only accepted mail and content refusals pay the transfer.
      d = !failure || failure.atData ? rng.lognormal(p.transfer * Math.sqrt(msg.size / 20_000), 0.5) : rng.lognormal(0.05, 0.5);
      if (!reuse) {
        this.later(
          queued + (b + c) * 1000,
          mta.host,
          tag,
          pid,
          `Trusted TLS connection established to ${peer}:25: TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits) key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256`,
        );
      }
    }

    const at = queued + (b + c + d) * 1000;
    const a = (queued - msg.arrival) / 1000;
    this.heap.push(at, (t) => {
      this.counters.attempts++;
      const reason = outcome.status === 'sent' ? p.ok(ctx(t)) : outcome.failure.text(ctx(t));
      const conn = reuse ? `conn_use=${reuse}, ` : '';
      const delays = `${postfixSeconds(a)}/${postfixSeconds(b)}/${postfixSeconds(c)}/${postfixSeconds(d)}`;
      const dsn = outcome.status === 'sent' ? '2.0.0' : outcome.failure.dsn;
      this.line(
        t,
        mta.host,
        tag,
        pid,
        `${msg.qid}: to=<${rcpt.addr}>, relay=${relay}, ${conn}delay=${postfixSeconds((t - msg.arrival) / 1000)}, delays=${delays}, dsn=${dsn}, status=${outcome.status} (${reason})`,
      );
      this.settle(msg, rcpt, outcome, t);
    });
  }

  private settle(msg: Message, rcpt: Rcpt, outcome: Outcome, t: number): void {
    this.counters[outcome.status]++;
    if (outcome.status === 'deferred') {
      if (outcome.failure.sticky) rcpt.sticky = outcome.failure;
      msg.deferred.push(rcpt);
    } else if (outcome.status === 'bounced') {
      msg.bounced++;
    }
    if (--msg.inflight > 0) return;
    if (msg.deferred.length === 0) {
      this.finish(msg, t, false);
      return;
    }
    const wait = msg.backoff * this.rng.range(1, 1.2);
    msg.backoff = Math.min(msg.backoff * 2, MAX_BACKOFF_MS);
    this.heap.push(t + wait, (n) => this.retry(msg, n));
  }

  private retry(msg: Message, t: number): void {
    if (t - msg.arrival > this.opts.queueLifetime) {
      this.expire(msg, t);
      return;
    }
    const rcpts = msg.deferred;
    msg.deferred = [];
    msg.inflight = rcpts.length;
    this.line(t, msg.mta.host, 'postfix/qmgr', msg.mta.pids.qmgr, `${msg.qid}: from=<${msg.sender}>, size=${msg.size}, nrcpt=${msg.nrcpt} (queue active)`);
    for (const rcpt of rcpts) this.attempt(msg, rcpt, t, true);
  }

  private expire(msg: Message, t: number): void {
    this.counters.expired++;
    this.line(t, msg.mta.host, 'postfix/qmgr', msg.mta.pids.qmgr, `${msg.qid}: from=<${msg.sender}>, status=expired, returned to sender`);
    this.finish(msg, t, true);
  }

  /** A message queued long before the run began reaches the end of its lifetime. */
  private backlogExpiry(t: number): void {
    this.heap.push(t + this.rng.exp(1000 / (this.opts.rate * this.opts.expireRate)), (n) => this.backlogExpiry(n));
    const mta = this.rng.pick(this.world.mtas);
    const arrival = t - this.opts.queueLifetime - this.rng.range(0, MAX_BACKOFF_MS);
    const msg = this.message(this.queueId(arrival), mta, this.sender(), arrival, 1);
    this.expire(msg, t);
  }

  private finish(msg: Message, t: number, expired: boolean): void {
    const rng = this.rng;
    const { mta } = msg;
    const removeAt = (at: number) =>
      this.later(at, mta.host, 'postfix/qmgr', mta.pids.qmgr, () => {
        this.live.delete(msg.qid);
        return `${msg.qid}: removed`;
      });
    if ((msg.bounced === 0 && !expired) || msg.notice) {
      removeAt(t + rng.range(0.2, 3));
      return;
    }
    this.counters.notices++;
    const nq = this.queueId(t);
    const tCleanup = t + rng.range(1, 8);
    const tBounce = tCleanup + rng.range(0.5, 3);
    const tQueued = tBounce + rng.range(0.5, 3);
    this.later(tCleanup, mta.host, 'postfix/cleanup', rng.pick(mta.pids.cleanup), `${nq}: message-id=<${compact(tCleanup)}.${nq}@${mta.host}.${PLATFORM}>`);
    this.later(tBounce, mta.host, 'postfix/bounce', rng.pick(mta.pids.bounce), `${msg.qid}: sender non-delivery notification: ${nq}`);
    const notice = this.message(nq, mta, '', tCleanup, 1, true);
    this.queue(notice, tQueued, [{ addr: msg.sender, dest: this.world.bounceMx, typo: false }]);
    removeAt(tQueued + rng.range(0.1, 1));
  }
}

/** YYYYMMDDhhmmss in UTC, as Postfix builds generated Message-IDs. */
function compact(t: number): string {
  return new Date(t).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}
