// The high-contrast palette stays distinguishable for colour-blind viewers:
// every pair of ball colours (and each against the black background) is
// simulated under full protanopia, deuteranopia and tritanopia (Machado,
// Oliveira & Fernandes 2009, severity 1, on linear RGB) and must stay at
// least MIN_DELTA_E apart in CIELAB (CIE76; about 2.3 is a just-noticeable
// difference, 20 reads as a different colour at a glance).

import { describe, expect, it } from 'vitest';
import { applyPalette, BACKGROUND, KIND_COLOR } from '../../client/theme.js';

const MIN_DELTA_E = 20;

type Matrix = readonly [readonly number[], readonly number[], readonly number[]];
const VISION: Record<string, Matrix> = {
  typical: [[1, 0, 0], [0, 1, 0], [0, 0, 1]],
  protanopia: [[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216], [-0.003882, -0.048116, 1.051998]],
  deuteranopia: [[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413], [-0.01182, 0.04294, 0.968881]],
  tritanopia: [[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602], [0.004733, 0.691367, 0.3039]],
};

const linear = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);

function lab(hex: number, m: Matrix): [number, number, number] {
  const c = [(hex >> 16) & 255, (hex >> 8) & 255, hex & 255].map(linear);
  const [r, g, b] = m.map((row) => Math.min(1, Math.max(0, row[0]! * c[0]! + row[1]! * c[1]! + row[2]! * c[2]!))) as [number, number, number];
  // sRGB (D65) -> XYZ -> CIELAB.
  const x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047;
  const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  const z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883;
  const f = (t: number) => (t > 216 / 24389 ? Math.cbrt(t) : ((24389 / 27) * t + 16) / 116);
  return [116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))];
}

const deltaE = (a: number, b: number, m: Matrix) => {
  const p = lab(a, m);
  const q = lab(b, m);
  return Math.hypot(p[0] - q[0], p[1] - q[1], p[2] - q[2]);
};

describe('the high-contrast palette', () => {
  applyPalette('contrast');
  // Bounces and rejections share red on purpose: both fall to the floor.
  const balls = { injection: KIND_COLOR.injection, delivery: KIND_COLOR.delivery, deferral: KIND_COLOR.deferral, failure: KIND_COLOR.bounce };

  it('keeps every pair of ball colours apart under each colour-vision deficiency', () => {
    const close: string[] = [];
    const names = Object.keys(balls) as (keyof typeof balls)[];
    for (const [vision, m] of Object.entries(VISION)) {
      for (let i = 0; i < names.length; i++) {
        for (let j = i + 1; j < names.length; j++) {
          const d = deltaE(balls[names[i]!], balls[names[j]!], m);
          if (d < MIN_DELTA_E) close.push(`${vision}: ${names[i]} / ${names[j]} ΔE ${d.toFixed(1)}`);
        }
      }
    }
    expect(close).toEqual([]);
  });

  it('keeps every ball well off the background', () => {
    for (const m of Object.values(VISION)) {
      for (const c of Object.values(balls)) expect(deltaE(c, BACKGROUND, m)).toBeGreaterThan(3 * MIN_DELTA_E / 2);
    }
  });
});
