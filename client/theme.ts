// Every colour the client draws, in one place. Numbers feed Phaser, strings
// feed the DOM overlay; keep the pairs in step. Two palettes: the standard
// one, and a high-contrast one for wall screens built on the Okabe-Ito
// colours, which stay distinguishable under the common colour-vision
// deficiencies (no red-green pair carries meaning; the kinds also differ in
// lightness). The palette is chosen once at start (applyPalette, before the
// game is created); the bindings below are live, so every reader sees it.

import type { Kind } from '../server/protocol/index.js';
import type { Palette } from './state/settings.js';

export let BACKGROUND = 0x0b1020;

/** Ball colour per kind: the picture's vocabulary (green in, blue out, yellow deferred, red failed). */
export const KIND_COLOR: Record<Kind, number> = {
  injection: 0x3ddc84,
  delivery: 0x4aa3ff,
  deferral: 0xffd23f,
  bounce: 0xff4d4d,
  rejection: 0xff4d4d,
};

export function css(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}

export let INTERNET = 0xff8c1a;
export let INTERNET_RIM = 0xffb366;

export const NODE_FILL = {
  ingress: 0x2e7d5b,
  mta: 0x3a4f8f,
  egress: 0x5b3f8f,
};
export let NODE_RIM = 0xdde6ff;

export let EDGE = 0x2a3558;
export let METER = 0x8a96b8;
export let FLOOR = 0x5a2330;

export let LABEL = '#dde6ff';
export let LABEL_DIM = '#8a96b8';
export let RATE = '#ffd9a8';

/** Edges drawn by share when the lens is on, and the lens's flags. */
export let LENS_EDGE = 0x6f86d6;
export let FLAG = 0xff9f1c;
/** Edges pulsing for a holding alarm. */
export let ALARM = 0xff3b3b;

export function applyPalette(p: Palette): void {
  if (p !== 'contrast') return;
  // Okabe & Ito (2008): bluish green, sky blue, yellow, vermillion, orange; on black, with white text.
  // The sky blue is lightened (0x56b4e9 -> 0x9ad4ff): under tritanopia it came within a
  // few units of the bluish green (test/insight/palette.test.ts measures every pair).
  BACKGROUND = 0x000000;
  Object.assign(KIND_COLOR, { injection: 0x009e73, delivery: 0x9ad4ff, deferral: 0xf0e442, bounce: 0xd55e00, rejection: 0xd55e00 });
  INTERNET = 0xe69f00;
  INTERNET_RIM = 0xffffff;
  Object.assign(NODE_FILL, { ingress: 0x006b4f, mta: 0x0072b2, egress: 0xcc79a7 });
  NODE_RIM = 0xffffff;
  EDGE = 0x5c5c5c;
  METER = 0xffffff;
  FLOOR = 0xd55e00;
  LABEL = '#ffffff';
  LABEL_DIM = '#d0d0d0';
  RATE = '#f0e442';
  LENS_EDGE = 0x56b4e9;
  FLAG = 0xffffff;
  ALARM = 0xe69f00;
}
