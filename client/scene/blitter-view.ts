// Balls for the WebGL renderer: one Blitter with a bob per pool slot, drawn
// in a single batch from a single texture (one frame per colour), without the
// per-object transform work of Images.

import * as Phaser from 'phaser';
import type { BallLayer, BallView } from './ball-layer.js';
import { BALL_FRAMES, BALL_FRAME_OF_KIND, ballTexture } from './textures.js';

export class BlitterView implements BallView {
  private readonly blitter: Phaser.GameObjects.Blitter;
  private readonly bobs: Phaser.GameObjects.Bob[] = [];
  private readonly bobKind: Uint8Array;
  private frames: Phaser.Textures.Frame[] = [];
  private half = 0;

  constructor(scene: Phaser.Scene, cap: number, radius: number, depth: number) {
    const { key, size } = ballTexture(scene, radius);
    this.blitter = scene.add.blitter(0, 0, key).setDepth(depth);
    this.useTexture(size);
    this.bobKind = new Uint8Array(cap);
    for (let i = 0; i < cap; i++) {
      const bob = this.blitter.create(0, 0, this.frames[0]!);
      bob.visible = false;
      this.bobs.push(bob);
    }
  }

  /** The UI scale changed: swap in balls drawn at the new size. */
  resize(scene: Phaser.Scene, radius: number): void {
    const { key, size } = ballTexture(scene, radius);
    if (key === this.blitter.texture.key) return;
    this.blitter.setTexture(key);
    this.useTexture(size);
    this.bobs.forEach((bob, i) => bob.setFrame(this.frames[BALL_FRAME_OF_KIND[this.bobKind[i]!]!]!));
  }

  show(slot: number, kindIndex: number): void {
    const bob = this.bobs[slot]!;
    this.bobKind[slot] = kindIndex;
    bob.setFrame(this.frames[BALL_FRAME_OF_KIND[kindIndex]!]!);
    bob.visible = true;
  }

  hide(slot: number): void {
    this.bobs[slot]!.visible = false;
  }

  draw(layer: BallLayer): void {
    const { x, y, alpha, live } = layer;
    const half = this.half;
    for (let i = 0, n = layer.liveTotal; i < n; i++) {
      const s = live[i]!;
      const bob = this.bobs[s]!;
      bob.x = x[s]! - half;
      bob.y = y[s]! - half;
      bob.alpha = alpha[s]!;
    }
  }

  private useTexture(size: number): void {
    const tex = this.blitter.texture;
    this.frames = BALL_FRAMES.map((name) => tex.get(name));
    this.half = size / 2;
  }
}
