import { describe, expect, it } from 'vitest';
import { DEFAULT_PROVIDERS, ProviderMatcher, type MailEvent } from '../../server/protocol/index.js';
import { computeLayout, meterY } from '../../client/layout/layout.js';
import { END_DWELL, END_FALL, END_RETURN, newFlight, planFlight } from '../../client/layout/paths.js';

const layout = computeLayout(
  { ingress: ['ingress:smtp'], mta: ['mta:mx1', 'mta:mx2'], egress: ['egress:p1'] },
  { width: 1280, height: 720, dpr: 1 },
  {},
);
const centre = () => 0.5;
const base = { ts: 0, format: 'postfix' as const, ingress: 'smtp', mta: 'mx2', egress: 'p1' };
const plan = (ev: Partial<MailEvent>) => {
  const f = planFlight({ ...base, kind: 'delivery', ...ev } as MailEvent, layout, centre, newFlight());
  return { ...f, points: Array.from({ length: f.n }, (_, i) => ({ x: f.xs[i]!, y: f.ys[i]! })) };
};
const node = (id: string) => layout.nodes.get(id)!;
/** Flights store points as float32. */
function near(got: { x: number; y: number } | undefined, want: { x: number; y: number }): void {
  expect(got!.x).toBeCloseTo(want.x, 3);
  expect(got!.y).toBeCloseTo(want.y, 3);
}

describe('planFlight', () => {
  it('sends an injection from its ingress to its MTA', () => {
    const f = plan({ kind: 'injection' });
    expect(f.end).toBe(END_DWELL);
    expect(f.n).toBe(2);
    near(f.points[0], node('ingress:smtp'));
    near(f.points[1], node('mta:mx2'));
  });

  it('sends a delivery MTA -> egress -> the meter at the height of its first octet', () => {
    const f = plan({ kind: 'delivery', destIp: '142.250.1.27' });
    near(f.points[0], node('mta:mx2'));
    near(f.points[1], node('egress:p1'));
    expect(f.points[2]!.x).toBeCloseTo(layout.meter.x);
    expect(f.points[2]!.y).toBeCloseTo(meterY(layout.meter, 142));
    expect(f.bucket).toBe('142');
    near(plan({ kind: 'delivery', destIp: '2001:db8::1' }).points[2], layout.meter.v6);
  });

  it('ends a delivery with no known destination in the Internet ball', () => {
    const f = plan({ kind: 'delivery', destIp: undefined });
    near(f.points.at(-1), layout.internet);
    expect(f.bucket).toBeUndefined();
  });

  it('makes bounces fall from the rim of the Internet and rejections fall short of the MTA', () => {
    const b = plan({ kind: 'bounce', destIp: '10.0.0.1' });
    expect(b.end).toBe(END_FALL);
    expect(b.points.at(-1)!.x).toBeCloseTo(layout.internet.x - layout.internet.r, 0);
    const r = plan({ kind: 'rejection' });
    expect(r.end).toBe(END_FALL);
    near(r.points[0], node('ingress:smtp'));
    expect(r.points[1]!.x).toBeLessThan(node('mta:mx2').x);
  });

  it("brings a deferral back into its egress's pen", () => {
    const f = plan({ kind: 'deferral', destIp: '200.1.1.1' });
    expect(f.end).toBe(END_RETURN);
    expect(f.points[2]!.x).toBeGreaterThan(node('egress:p1').x);
    const pen = layout.pens.get('egress:p1')!;
    expect(f.points[3]!.x).toBeGreaterThanOrEqual(pen.x - 0.01);
    expect(f.points[3]!.x).toBeLessThan(pen.x + layout.nodeRadius);
    expect(f.points[3]!.y).toBeLessThanOrEqual(pen.y + 0.01);
  });

  it('lands bounces and rejections in the bin of their failure class', () => {
    const binOf = (x: number) => layout.floorBins.findIndex((b) => x >= b.x0 && x < b.x1);
    expect(binOf(plan({ kind: 'bounce', dsn: '5.1.1' }).landX)).toBe(0);
    expect(binOf(plan({ kind: 'bounce', dsn: '5.7.1' }).landX)).toBe(1);
    expect(binOf(plan({ kind: 'bounce', dsn: '5.4.4' }).landX)).toBe(2);
    expect(binOf(plan({ kind: 'bounce', reason: 'expired' }).landX)).toBe(3);
    expect(binOf(plan({ kind: 'rejection', dsn: '5.5.0' }).landX)).toBe(4);
    expect(plan({ kind: 'delivery' }).landX).toBeNaN();
  });

  it('sends deliveries to their provider lane when the right edge shows providers', () => {
    const lanes = computeLayout(
      { ingress: ['ingress:smtp'], mta: ['mta:mx2'], egress: ['egress:p1'] },
      { width: 1280, height: 720, dpr: 1 },
      {},
      { lanes: ['Google', 'Microsoft', 'other'] },
    );
    const providers = new ProviderMatcher(DEFAULT_PROVIDERS);
    const f = planFlight({ ...base, kind: 'delivery', domain: 'contoso.com', destIp: '104.47.1.1' } as MailEvent, lanes, centre, newFlight(), providers);
    expect(f.bucket).toBe('provider:Microsoft');
    expect(f.ys[2]).toBeCloseTo(lanes.lanes!.get('Microsoft')!, 3);
    const g = planFlight({ ...base, kind: 'delivery', domain: 'small.example' } as MailEvent, lanes, centre, newFlight(), providers);
    expect(g.bucket).toBe('provider:other');
  });

  it('starts balls for nodes the layout does not know at their tier', () => {
    const f = plan({ kind: 'injection', ingress: 'nowhere', mta: 'mx1' });
    expect(f.points[0]!.x).toBeCloseTo(layout.tierX.ingress, 3);
  });
});
