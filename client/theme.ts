// Every colour the client draws, in one place. Numbers feed Phaser, strings
// feed the DOM overlay; keep the pairs in step.

import type { Kind } from '../server/protocol/index.js';

export const BACKGROUND = 0x0b1020;

/** Ball colour per kind: the picture's vocabulary (green in, blue out, yellow deferred, red failed). */
export const KIND_COLOR: Readonly<Record<Kind, number>> = {
  injection: 0x3ddc84,
  delivery: 0x4aa3ff,
  deferral: 0xffd23f,
  bounce: 0xff4d4d,
  rejection: 0xff4d4d,
};

export function css(color: number): string {
  return `#${color.toString(16).padStart(6, '0')}`;
}

export const INTERNET = 0xff8c1a;
export const INTERNET_RIM = 0xffb366;

export const NODE_FILL = {
  ingress: 0x2e7d5b,
  mta: 0x3a4f8f,
  egress: 0x5b3f8f,
} as const;
export const NODE_RIM = 0xdde6ff;

export const EDGE = 0x2a3558;
export const METER = 0x8a96b8;
export const FLOOR = 0x5a2330;

export const LABEL = '#dde6ff';
export const LABEL_DIM = '#8a96b8';
export const RATE = '#ffd9a8';
