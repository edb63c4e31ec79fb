// Topology vocabulary shared by the hub (which discovers it from events) and
// the client (which lays it out). Pure functions only: no Node, no DOM.

export const TIERS = ['ingress', 'mta', 'egress'] as const;
export type Tier = (typeof TIERS)[number];

export interface TopoNode {
  /** Stable id: `${tier}:${name}`. */
  id: string;
  tier: Tier;
  /** In a view merging federated boxes, a box's nodes are named `${box}/${name}` (server/bus/box.ts). */
  name: string;
  /** The federated box the node belongs to; absent for the daemon's own input. */
  box?: string;
}

/**
 * Destination bucket of a delivery: the first octet of an IPv4 address
 * ("0".."255"), "v6" for IPv6, or undefined when the IP is unknown.
 * The right-hand meter of the scene is indexed by this.
 */
export type DestBucket = string;

export function nodeId(tier: Tier, name: string): string {
  return `${tier}:${name}`;
}

export function destBucket(ip: string | undefined): DestBucket | undefined {
  if (!ip) return undefined;
  if (ip.includes(':')) return 'v6';
  const dot = ip.indexOf('.');
  if (dot <= 0 || dot > 3) return undefined;
  const octet = Number(ip.slice(0, dot));
  return Number.isInteger(octet) && octet >= 0 && octet <= 255 ? String(octet) : undefined;
}

/** Edge ids: `${fromId}>${toId}`, with `dest:${bucket}` as the target of egress edges. */
export function edgeId(from: string, to: string): string {
  return `${from}>${to}`;
}

export function destId(bucket: DestBucket): string {
  return `dest:${bucket}`;
}
