// The Phaser game: one canvas filling its parent, sized in device pixels and
// displayed at 1/devicePixelRatio, so lines and text stay sharp from a laptop
// to a 4K wall. Phaser 3 has no resolution setting any more and its RESIZE
// mode sizes the canvas in CSS pixels (blurry on dense screens), so the size
// is managed here: Scale mode NONE, a game size in device pixels, zoom 1/dpr.

import * as Phaser from 'phaser';
import { BACKGROUND } from './theme.js';

export interface GameHandle {
  game: Phaser.Game;
  /** The device pixel ratio the canvas is sized for right now. */
  dpr(): number;
}

export interface GameOptions {
  renderer: 'webgl' | 'canvas';
  /**
   * Multisampling. SwiftShader rasterises every sample on the CPU: with it on,
   * one screen-wide line or a large circle cost a third of the frame rate there
   * (docs/RENDERER.md), so it is only worth having on a real GPU.
   */
  msaa: boolean;
}

export function createGame(parent: HTMLElement, opts: GameOptions, scene: Phaser.Scene): GameHandle {
  let dpr = window.devicePixelRatio || 1;
  const size = () => ({
    w: Math.max(1, Math.round(parent.clientWidth * dpr)),
    h: Math.max(1, Math.round(parent.clientHeight * dpr)),
  });
  const { w, h } = size();
  const game = new Phaser.Game({
    type: opts.renderer === 'webgl' ? Phaser.WEBGL : Phaser.CANVAS,
    parent,
    width: w,
    height: h,
    backgroundColor: BACKGROUND,
    banner: false,
    audio: { noAudio: true },
    input: { keyboard: false, gamepad: false },
    disableContextMenu: true,
    render: { antialias: true, antialiasGL: opts.msaa, powerPreference: 'high-performance' },
    scale: { mode: Phaser.Scale.NONE, zoom: 1 / dpr },
    scene,
  });

  const fit = () => {
    dpr = window.devicePixelRatio || 1;
    const { w: nw, h: nh } = size();
    if (nw !== game.scale.width || nh !== game.scale.height) game.scale.resize(nw, nh);
    if (game.scale.zoom !== 1 / dpr) game.scale.setZoom(1 / dpr);
  };
  const observer = new ResizeObserver(fit);
  observer.observe(parent);
  // Dragging the window to a screen with another pixel ratio fires no resize of the parent.
  let dprQuery = matchMedia(`(resolution: ${dpr}dppx)`);
  const onDpr = () => {
    fit();
    dprQuery.removeEventListener('change', onDpr);
    dprQuery = matchMedia(`(resolution: ${dpr}dppx)`);
    dprQuery.addEventListener('change', onDpr);
  };
  dprQuery.addEventListener('change', onDpr);

  return { game, dpr: () => dpr };
}
