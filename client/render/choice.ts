// Which Phaser renderer to use. WebGL on a real GPU; where WebGL is only
// emulated in software (SwiftShader, llvmpipe) the choice follows the
// measurements in docs/RENDERER.md. ?renderer=webgl|canvas overrides.
// Pure: the probe that asks the browser lives in probe.ts.

import type { RendererChoice } from '../state/settings.js';

export interface GpuInfo {
  webgl: boolean;
  /** UNMASKED_RENDERER_WEBGL, or what the browser would tell. */
  renderer: string;
  software: boolean;
}

export interface RendererDecision {
  renderer: 'webgl' | 'canvas';
  reason: string;
}

const SOFTWARE = /swiftshader|llvmpipe|softpipe|software|basic render/i;

/** What the measurements favour when WebGL is software-emulated (docs/RENDERER.md). */
export const SOFTWARE_WEBGL_PREFERS: 'webgl' | 'canvas' = 'canvas';

export function isSoftwareRenderer(name: string): boolean {
  return SOFTWARE.test(name);
}

export function chooseRenderer(
  choice: RendererChoice,
  gpu: GpuInfo,
  softwarePrefers: 'webgl' | 'canvas' = SOFTWARE_WEBGL_PREFERS,
): RendererDecision {
  if (choice === 'canvas') return { renderer: 'canvas', reason: 'requested in the URL' };
  if (!gpu.webgl) return { renderer: 'canvas', reason: 'WebGL unavailable' };
  if (choice === 'webgl') return { renderer: 'webgl', reason: 'requested in the URL' };
  if (gpu.software) return { renderer: softwarePrefers, reason: `software WebGL (${gpu.renderer}): measured faster` };
  return { renderer: 'webgl', reason: `GPU (${gpu.renderer})` };
}
