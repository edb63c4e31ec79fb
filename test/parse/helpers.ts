// Shared by the parse tests: fixtures, a parse config with test defaults,
// and a pipeline run that collects events.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { MailEvent } from '../../server/protocol/index.js';
import { parseOptions, type ParseConfig } from '../../server/parse/options.js';
import { createPipeline, type PipelineStats } from '../../server/parse/pipeline.js';

export const FIXTURES = resolve(import.meta.dirname, '../fixtures');

/** The reading clock of every parse test: after all fixture lines were written (Nov 2026). */
export const NOW = Date.UTC(2026, 10, 23, 20, 0, 0);

export function fixtureLines(rel: string): string[] {
  return readFileSync(resolve(FIXTURES, rel), 'utf8')
    .split('\n')
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0);
}

export function config(overrides: Partial<ParseConfig> = {}): ParseConfig {
  const defaults = Object.fromEntries(Object.entries(parseOptions).map(([k, spec]) => [k, spec.default]));
  return { ...defaults, tz: 'UTC', ...overrides } as ParseConfig;
}

export interface Run {
  events: MailEvent[];
  stats: PipelineStats;
}

/** Feeds `lines` through one pipeline (one source unless `sources` says otherwise) and collects everything. */
export function run(lines: readonly string[], overrides: Partial<ParseConfig> = {}, source = 'test'): Run {
  const events: MailEvent[] = [];
  const p = createPipeline(config(overrides), (e) => events.push(e), { now: () => NOW });
  for (const line of lines) p.line(line, source);
  const stats = p.stats();
  p.close();
  return { events, stats };
}

/** Count of events per key, e.g. by(events, (e) => `${e.kind} ${e.egress}`). */
export function by(events: readonly MailEvent[], key: (e: MailEvent) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) {
    const k = key(e);
    out[k] = (out[k] ?? 0) + 1;
  }
  return out;
}

/** Every local part of every address in the lines ("user" of "<user@ok-a.test>"). */
export function localPartsIn(lines: readonly string[]): Set<string> {
  const out = new Set<string>();
  for (const line of lines) {
    for (const m of line.matchAll(/([A-Za-z0-9._+=-]+)@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g)) out.add(m[1]!);
  }
  return out;
}
