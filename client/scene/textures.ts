// Textures drawn at run time at the current UI scale, so every screen gets
// crisp, correctly sized art without shipping image files. One texture holds
// all ball colours as frames: a single texture keeps WebGL to one draw call,
// and separate frames (not tints) work in the Canvas renderer too.

import * as Phaser from 'phaser';
import { css, KIND_COLOR, NODE_FILL, NODE_RIM } from '../theme.js';
import type { Tier } from '../../server/protocol/index.js';

/** Ball frames, indexed by the colour slot of a kind (bounce and rejection share red). */
export const BALL_FRAMES = ['green', 'blue', 'yellow', 'red'] as const;
export const BALL_FRAME_OF_KIND = [0, 1, 2, 3, 3] as const;

// Read when drawn, not when loaded: the palette is applied at start.
const ballColors = () => [KIND_COLOR.injection, KIND_COLOR.delivery, KIND_COLOR.deferral, KIND_COLOR.bounce];

export function ballTexture(scene: Phaser.Scene, radius: number): { key: string; size: number } {
  const r = Math.max(2, Math.round(radius * 2) / 2);
  const size = Math.ceil(r * 2) + 2;
  const key = `balls-${size}`;
  if (!scene.textures.exists(key)) {
    const canvas = document.createElement('canvas');
    canvas.width = size * BALL_FRAMES.length;
    canvas.height = size;
    const ctx = canvas.getContext('2d')!;
    ballColors().forEach((color, i) => {
      const cx = i * size + size / 2;
      const cy = size / 2;
      const g = ctx.createRadialGradient(cx - r * 0.3, cy - r * 0.3, r * 0.1, cx, cy, r);
      g.addColorStop(0, '#ffffff');
      g.addColorStop(0.35, css(color));
      g.addColorStop(1, css(color));
      ctx.fillStyle = g;
      ctx.beginPath();
      ctx.arc(cx, cy, r, 0, Math.PI * 2);
      ctx.fill();
    });
    const tex = scene.textures.addCanvas(key, canvas)!;
    BALL_FRAMES.forEach((name, i) => tex.add(name, 0, i * size, 0, size, size));
  }
  return { key, size };
}

/** Load balancers are rounded squares, MTAs circles, egress proxies diamonds. */
export function nodeTexture(scene: Phaser.Scene, tier: Tier, radius: number): string {
  const r = Math.max(4, Math.round(radius));
  const key = `node-${tier}-${r}`;
  if (scene.textures.exists(key)) return key;
  const pad = Math.ceil(r * 0.25) + 2;
  const size = r * 2 + pad * 2;
  const canvas = document.createElement('canvas');
  canvas.width = canvas.height = size;
  const ctx = canvas.getContext('2d')!;
  const c = size / 2;
  ctx.beginPath();
  if (tier === 'mta') {
    ctx.arc(c, c, r, 0, Math.PI * 2);
  } else if (tier === 'egress') {
    ctx.moveTo(c, c - r * 1.15);
    ctx.lineTo(c + r * 1.15, c);
    ctx.lineTo(c, c + r * 1.15);
    ctx.lineTo(c - r * 1.15, c);
    ctx.closePath();
  } else {
    ctx.roundRect(c - r, c - r, r * 2, r * 2, r * 0.3);
  }
  ctx.fillStyle = css(NODE_FILL[tier]);
  ctx.fill();
  ctx.lineWidth = Math.max(1.5, r * 0.14);
  ctx.strokeStyle = css(NODE_RIM);
  ctx.stroke();
  scene.textures.addCanvas(key, canvas);
  return key;
}

