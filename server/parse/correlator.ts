// Per-message state keyed by (host, queue ID): what the delivery, deferral and
// bounce lines of a message need from its earlier lines (ingress, arrival
// time, whether its injection was counted, its last delivery attempt).
//
// Memory is bounded twice: at most `maxEntries` messages, and none older than
// `ttlMs` of log time (messages that never complete, or whose "removed" line
// was lost). Entries sit on one doubly linked list in creation order, so the
// oldest is evicted in O(1); a Map's own insertion order would need an
// iterator that walks over the holes completed messages leave at its front.
// Every eviction is counted: it is a message whose later lines will lack
// their ingress.

import { detach } from './bytes.js';

/** How much of a message's arrival we saw. */
export const Arrival = {
  /** Nothing: the entry was created by a later line (a retry of a message we never saw arrive). */
  None: 0,
  /** Only the message being written (Postfix cleanup), not who submitted it: the MTA generated it. */
  Created: 1,
  /** Its listener, submission path or origin is known. */
  Named: 2,
} as const;
export type Arrival = (typeof Arrival)[keyof typeof Arrival];

export interface MessageState {
  /** Ingress of the message; undefined when the line that named it did not say. */
  ingress: string | undefined;
  arrival: Arrival;
  /** Its injection event was emitted (Postfix logs "(queue active)" on every retry). */
  injected: boolean;
  /** Log time of arrival, for delays the line does not carry. */
  arrivalTs: number;
  lastEgress: string | undefined;
  lastDomain: string | undefined;
  /** A remote IP named by a per-host line (Exim "H=host [ip] Connection refused") for the result line that follows. */
  attemptIp: string | undefined;
}

interface Entry extends MessageState {
  readonly key: string;
  readonly host: string;
  readonly hostMap: Map<string, Entry>;
  readonly created: number;
  prev: Entry | undefined;
  next: Entry | undefined;
}

export interface CorrelatorCounters {
  /** Messages currently tracked. */
  size: number;
  /** Entries dropped before their message completed (capacity or TTL). */
  evictions: number;
}

export class Correlator {
  private readonly hosts = new Map<string, Map<string, Entry>>();
  private head: Entry | undefined;
  private tail: Entry | undefined;
  readonly counters: CorrelatorCounters = { size: 0, evictions: 0 };

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  // Most lines come from the host of the line before (host strings are shared
  // by the envelope reader, so this is an identity compare, not a lookup).
  private lastHost: string | undefined;
  private lastMap: Map<string, Entry> | undefined;

  private mapOf(host: string): Map<string, Entry> | undefined {
    if (host === this.lastHost) return this.lastMap;
    const m = this.hosts.get(host);
    if (m !== undefined) {
      this.lastHost = host;
      this.lastMap = m;
    }
    return m;
  }

  get(host: string, id: string): MessageState | undefined {
    return this.mapOf(host)?.get(id);
  }

  /** The message's state, created (not yet arrived) if unknown. `now` is the line's log time. */
  touch(host: string, id: string, now: number): MessageState {
    const found = this.mapOf(host)?.get(id);
    if (found !== undefined) return found;
    // Make room first: evicting may drop (and forget) the map of this very host.
    this.expire(now);
    if (this.counters.size >= this.maxEntries && this.head !== undefined) this.evict(this.head);
    let hostMap = this.mapOf(host);
    if (hostMap === undefined) {
      hostMap = new Map();
      this.hosts.set(host, hostMap);
    }
    const e: Entry = {
      // The key outlives the line it was read from: a copy, not a slice of the line's chunk.
      key: detach(id),
      host,
      hostMap,
      created: now,
      ingress: undefined,
      arrival: Arrival.None,
      injected: false,
      arrivalTs: now,
      lastEgress: undefined,
      lastDomain: undefined,
      attemptIp: undefined,
      prev: this.tail,
      next: undefined,
    };
    if (this.tail !== undefined) this.tail.next = e;
    else this.head = e;
    this.tail = e;
    hostMap.set(e.key, e);
    this.counters.size++;
    return e;
  }

  /** The message completed: forget it (not an eviction). */
  remove(host: string, id: string): void {
    const hostMap = this.mapOf(host);
    const e = hostMap?.get(id);
    if (e !== undefined) this.unlink(e);
  }

  /** Drops entries created more than ttlMs before `now`. */
  expire(now: number): void {
    const limit = now - this.ttlMs;
    while (this.head !== undefined && this.head.created < limit) this.evict(this.head);
  }

  clear(): void {
    this.hosts.clear();
    this.lastHost = this.lastMap = undefined;
    this.head = this.tail = undefined;
    this.counters.size = 0;
  }

  private evict(e: Entry): void {
    this.unlink(e);
    this.counters.evictions++;
  }

  private unlink(e: Entry): void {
    if (e.prev !== undefined) e.prev.next = e.next;
    else this.head = e.next;
    if (e.next !== undefined) e.next.prev = e.prev;
    else this.tail = e.prev;
    e.prev = e.next = undefined;
    e.hostMap.delete(e.key);
    // Empty per-host maps would otherwise accumulate for hosts that went quiet.
    if (e.hostMap.size === 0) {
      this.hosts.delete(e.host);
      if (this.lastMap === e.hostMap) this.lastHost = this.lastMap = undefined;
    }
    this.counters.size--;
  }
}
