// Asks the browser who renders WebGL here: a real GPU or a software emulation.

import { isSoftwareRenderer, type GpuInfo } from './choice.js';

/** Asks a throwaway WebGL context who renders it, then releases the context. */
export function probeGpu(): GpuInfo {
  const canvas = document.createElement('canvas');
  const gl = (canvas.getContext('webgl2') ?? canvas.getContext('webgl')) as WebGLRenderingContext | null;
  if (!gl) return { webgl: false, renderer: 'none', software: true };
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(info ? info.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? 'unknown');
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return { webgl: true, renderer, software: isSoftwareRenderer(renderer) };
}
