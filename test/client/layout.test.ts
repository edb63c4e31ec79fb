import { describe, expect, it } from 'vitest';
import { computeLayout, meterPoint, meterY, METER_MAX, METER_MIN, type TierLists } from '../../client/layout/layout.js';

const tiers: TierLists = {
  ingress: ['ingress:smtp', 'ingress:api'],
  mta: ['mta:mx1', 'mta:mx2', 'mta:mx3'],
  egress: ['egress:p1', 'egress:p2'],
};
const laptop = { width: 1280, height: 720, dpr: 1 };

describe('computeLayout', () => {
  it('puts the tiers left to right: ingress, MTAs, egress, the Internet, the meter at the right edge', () => {
    const l = computeLayout(tiers, laptop, {});
    const x = (id: string) => l.nodes.get(id)!.x;
    expect(x('ingress:smtp')).toBeLessThan(x('mta:mx1'));
    expect(x('mta:mx1')).toBeLessThan(x('egress:p1'));
    expect(x('egress:p1')).toBeLessThan(l.internet.x - l.internet.r);
    expect(l.internet.x + l.internet.r).toBeLessThan(l.meter.x);
    expect(l.meter.x).toBeGreaterThan(laptop.width * 0.9);
  });

  it('spreads a tier top to bottom in order, inside the scene area', () => {
    const l = computeLayout(tiers, laptop, {});
    const ys = tiers.mta.map((id) => l.nodes.get(id)!.y);
    expect([...ys].sort((a, b) => a - b)).toEqual(ys);
    expect(ys[0]).toBeGreaterThan(l.top);
    expect(ys.at(-1)).toBeLessThan(l.floorY);
  });

  it('applies dragged positions as fractions of the viewport and keeps them on screen', () => {
    const l = computeLayout(tiers, laptop, { 'mta:mx2': { fx: 0.5, fy: 0.5 }, 'egress:p1': { fx: 2, fy: -1 } });
    expect(l.nodes.get('mta:mx2')).toEqual({ x: 640, y: 360 });
    const p1 = l.nodes.get('egress:p1')!;
    expect(p1.x).toBeLessThanOrEqual(laptop.width);
    expect(p1.y).toBeGreaterThan(l.top);
    const big = computeLayout(tiers, { width: 3840, height: 2160, dpr: 1 }, { 'mta:mx2': { fx: 0.5, fy: 0.5 } });
    expect(big.nodes.get('mta:mx2')).toEqual({ x: 1920, y: 1080 });
  });

  it('scales text and balls with the screen: a 4K wall is not a laptop', () => {
    const small = computeLayout(tiers, laptop, {});
    const wall = computeLayout(tiers, { width: 3840, height: 2160, dpr: 1 }, {});
    const retina = computeLayout(tiers, { width: 2560, height: 1440, dpr: 2 }, {});
    expect(wall.fontPx).toBe(small.fontPx * 3);
    expect(retina.ballRadius).toBeCloseTo(small.ballRadius * 2);
  });
});

describe('the first-octet meter', () => {
  const { meter } = computeLayout(tiers, laptop, {});

  it('runs from 10 at the bottom to 256 at the top, linearly', () => {
    expect(meterY(meter, METER_MIN)).toBe(meter.bottom);
    expect(meterY(meter, METER_MAX)).toBe(meter.top);
    const mid = (METER_MIN + METER_MAX) / 2;
    expect(meterY(meter, mid)).toBeCloseTo((meter.top + meter.bottom) / 2);
    expect(meterY(meter, 200)).toBeLessThan(meterY(meter, 50));
  });

  it('clamps octets below 10 to the bottom mark', () => {
    expect(meterY(meter, 3)).toBe(meter.bottom);
  });

  it('gives IPv6 its own spot above the scale and unknown destinations none', () => {
    expect(meterPoint(meter, 'v6')).toEqual(meter.v6);
    expect(meter.v6.y).toBeLessThan(meter.top);
    expect(meterPoint(meter, undefined)).toBeUndefined();
    expect(meterPoint(meter, '142')).toEqual({ x: meter.x, y: meterY(meter, 142) });
  });
});
