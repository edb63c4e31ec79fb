// Alarm rules, one line of text each, the same on the command line
// (--alarm, repeatable) and in the config file ("alarms": [...]):
//
//   KIND share [per TIER] > N% over DURATION [min COUNT]
//   KIND rate  [per TIER] > N/s over DURATION
//
// KIND is deferral, bounce, rejection or delivery; TIER is ingress, mta,
// egress or provider (without `per` the rule looks at all traffic together);
// the comparison may be `<` as well (a provider gone quiet: `delivery rate per
// provider < 1/s over 5m`). A share is the kind's part of the delivery
// attempts (deliveries, deferrals and bounces; for rejections: of the
// sessions, injections plus rejections) over the last DURATION; `min` is the
// fewest attempts in the window for a share to count at all (default 20), so
// a handful of messages cannot raise an alarm.

import { KIND_INDEX, type Kind } from '../protocol/index.js';

export type AlarmScope = 'all' | 'ingress' | 'mta' | 'egress' | 'provider';

export interface AlarmRule {
  /** The rule as written (trimmed, spaces collapsed): its name in the UI and on /metrics. */
  text: string;
  kind: Kind;
  unit: 'share' | 'rate';
  scope: AlarmScope;
  op: '>' | '<';
  /** A share in 0..1, or events per second. */
  threshold: number;
  windowMs: number;
  /** Fewest events in the denominator for a share to be judged. */
  min: number;
}

export class AlarmRuleError extends Error {
  override readonly name = 'AlarmRuleError';
}

const RULE =
  /^(deferral|bounce|rejection|delivery)\s+(share|rate)(?:\s+per\s+(ingress|mta|egress|provider))?\s*([<>])\s*(\d+(?:\.\d+)?)\s*(%|\/s)\s+over\s+(\d+(?:\.\d+)?)\s*(ms|s|m|h)(?:\s+min\s+(\d+))?$/i;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
export const MIN_WINDOW_MS = 2000;
export const MAX_WINDOW_MS = 24 * 3_600_000;
export const DEFAULT_MIN = 20;

export const RULE_SYNTAX = 'KIND share|rate [per ingress|mta|egress|provider] >|< N% or N/s over DURATION [min COUNT]';

export function parseAlarmRule(raw: string): AlarmRule {
  const text = raw.trim().replace(/\s+/g, ' ');
  const m = RULE.exec(text);
  if (!m) throw new AlarmRuleError(`alarm rule ${JSON.stringify(raw)} does not read "${RULE_SYNTAX}", e.g. "deferral share per egress > 20% over 1m"`);
  const kind = m[1]!.toLowerCase() as Kind;
  const unit = m[2]!.toLowerCase() as 'share' | 'rate';
  const scope = (m[3]?.toLowerCase() ?? 'all') as AlarmScope;
  const value = Number(m[5]);
  const windowMs = Math.round(Number(m[7]) * UNIT_MS[m[8]!.toLowerCase() as keyof typeof UNIT_MS]);
  const fail = (why: string) => new AlarmRuleError(`alarm rule ${JSON.stringify(raw)}: ${why}`);
  if (unit === 'share' && m[6] !== '%') throw fail('a share is given in % (e.g. 20%)');
  if (unit === 'rate' && m[6] !== '/s') throw fail('a rate is given in events per second (e.g. 50/s)');
  if (unit === 'share' && !(value > 0 && value < 100)) throw fail('a share threshold lies between 0% and 100%');
  if (unit === 'rate' && !(value >= 0)) throw fail('a rate threshold is not negative');
  if (windowMs < MIN_WINDOW_MS || windowMs > MAX_WINDOW_MS) throw fail('the window lies between 2s and 24h (stats come once a second)');
  if (scope === 'provider' && kind === 'rejection') throw fail('rejections happen before any provider is tried; use per ingress or mta');
  if (m[9] !== undefined && unit === 'rate') throw fail('"min" applies to shares only');
  return {
    text,
    kind,
    unit,
    scope,
    op: m[4] as '>' | '<',
    threshold: unit === 'share' ? value / 100 : value,
    windowMs,
    min: m[9] !== undefined ? Number(m[9]) : unit === 'share' ? DEFAULT_MIN : 0,
  };
}

/** Kind indexes whose counts make a share's denominator. */
export function denominatorKinds(kind: Kind): readonly number[] {
  return kind === 'rejection'
    ? [KIND_INDEX.injection, KIND_INDEX.rejection]
    : [KIND_INDEX.delivery, KIND_INDEX.deferral, KIND_INDEX.bounce];
}
