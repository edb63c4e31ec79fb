// Reading the insight views through window.__mtaviz (client/hook.ts), without
// the rest of the hook (its ball lists are large), for the insight tests.

import type { Page } from 'playwright-core';
import { waitFor, type WaitOptions } from '../helpers/wait.js';

export interface LensMatrix {
  rows: string[];
  cols: string[];
  counts: number[][];
  expected: number[];
  p: (number | null)[];
  ratios: (number | null)[][];
  flaggedRows: string[];
  flaggedCells: string[];
}

export interface InsightView {
  version: number;
  lens?: {
    spanMs: number;
    thresholds: { alpha: number; ratio: number; minExpected: number };
    mtaEgress: LensMatrix;
    egressDest: LensMatrix;
    destKind: string;
  };
  flaggedNodes: string[];
  floor: Record<'mailbox' | 'policy' | 'routing' | 'expired' | 'other', number>;
  floorSpanMs: number;
  pen: Record<string, number>;
  lanes: string[];
  laneAt: { name: string; x: number; y: number }[];
  /** Floor bins in page coordinates: a point inside each (x, y) and its left and right ends. */
  bins: { x: number; y: number; x0: number; x1: number }[];
  alarms?: {
    rules: string[];
    active: { rule: string; target: string; value: number; threshold: number; unit: string; since: number }[];
  };
  /** Edges pulsing for holding alarms. */
  pulsing: string[];
  selection?: { kind: string; pinned: boolean };
}

export function readInsight(page: Page): Promise<InsightView> {
  return page.evaluate(() => JSON.parse(JSON.stringify((globalThis as unknown as { __mtaviz: { insight: unknown } }).__mtaviz.insight)) as never);
}

export function waitForInsight(page: Page, accept: (v: InsightView) => boolean, opts: WaitOptions = {}): Promise<InsightView> {
  return waitFor(() => readInsight(page), accept, { intervalMs: 100, ...opts });
}
