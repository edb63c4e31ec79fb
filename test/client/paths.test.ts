import { describe, expect, it } from 'vitest';
import type { MailEvent } from '../../server/protocol/index.js';
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

  it('brings a deferral back towards its egress', () => {
    const f = plan({ kind: 'deferral', destIp: '200.1.1.1' });
    expect(f.end).toBe(END_RETURN);
    expect(f.points[2]!.x).toBeGreaterThan(node('egress:p1').x);
    expect(f.points[3]!.x).toBeCloseTo(node('egress:p1').x);
  });

  it('starts balls for nodes the layout does not know at their tier', () => {
    const f = plan({ kind: 'injection', ingress: 'nowhere', mta: 'mx1' });
    expect(f.points[0]!.x).toBeCloseTo(layout.tierX.ingress, 3);
  });
});
