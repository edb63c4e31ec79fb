// The route a ball takes for an event, given the current layout. Pure, and
// writes into a caller-owned Flight so that planning allocates nothing.

import { destBucket, failureClass, nodeId, type MailEvent, type ProviderMatcher, type Tier } from '../../server/protocol/index.js';
import { meterPoint, type Layout, type Point } from './layout.js';

/** What happens after the last waypoint. */
export const END_DWELL = 0;
/** Drops to the floor under gravity (bounces, rejections). */
export const END_FALL = 1;
/** The last leg leads back, fading out (deferrals: tried, came back). */
export const END_RETURN = 2;

export const MAX_POINTS = 4;

export interface Flight {
  n: number;
  xs: Float32Array;
  ys: Float32Array;
  end: number;
  /** Where a delivery hit the right edge (for the landing record): a bucket ("142", "v6") or "provider:NAME". */
  bucket: string | undefined;
  /** For falls: the x the ball lands at (its failure class's bin on the floor); NaN for none. */
  landX: number;
}

export function newFlight(): Flight {
  return { n: 0, xs: new Float32Array(MAX_POINTS), ys: new Float32Array(MAX_POINTS), end: END_DWELL, bucket: undefined, landX: NaN };
}

/** The right-edge point for a delivery attempt: its provider's lane, or the meter at its first octet. */
function rightEdge(ev: MailEvent, layout: Layout, providers: ProviderMatcher | undefined): { point: Point; bucket: string } | undefined {
  if (layout.lanes && providers) {
    const name = providers.names[providers.match(ev.domain, ev.destIp)]!;
    const y = layout.lanes.get(name);
    return y === undefined ? undefined : { point: { x: layout.meter.x, y }, bucket: `provider:${name}` };
  }
  const bucket = destBucket(ev.destIp);
  const point = meterPoint(layout.meter, bucket);
  return point && bucket !== undefined ? { point, bucket } : undefined;
}

/**
 * `random` returns [0, 1); it spreads balls a little around node centres.
 * `providers` places deliveries in provider lanes when the layout has them.
 */
export function planFlight(ev: MailEvent, layout: Layout, random: () => number, out: Flight, providers?: ProviderMatcher): Flight {
  out.n = 0;
  out.bucket = undefined;
  out.landX = NaN;
  const jitter = layout.nodeRadius * 0.6;
  const at = (tier: Tier, name: string | undefined): Point => {
    const p = name === undefined ? undefined : layout.nodes.get(nodeId(tier, name));
    const base = p ?? { x: layout.tierX[tier], y: (layout.top + layout.meter.bottom) / 2 };
    return { x: base.x, y: base.y + (random() - 0.5) * jitter };
  };
  const push = (p: Point) => {
    out.xs[out.n] = p.x;
    out.ys[out.n] = p.y;
    out.n++;
  };
  const { internet } = layout;
  const bin = () => {
    const b = layout.floorBins[failureClass(ev.dsn, ev.reason)];
    return b ? b.cx + (random() - 0.5) * (b.x1 - b.x0) * 0.6 : NaN;
  };

  switch (ev.kind) {
    case 'injection': {
      out.end = END_DWELL;
      push(at('ingress', ev.ingress));
      push(at('mta', ev.mta));
      return out;
    }
    case 'rejection': {
      // Refused at the door: heads for the MTA, never gets there, falls.
      out.end = END_FALL;
      const from = at('ingress', ev.ingress);
      const to = at('mta', ev.mta);
      push(from);
      push(lerp(from, to, 0.55));
      out.landX = bin();
      return out;
    }
    case 'delivery': {
      out.end = END_DWELL;
      push(at('mta', ev.mta));
      if (ev.egress !== undefined) push(at('egress', ev.egress));
      const hit = rightEdge(ev, layout, providers);
      if (hit) {
        out.bucket = hit.bucket;
        push(hit.point);
      } else {
        push(internet);
      }
      return out;
    }
    case 'deferral': {
      out.end = END_RETURN;
      push(at('mta', ev.mta));
      const gate = ev.egress !== undefined ? at('egress', ev.egress) : undefined;
      if (gate) push(gate);
      const from = gate ?? { x: out.xs[0]!, y: out.ys[0]! };
      const target = rightEdge(ev, layout, providers)?.point ?? internet;
      push(towardsRim(from, target, internet, 0.6));
      // Back into its egress's pen, where the backlog piles up; without an egress, back where it came from.
      const pen = ev.egress !== undefined ? layout.pens.get(nodeId('egress', ev.egress)) : undefined;
      push(pen ? { x: pen.x + random() * jitter, y: pen.y - random() * jitter } : { x: from.x + (random() - 0.5) * jitter, y: from.y + jitter });
      return out;
    }
    case 'bounce': {
      out.end = END_FALL;
      push(at('mta', ev.mta));
      const gate = ev.egress !== undefined ? at('egress', ev.egress) : undefined;
      if (gate) push(gate);
      const from = gate ?? { x: out.xs[0]!, y: out.ys[0]! };
      const target = rightEdge(ev, layout, providers)?.point ?? internet;
      push(towardsRim(from, target, internet, 1));
      out.landX = bin();
      return out;
    }
  }
}

function lerp(a: Point, b: Point, f: number): Point {
  return { x: a.x + (b.x - a.x) * f, y: a.y + (b.y - a.y) * f };
}

/**
 * A point `f` of the way from `from` to where the straight line towards
 * `target` would reach the Internet ball's left rim (or to the target itself
 * when the line starts inside the rim).
 */
function towardsRim(from: Point, target: Point, internet: Point & { r: number }, f: number): Point {
  const rimX = internet.x - internet.r;
  if (rimX <= from.x || target.x <= from.x) return lerp(from, target, f * 0.5);
  const t = Math.min(1, (rimX - from.x) / (target.x - from.x));
  return lerp(from, target, t * f);
}
