// The route a ball takes for an event, given the current layout. Pure, and
// writes into a caller-owned Flight so that planning allocates nothing.

import { destBucket, nodeId, type MailEvent, type Tier } from '../../server/protocol/index.js';
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
  /** Destination bucket of a delivery that reached the meter (for the landing record). */
  bucket: string | undefined;
}

export function newFlight(): Flight {
  return { n: 0, xs: new Float32Array(MAX_POINTS), ys: new Float32Array(MAX_POINTS), end: END_DWELL, bucket: undefined };
}

/** `random` returns [0, 1); it spreads balls a little around node centres. */
export function planFlight(ev: MailEvent, layout: Layout, random: () => number, out: Flight): Flight {
  out.n = 0;
  out.bucket = undefined;
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
      return out;
    }
    case 'delivery': {
      out.end = END_DWELL;
      push(at('mta', ev.mta));
      if (ev.egress !== undefined) push(at('egress', ev.egress));
      const bucket = destBucket(ev.destIp);
      const hit = meterPoint(layout.meter, bucket);
      if (hit) {
        out.bucket = bucket;
        push(hit);
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
      const target = meterPoint(layout.meter, destBucket(ev.destIp)) ?? internet;
      push(towardsRim(from, target, internet, 0.6));
      push({ x: from.x + (random() - 0.5) * jitter, y: from.y + jitter });
      return out;
    }
    case 'bounce': {
      out.end = END_FALL;
      push(at('mta', ev.mta));
      const gate = ev.egress !== undefined ? at('egress', ev.egress) : undefined;
      if (gate) push(gate);
      const from = gate ?? { x: out.xs[0]!, y: out.ys[0]! };
      const target = meterPoint(layout.meter, destBucket(ev.destIp)) ?? internet;
      push(towardsRim(from, target, internet, 1));
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
