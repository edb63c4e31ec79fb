// Where everything goes: a pure function of the topology's tiers, the
// viewport and the user's dragged positions. Recomputed only when one of those
// changes, never per frame. Units are canvas pixels (device pixels).

import type { DestBucket, Tier } from '../../server/protocol/index.js';

export interface Point {
  x: number;
  y: number;
}

export interface Viewport {
  /** Canvas size in device pixels. */
  width: number;
  height: number;
  /** Device pixels per CSS pixel. */
  dpr: number;
}

/** Node ids per tier, in display order. */
export type TierLists = Readonly<Record<Tier, readonly string[]>>;

/** Dragged positions as fractions of the viewport, so they survive resizes and screens. */
export type Overrides = Readonly<Record<string, { fx: number; fy: number }>>;

export interface Meter {
  x: number;
  /** y of the top of the scale (octet 256) and of the bottom (octet 10). */
  top: number;
  bottom: number;
  /** The marked spot for IPv6 destinations, above the scale. */
  v6: Point;
}

/** A bin of the bounce floor: where failures of one class land. */
export interface FloorBin {
  x0: number;
  x1: number;
  cx: number;
}

/** What the layout needs beyond tiers and viewport. */
export interface LayoutOptions {
  /** Provider lanes on the right edge instead of the first-octet meter, top to bottom. */
  lanes?: readonly string[];
  /** Bins on the floor, left to right. */
  floorBins?: number;
}

export interface Layout {
  viewport: Viewport;
  /** UI scale: 1 on a 1280x720 CSS-pixel laptop screen at DPR 1, larger on big or dense screens. */
  scale: number;
  /** Just below the heads-up line: where the tier headings go. */
  top: number;
  nodes: Map<string, Point>;
  /** Where a tier's nodes sit when not dragged; also where balls for unknown nodes start. */
  tierX: Record<Tier, number>;
  internet: Point & { r: number };
  meter: Meter;
  /** Provider lanes (name -> y on the right edge at meter.x), when the right edge shows providers. */
  lanes: Map<string, number> | undefined;
  floorY: number;
  floorBins: FloorBin[];
  /** Where each egress's deferral pen sits: its pile grows right and up from here. */
  pens: Map<string, Point>;
  nodeRadius: number;
  ballRadius: number;
  fontPx: number;
}

export const METER_MIN = 10;
export const METER_MAX = 256;
export const METER_TICKS = [10, 50, 100, 150, 200, 256] as const;

const TIER_FRACTION: Record<Tier, number> = { ingress: 0.07, mta: 0.29, egress: 0.51 };

/**
 * How much larger than on a 1280x720 laptop window text and balls are drawn,
 * from the window's size in CSS pixels: readable across a room on a big
 * screen, never smaller than their CSS-pixel size on a small window.
 */
export function screenFactor(cssWidth: number, cssHeight: number): number {
  return Math.max(1, Math.min(cssWidth / 1280, cssHeight / 720, 3));
}

export function computeLayout(tiers: TierLists, viewport: Viewport, overrides: Overrides, opts: LayoutOptions = {}): Layout {
  const { width: W, height: H, dpr } = viewport;
  const scale = dpr * screenFactor(W / dpr, H / dpr);
  const top = 60 * scale;
  const nodesTop = top + 22 * scale;
  const floorY = H - 18 * scale;
  const bottom = floorY - 30 * scale;
  const tierX: Record<Tier, number> = {
    ingress: W * TIER_FRACTION.ingress,
    mta: W * TIER_FRACTION.mta,
    egress: W * TIER_FRACTION.egress,
  };
  const largestTier = Math.max(1, tiers.ingress.length, tiers.mta.length, tiers.egress.length);
  const spacing = (bottom - nodesTop) / largestTier;
  const nodeRadius = Math.max(5 * scale, Math.min(16 * scale, spacing * 0.32));

  const nodes = new Map<string, Point>();
  for (const tier of ['ingress', 'mta', 'egress'] as const) {
    const ids = tiers[tier];
    const step = (bottom - nodesTop) / ids.length;
    ids.forEach((id, i) => {
      const o = overrides[id];
      nodes.set(
        id,
        o ? clampPoint({ x: o.fx * W, y: o.fy * H }, W, H, nodeRadius, top) : { x: tierX[tier], y: nodesTop + step * (i + 0.5) },
      );
    });
  }

  const meterX = W - 56 * scale;
  const meterTop = top + 64 * scale;
  const internetR = Math.min(W * 0.1, (bottom - top) * 0.3);

  let lanes: Map<string, number> | undefined;
  if (opts.lanes && opts.lanes.length > 0) {
    const names = opts.lanes;
    const step = (bottom - meterTop) / names.length;
    lanes = new Map(names.map((name, i) => [name, meterTop + step * (i + 0.5)]));
  }

  // The bins share the floor's width, with a margin at each end.
  const bins = opts.floorBins ?? 5;
  const binW = (W * 0.94) / bins;
  const floorBins = Array.from({ length: bins }, (_, i) => {
    const x0 = W * 0.03 + i * binW;
    return { x0, x1: x0 + binW, cx: x0 + binW / 2 };
  });

  const pens = new Map<string, Point>();
  for (const id of tiers.egress) {
    const p = nodes.get(id)!;
    pens.set(id, { x: p.x + nodeRadius * 1.9, y: p.y + nodeRadius * 0.6 });
  }

  return {
    viewport,
    scale,
    top,
    nodes,
    tierX,
    internet: { x: W * 0.76, y: (top + bottom) / 2, r: internetR },
    meter: { x: meterX, top: meterTop, bottom, v6: { x: meterX, y: meterTop - 24 * scale } },
    lanes,
    floorY,
    floorBins,
    pens,
    nodeRadius,
    ballRadius: 3.5 * scale,
    fontPx: Math.round(12 * scale),
  };
}

/** y on the meter for a destination bucket; octets below 10 sit at the bottom mark. */
export function meterY(meter: Meter, octet: number): number {
  const f = (Math.min(METER_MAX, Math.max(METER_MIN, octet)) - METER_MIN) / (METER_MAX - METER_MIN);
  return meter.bottom - f * (meter.bottom - meter.top);
}

/** The point a delivery to `bucket` hits; undefined when the destination is unknown. */
export function meterPoint(meter: Meter, bucket: DestBucket | undefined): Point | undefined {
  if (bucket === undefined) return undefined;
  if (bucket === 'v6') return meter.v6;
  const octet = Number(bucket);
  return Number.isFinite(octet) ? { x: meter.x, y: meterY(meter, octet) } : undefined;
}

export function toOverride(p: Point, viewport: Viewport): { fx: number; fy: number } {
  return { fx: p.x / viewport.width, fy: p.y / viewport.height };
}

function clampPoint(p: Point, W: number, H: number, r: number, top: number): Point {
  return { x: Math.min(W - r, Math.max(r, p.x)), y: Math.min(H - r, Math.max(top + r, p.y)) };
}
