// Balls for the Canvas renderer, which Chromium rasterises on the CPU. A 2D
// drawImage per ball measured about 2.5 µs and capped a software-rendered page
// near 1,500 balls; copying each ball's pixels into one ImageData and
// compositing that once per frame holds 5,000 at 60 fps on the same machine
// (docs/RENDERER.md). Pixels come from the same ball texture WebGL uses, so
// both renderers draw identical balls.

import * as Phaser from 'phaser';
import type { BallLayer, BallView } from './ball-layer.js';
import { BALL_FRAMES, BALL_FRAME_OF_KIND, ballTexture } from './textures.js';

interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

const EMPTY: Box = { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity };

/** A display-list object whose only job is compositing the ball buffer in the Canvas renderer. */
class PixelBalls extends Phaser.GameObjects.Extern {
  constructor(
    scene: Phaser.Scene,
    private readonly paint: (ctx: CanvasRenderingContext2D) => void,
  ) {
    super(scene);
  }

  renderCanvas(renderer: Phaser.Renderer.Canvas.CanvasRenderer): void {
    this.paint(renderer.currentContext);
  }
}

export class PixelView implements BallView {
  private sprites: Uint32Array[] = [];
  private size = 0;
  private width = 0;
  private height = 0;
  private pixels = new Uint32Array(0);
  private image: ImageData | undefined;
  private readonly buffer = document.createElement('canvas');
  private readonly bufferCtx: CanvasRenderingContext2D;
  /** Area drawn last frame: cleared, and re-uploaded, this frame. */
  private drawn: Box = { ...EMPTY };
  private layer: BallLayer | undefined;

  constructor(
    private readonly scene: Phaser.Scene,
    radius: number,
    depth: number,
  ) {
    this.bufferCtx = this.buffer.getContext('2d')!;
    this.resize(scene, radius);
    scene.add.existing(new PixelBalls(scene, (ctx) => this.paint(ctx)).setDepth(depth));
  }

  resize(scene: Phaser.Scene, radius: number): void {
    const { key, size } = ballTexture(scene, radius);
    if (size === this.size) return;
    const source = scene.textures.get(key).getSourceImage() as HTMLCanvasElement;
    const data = source.getContext('2d')!.getImageData(0, 0, source.width, source.height);
    const all = new Uint32Array(data.data.buffer);
    this.sprites = BALL_FRAMES.map((_, f) => {
      const sprite = new Uint32Array(size * size);
      for (let y = 0; y < size; y++) sprite.set(all.subarray(y * source.width + f * size, y * source.width + f * size + size), y * size);
      return sprite;
    });
    this.size = size;
  }

  show(): void {
    // Drawing reads the layer's live list; nothing to do per slot.
  }

  hide(): void {
    // As above.
  }

  draw(layer: BallLayer): void {
    this.layer = layer;
  }

  private fit(): void {
    const w = this.scene.scale.width;
    const h = this.scene.scale.height;
    if (w === this.width && h === this.height) return;
    this.width = this.buffer.width = w;
    this.height = this.buffer.height = h;
    this.image = new ImageData(w, h);
    this.pixels = new Uint32Array(this.image.data.buffer);
    this.drawn = { x0: 0, y0: 0, x1: w - 1, y1: h - 1 };
  }

  private paint(ctx: CanvasRenderingContext2D): void {
    const layer = this.layer;
    if (!layer) return;
    this.fit();
    const { pixels, width: W, height: H, size } = this;
    const prev = this.drawn;
    for (let y = Math.max(0, prev.y0), end = Math.min(H - 1, prev.y1); y <= end; y++) {
      pixels.fill(0, y * W + Math.max(0, prev.x0), y * W + Math.min(W - 1, prev.x1) + 1);
    }

    const box: Box = { ...EMPTY };
    const half = size / 2;
    const { x, y, alpha, kind, live } = layer;
    for (let i = 0, n = layer.liveTotal; i < n; i++) {
      const s = live[i]!;
      const a = alpha[s]!;
      if (a <= 0) continue;
      const x0 = Math.round(x[s]! - half);
      const y0 = Math.round(y[s]! - half);
      if (x0 >= W || y0 >= H || x0 + size <= 0 || y0 + size <= 0) continue;
      const sprite = this.sprites[BALL_FRAME_OF_KIND[kind[s]!]!]!;
      const sx0 = x0 < 0 ? -x0 : 0;
      const sy0 = y0 < 0 ? -y0 : 0;
      const sx1 = x0 + size > W ? W - x0 : size;
      const sy1 = y0 + size > H ? H - y0 : size;
      for (let sy = sy0; sy < sy1; sy++) {
        const row = (y0 + sy) * W + x0;
        const srow = sy * size;
        for (let sx = sx0; sx < sx1; sx++) {
          const p = sprite[srow + sx]!;
          if (p >>> 24 === 0) continue;
          // Little-endian RGBA: alpha is the top byte.
          pixels[row + sx] = a >= 1 ? p : (p & 0xffffff) | (((p >>> 24) * a) << 24);
        }
      }
      if (x0 < box.x0) box.x0 = x0;
      if (y0 < box.y0) box.y0 = y0;
      if (x0 + size > box.x1) box.x1 = x0 + size;
      if (y0 + size > box.y1) box.y1 = y0 + size;
    }

    // Upload what changed (last frame's area, now cleared, and this frame's) and composite this frame's.
    const up = clip(union(prev, box), W, H);
    if (up && this.image) this.bufferCtx.putImageData(this.image, 0, 0, up.x0, up.y0, up.x1 - up.x0 + 1, up.y1 - up.y0 + 1);
    this.drawn = box;
    const now = clip(box, W, H);
    if (!now) return;
    const w = now.x1 - now.x0 + 1;
    const h = now.y1 - now.y0 + 1;
    ctx.save();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.globalCompositeOperation = 'source-over';
    ctx.drawImage(this.buffer, now.x0, now.y0, w, h, now.x0, now.y0, w, h);
    ctx.restore();
  }
}

function union(a: Box, b: Box): Box {
  return { x0: Math.min(a.x0, b.x0), y0: Math.min(a.y0, b.y0), x1: Math.max(a.x1, b.x1), y1: Math.max(a.y1, b.y1) };
}

function clip(b: Box, W: number, H: number): Box | undefined {
  const c = { x0: Math.max(0, Math.floor(b.x0)), y0: Math.max(0, Math.floor(b.y0)), x1: Math.min(W - 1, b.x1), y1: Math.min(H - 1, b.y1) };
  return c.x0 <= c.x1 && c.y0 <= c.y1 ? c : undefined;
}
