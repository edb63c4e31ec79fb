// GET /api/snapshot: the topology and the exact counters right now, in the
// wire protocol's shapes (TopologyMessage, StatsMessage), for scripts,
// dashboards and tests that want numbers without a WebSocket.

import type { Hub } from '../hub/hub.js';
import { PROTOCOL_VERSION, type StatsMessage, type TopologyMessage } from '../protocol/index.js';
import { sendJson, type RequestHandler } from './server.js';

export interface Snapshot {
  protocol: number;
  server: string;
  topology: TopologyMessage;
  stats: StatsMessage;
}

export function snapshot(hub: Hub, version: string): RequestHandler {
  return (_req, res) => {
    const { topology, stats } = hub.snapshot();
    const body: Snapshot = { protocol: PROTOCOL_VERSION, server: version, topology, stats };
    sendJson(res, 200, body);
  };
}
