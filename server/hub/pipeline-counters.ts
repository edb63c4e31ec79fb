// What the hub reads from the stages before it when it builds a stats frame
// or a /metrics scrape. The daemon adapts its sources and parse pipeline to
// this, so the hub depends on numbers, not on how they are produced.

import type { ParserCounters } from '../parse/types.js';
import type { SourceStats } from '../protocol/index.js';

export interface PipelineCounters {
  /** Lines read, all sources together. */
  lines: number;
  /** Lines no parser could read. */
  unparsed: number;
  /** Correlation entries evicted before their message completed. */
  evictions: number;
  /** Messages the correlator is holding now (a queue depth). */
  correlating: number;
  sources: Record<string, SourceStats>;
  /** Per parser format. */
  parsers: Record<string, ParserCounters>;
}

