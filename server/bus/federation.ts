// A view's merge of every box it hears (box.ts holds one box): decodes what
// arrives, hands the boxes' events to the hub's samplers (the same throttle
// and uniform sample as local input, never the exact counters), and adds the
// boxes' counters into every stats message the hub builds:
//   view totals = local input + for each box (latest report + earlier runs).
// A box silent for --box-stale is shown stale (its rates drop out); silent for
// --box-expire it is removed, from the topology (clients get the full
// topology again) and from the totals.

import type { Logger } from '../log.js';
import type { BoxStats, KindCounts, MailEvent, StatsMessage, TopoNode } from '../protocol/index.js';
import { Box, addCounts, type CountsMap } from './box.js';
import type { SubscribeSettings } from './options.js';
import { decodeBatch, decodeReport } from './wire.js';

/** What the federation needs of the hub. */
export interface FederationHub {
  /** An event for the samplers only: its counts arrive in its box's reports. */
  offer(ev: MailEvent): void;
  readonly topology: {
    addNode(node: TopoNode): void;
    addEdge(id: string): void;
    remove(nodeIds: ReadonlySet<string>, edgeIds: ReadonlySet<string>): void;
  };
}

export interface FederationCounters {
  /** Messages that did not decode, or whose box disagreed with their subject. */
  badMessages: number;
  /** Messages from boxes beyond --max-boxes. */
  ignored: number;
  /** Boxes removed after --box-expire of silence. */
  removed: number;
}

export interface FederationBounds {
  maxNodes: number;
  maxEdges: number;
  showAddresses: boolean;
}

/** Adds into a message's record without writing into any array it holds (they may be someone's live counters). */
function addRecord(into: Record<string, KindCounts>, from: CountsMap): void {
  for (const [k, v] of from) {
    const sum = v.slice() as KindCounts;
    const have = into[k];
    if (have) addCounts(sum, have);
    into[k] = sum;
  }
}

export class Federation {
  readonly counters: FederationCounters = { badMessages: 0, ignored: 0, removed: 0 };
  private readonly boxes = new Map<string, Box>();
  private readonly text = new TextDecoder();
  private reportedBad = false;

  constructor(
    private readonly settings: SubscribeSettings,
    private readonly bounds: FederationBounds,
    private readonly hub: () => FederationHub,
    private readonly log: Logger,
  ) {}

  get size(): number {
    return this.boxes.size;
  }

  /** Whether messages on this subject's box are for this view at all. */
  wants(box: string): boolean {
    return box !== this.settings.ownBox && (this.settings.accept?.(box) ?? true);
  }

  onEvents(subjectBox: string, data: Uint8Array, now: number): void {
    const batch = decodeBatch(this.text.decode(data));
    if (typeof batch === 'string' || batch.box !== subjectBox) return this.bad(subjectBox, typeof batch === 'string' ? batch : 'box differs from subject');
    const box = this.box(batch.box, now);
    if (!box) return;
    const hub = this.hub();
    box.onBatch(batch, now, (ev) => hub.offer(ev));
  }

  onReport(subjectBox: string, data: Uint8Array, now: number): void {
    const report = decodeReport(this.text.decode(data));
    if (typeof report === 'string' || report.box !== subjectBox) return this.bad(subjectBox, typeof report === 'string' ? report : 'box differs from subject');
    this.box(report.box, now)?.onReport(report, now);
  }

  /** Removes long-silent boxes (stale is a matter of time: status() and mergeInto() look at it). */
  sweep(now: number): void {
    for (const [name, box] of this.boxes) {
      const silent = now - box.lastSeen;
      if (silent > this.settings.expireMs) {
        this.boxes.delete(name);
        this.counters.removed++;
        this.hub().topology.remove(box.nodeIds, box.edgeIds);
        this.log.warn({ box: name, silentMs: Math.round(silent) }, 'box silent too long: removed from the view');
      }
    }
  }

  /** Adds every box's counters into a stats message built from local input. */
  mergeInto(msg: StatsMessage, now: number): void {
    const byKind = msg.byKind.slice() as KindCounts;
    const rate = { linesPerSec: msg.rate.linesPerSec, eventsPerSec: msg.rate.eventsPerSec, byKind: msg.rate.byKind.slice() as KindCounts };
    const sources = { ...msg.sources };
    const extra = msg as unknown as Record<string, Record<string, KindCounts> | undefined>;
    const copies = new Map<string, Record<string, KindCounts>>();
    /** The message's record `key`, copied once before the first change (the object may be the hub's own). */
    const record = (key: string): Record<string, KindCounts> => {
      let r = copies.get(key);
      if (!r) copies.set(key, (r = { ...extra[key] }));
      return r;
    };
    for (const box of this.boxes.values()) {
      const t = box.combined;
      msg.lines += t.lines;
      msg.unparsed += t.unparsed;
      msg.events += t.events;
      addCounts(byKind, t.byKind);
      msg.drops = { ...msg.drops, evictions: msg.drops.evictions + t.evictions };
      addRecord(record('nodes'), t.nodes);
      addRecord(record('edges'), t.edges);
      for (const [key, m] of t.breakdowns) addRecord(record(key), m);
      if (t.providerEdges.size) addRecord(record('providerEdges'), t.providerEdges);
      Object.assign(sources, box.sources);
      if (now - box.lastSeen <= this.settings.staleMs) {
        rate.linesPerSec += box.rate.linesPerSec;
        rate.eventsPerSec += box.rate.eventsPerSec;
        addCounts(rate.byKind, box.rate.byKind);
      }
    }
    for (const [key, r] of copies) extra[key] = r;
    msg.byKind = byKind;
    msg.rate = rate;
    msg.sources = sources;
  }

  /** Per box, what the view knows of it (stats.bus.boxes). */
  status(now: number): Record<string, BoxStats> {
    const out: Record<string, BoxStats> = {};
    for (const [name, box] of this.boxes) {
      const silentMs = Math.round(now - box.lastSeen);
      const p = box.combined.publisher;
      out[name] = {
        state: silentMs > this.settings.staleMs ? 'stale' : 'live',
        silentMs,
        restarts: box.restarts,
        events: box.combined.events,
        eventsPerSec: silentMs > this.settings.staleMs ? 0 : box.rate.eventsPerSec,
        received: { ...box.stream.received },
        lost: { ...box.stream.lost },
        dropped: { batches: p.droppedBatches, events: p.droppedEvents },
        duplicates: box.stream.duplicates,
        published: { ...box.published },
        overflow: box.overflow,
      };
    }
    return out;
  }

  private box(name: string, now: number): Box | undefined {
    let box = this.boxes.get(name);
    if (box) return box;
    if (this.boxes.size >= this.settings.maxBoxes) {
      this.counters.ignored++;
      return undefined;
    }
    box = new Box(name, now, this.bounds, this.hub().topology);
    this.boxes.set(name, box);
    this.log.info({ box: name }, 'box joined the view');
    return box;
  }

  private bad(box: string, why: string): void {
    this.counters.badMessages++;
    if (!this.reportedBad) this.log.warn({ box, why }, 'bad message on the bus (further ones only counted)');
    this.reportedBad = true;
  }
}
