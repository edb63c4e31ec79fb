// Alarm evaluation over a sliding window of the hub's exact cumulative
// counters. Every stats period (about a second) each rule looks at every
// target in its scope: the difference between the counters now and the
// counters one window ago is the windowed count, never a sample. A rule keeps
// at most WINDOW_STEPS + 2 snapshots per target (one per window/60, at least
// one a second), so memory is bounded by rules x targets, whatever the rate.

import type { ActiveAlarm, AlarmMessage, KindCounts, StatsMessage } from '../protocol/index.js';
import { KIND_INDEX } from '../protocol/index.js';
import { denominatorKinds, type AlarmRule } from './alarm-rule.js';

/** A window is remembered in this many steps; the window's edge is exact to one step. */
const WINDOW_STEPS = 60;

export interface AlarmReading {
  rule: string;
  target: string;
  /** Windowed share or rate; undefined while the window holds too few events to judge. */
  value: number | undefined;
  active: boolean;
}

/** The cumulative counts per target that a rule's scope looks at. */
function targets(rule: AlarmRule, stats: StatsMessage): [string, KindCounts][] {
  switch (rule.scope) {
    case 'all':
      return [['all', stats.byKind]];
    case 'provider':
      return Object.entries(stats.providers ?? {}).map(([name, counts]) => [`provider:${name}`, counts]);
    default: {
      const prefix = `${rule.scope}:`;
      return Object.entries(stats.nodes).filter(([id]) => id.startsWith(prefix));
    }
  }
}

class RuleWindow {
  private readonly size: number;
  private readonly stepMs: number;
  private readonly times: Float64Array;
  /** Per target: [numerator, denominator] at each snapshot slot. */
  private readonly history = new Map<string, Float64Array>();
  private count = 0;
  private head = 0;
  readonly active = new Map<string, ActiveAlarm>();
  readonly readings = new Map<string, number | undefined>();
  firings = 0;
  private readonly num: number;
  private readonly den: readonly number[];

  constructor(
    readonly rule: AlarmRule,
    startedAt: number,
  ) {
    this.stepMs = Math.max(1000, rule.windowMs / WINDOW_STEPS);
    this.size = Math.ceil(rule.windowMs / this.stepMs) + 2;
    this.times = new Float64Array(this.size);
    this.num = KIND_INDEX[rule.kind];
    this.den = denominatorKinds(rule.kind);
    // Every counter was zero when the daemon started: the first snapshot.
    this.push(startedAt, []);
  }

  /** Judges every target at `at`; returns true when the set of active targets changed. */
  evaluate(at: number, now: [string, KindCounts][]): boolean {
    const rule = this.rule;
    const base = this.baseSlot(at);
    const elapsed = at - this.times[base]!;
    const full = elapsed >= rule.windowMs - this.stepMs / 2;
    let changed = false;
    this.readings.clear();
    for (const [target, counts] of now) {
      const hist = this.history.get(target);
      const num = counts[this.num]! - (hist ? hist[base * 2]! : 0);
      let den = 0;
      for (const k of this.den) den += counts[k]!;
      den -= hist ? hist[base * 2 + 1]! : 0;
      let value: number | undefined;
      if (rule.unit === 'share') value = den >= rule.min && den > 0 ? num / den : undefined;
      // A rate below a floor means something only once a whole window has passed.
      else value = elapsed > 0 && (full || rule.op === '>') ? (num * 1000) / elapsed : undefined;
      this.readings.set(target, value);
      const holds = value !== undefined && (rule.op === '>' ? value > rule.threshold : value < rule.threshold);
      const was = this.active.get(target);
      if (holds && value !== undefined) {
        if (was) was.value = value;
        else {
          this.active.set(target, { rule: rule.text, target, value, threshold: rule.threshold, unit: rule.unit, since: at });
          this.firings++;
          changed = true;
        }
      } else if (was) {
        this.active.delete(target);
        changed = true;
      }
    }
    // A target gone from the stats (the daemon never forgets one, but be safe) is not alarming.
    for (const target of this.active.keys()) {
      if (!this.readings.has(target)) {
        this.active.delete(target);
        changed = true;
      }
    }
    const last = (this.head - 1 + this.size) % this.size;
    if (at - this.times[last]! >= this.stepMs * 0.95) this.push(at, now);
    return changed;
  }

  /** The newest slot at least a window old, else the oldest there is. */
  private baseSlot(at: number): number {
    const edge = at - this.rule.windowMs;
    let best = (this.head - this.count + this.size) % this.size;
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head - this.count + i + this.size) % this.size;
      if (this.times[slot]! <= edge) best = slot;
      else break;
    }
    return best;
  }

  private push(at: number, now: [string, KindCounts][]): void {
    const slot = this.head;
    this.times[slot] = at;
    // Targets not in this snapshot keep their last value: cumulative counts never fall.
    for (const hist of this.history.values()) {
      const prev = (slot - 1 + this.size) % this.size;
      hist[slot * 2] = this.count > 0 ? hist[prev * 2]! : 0;
      hist[slot * 2 + 1] = this.count > 0 ? hist[prev * 2 + 1]! : 0;
    }
    for (const [target, counts] of now) {
      let hist = this.history.get(target);
      if (!hist) {
        hist = new Float64Array(this.size * 2);
        this.history.set(target, hist);
      }
      let den = 0;
      for (const k of this.den) den += counts[k]!;
      hist[slot * 2] = counts[this.num]!;
      hist[slot * 2 + 1] = den;
    }
    this.head = (slot + 1) % this.size;
    this.count = Math.min(this.count + 1, this.size);
  }
}

export class Alarms {
  private readonly windows: RuleWindow[];

  constructor(rules: readonly AlarmRule[], startedAt: number) {
    this.windows = rules.map((r) => new RuleWindow(r, startedAt));
  }

  get configured(): boolean {
    return this.windows.length > 0;
  }

  /**
   * Judges every rule against a stats snapshot. Returns the message to send:
   * when an alarm started or cleared, and while any holds (its value moves).
   */
  evaluate(stats: StatsMessage): { message: AlarmMessage; changed: boolean } | undefined {
    let changed = false;
    let any = false;
    for (const w of this.windows) {
      if (w.evaluate(stats.at, targets(w.rule, stats))) changed = true;
      if (w.active.size > 0) any = true;
    }
    return changed || any ? { message: this.message(), changed } : undefined;
  }

  message(): AlarmMessage {
    return {
      type: 'alarm',
      rules: this.windows.map((w) => w.rule.text),
      active: this.windows.flatMap((w) => [...w.active.values()].map((a) => ({ ...a }))),
    };
  }

  /** Every rule x target judged at the last evaluation, for /metrics. */
  readings(): AlarmReading[] {
    return this.windows.flatMap((w) =>
      [...w.readings].map(([target, value]) => ({ rule: w.rule.text, target, value, active: w.active.has(target) })),
    );
  }

  /** Times each rule started holding for some target. */
  firings(): { rule: string; count: number }[] {
    return this.windows.map((w) => ({ rule: w.rule.text, count: w.firings }));
  }
}
