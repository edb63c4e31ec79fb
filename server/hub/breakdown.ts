// Exact counters the insight views need beyond ExactStats, never sampled:
// failures per failure class (the bounce floor's bins), delivery attempts
// per mailbox provider and per egress and provider (provider lanes, the
// deferral pen, provider alarms). Per event: a kind lookup, and for delivery
// attempts one cached provider lookup; failures are classified only when
// they are failures. Bounded like ExactStats: past maxNodes egresses, later
// names count under "(other)".

import {
  FAILURE_CLASSES,
  KIND_INDEX,
  ProviderMatcher,
  failureClass,
  type FailureClass,
  type KindCounts,
  type MailEvent,
  type ProviderTable,
} from '../protocol/index.js';
import { OTHER_NODE } from './stats.js';

const zero = (): KindCounts => [0, 0, 0, 0, 0];
const INJECTION = KIND_INDEX.injection;
const DEFERRAL = KIND_INDEX.deferral;
const REJECTION = KIND_INDEX.rejection;

export class Breakdown {
  readonly matcher: ProviderMatcher;
  /** Per failure class (FAILURE_CLASSES order), per kind. */
  readonly failures: KindCounts[] = FAILURE_CLASSES.map(zero);
  /** Per provider (matcher.names order), per kind. */
  readonly providers: KindCounts[];
  /** Per egress name, per provider, per kind. */
  private readonly egress = new Map<string, KindCounts[]>();

  constructor(
    table: ProviderTable,
    private readonly maxNodes: number,
  ) {
    this.matcher = new ProviderMatcher(table);
    this.providers = this.matcher.names.map(zero);
  }

  record(ev: MailEvent): void {
    const k = KIND_INDEX[ev.kind];
    if (typeof k !== 'number') return;
    if (k >= DEFERRAL) this.failures[failureClass(ev.dsn, ev.reason)]![k]! += 1;
    if (k === INJECTION || k === REJECTION) return;
    const p = this.matcher.match(ev.domain, ev.destIp);
    this.providers[p]![k]! += 1;
    if (ev.egress) this.perEgress(ev.egress)[p]![k]! += 1;
  }

  failureCounts(): Record<FailureClass, KindCounts> {
    return Object.fromEntries(FAILURE_CLASSES.map((c, i) => [c, this.failures[i]!.slice()])) as Record<FailureClass, KindCounts>;
  }

  /** Providers that have seen anything, by name. */
  providerCounts(): Record<string, KindCounts> {
    const out: Record<string, KindCounts> = {};
    this.providers.forEach((counts, i) => {
      if (counts.some((n) => n > 0)) out[this.matcher.names[i]!] = counts.slice() as KindCounts;
    });
    return out;
  }

  /** `egress:NAME>provider:PROVIDER` for every pair that has seen anything. */
  providerEdgeCounts(): Record<string, KindCounts> {
    const out: Record<string, KindCounts> = {};
    for (const [egress, perProvider] of this.egress) {
      perProvider.forEach((counts, i) => {
        if (counts.some((n) => n > 0)) out[`egress:${egress}>provider:${this.matcher.names[i]!}`] = counts.slice() as KindCounts;
      });
    }
    return out;
  }

  private perEgress(name: string): KindCounts[] {
    let row = this.egress.get(name);
    if (row) return row;
    const key = this.egress.size >= this.maxNodes ? OTHER_NODE : name;
    row = this.egress.get(key);
    if (!row) {
      row = this.matcher.names.map(zero);
      this.egress.set(key, row);
    }
    return row;
  }
}
