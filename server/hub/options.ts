// Options the hub owns: the per-client throttle, the tick, slow-client policy,
// keep-alive and the topology bounds. `mtaviz serve` composes this table.

import { opt, type ConfigOf } from '../cli/options.js';

export const hubOptions = {
  rate: opt.int({
    flag: 'rate',
    metavar: 'N',
    default: 1000,
    min: 1,
    max: 1_000_000,
    help: 'events per second each client receives at most; above it they are a uniform sample of the input',
  }),
  tick: opt.duration({
    flag: 'tick',
    metavar: 'DURATION',
    default: 20,
    min: 5,
    max: 50,
    help: 'time between event frames; one frame per tick per client',
  }),
  clientBuffer: opt.bytes({
    flag: 'client-buffer',
    metavar: 'SIZE',
    default: 1024 * 1024,
    min: 16 * 1024,
    max: 256 * 1024 * 1024,
    help: "a client's unsent backlog above this drops its frames (counted) instead of queueing them",
  }),
  stuckTimeout: opt.duration({
    flag: 'stuck-timeout',
    metavar: 'DURATION',
    default: 15_000,
    min: 100,
    help: 'disconnect a client whose backlog stays above --client-buffer this long',
  }),
  pingInterval: opt.duration({
    flag: 'ping-interval',
    metavar: 'DURATION',
    default: 30_000,
    min: 100,
    help: 'WebSocket keep-alive; a peer that misses one ping is disconnected',
  }),
  maxNodes: opt.int({
    flag: 'max-nodes',
    metavar: 'N',
    default: 256,
    min: 1,
    max: 100_000,
    help: 'nodes kept per tier (ingress, mta, egress); later names are counted under "(other)"',
  }),
  maxEdges: opt.int({
    flag: 'max-edges',
    metavar: 'N',
    default: 20_000,
    min: 1,
    max: 1_000_000,
    help: 'edges kept in the topology and per-edge stats; events on later edges are counted as overflow',
  }),
};

export type HubConfig = ConfigOf<typeof hubOptions>;
