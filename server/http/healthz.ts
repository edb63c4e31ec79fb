// GET /healthz: liveness plus every source's counters, for load balancers,
// systemd watchdogs and tests.

import type { Source } from '../ingest/source.js';
import type { SourceStats } from '../protocol/index.js';
import { sendJson, type RequestHandler } from './server.js';

export interface HealthReport {
  status: 'ok';
  uptimeMs: number;
  /** Lines from all sources together. */
  lines: number;
  sources: Record<string, SourceStats & { address?: string }>;
}

export interface HealthInputs {
  startedAt: number;
  sources: readonly Source[];
  lines: () => number;
}

export function healthReport({ startedAt, sources, lines }: HealthInputs): HealthReport {
  const report: HealthReport = { status: 'ok', uptimeMs: Date.now() - startedAt, lines: lines(), sources: {} };
  for (const s of sources) {
    const { address } = s;
    report.sources[s.id] = { kind: s.kind, ...s.counters, ...(address !== undefined ? { address } : {}) };
  }
  return report;
}

export function healthz(inputs: HealthInputs): RequestHandler {
  return (_req, res) => sendJson(res, 200, healthReport(inputs));
}
