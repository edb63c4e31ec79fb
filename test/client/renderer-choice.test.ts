import { describe, expect, it } from 'vitest';
import { chooseRenderer, isSoftwareRenderer } from '../../client/render/choice.js';

const swiftshader = 'ANGLE (Google, Vulkan 1.3.0 (SwiftShader Device (Subzero) (0x0000C0DE)), SwiftShader driver)';
const gpu = { webgl: true, renderer: 'ANGLE (NVIDIA, NVIDIA GeForce RTX 3060 Direct3D11 vs_5_0 ps_5_0)', software: false };
const soft = { webgl: true, renderer: swiftshader, software: true };

describe('renderer choice', () => {
  it('recognises software WebGL by its renderer string', () => {
    expect(isSoftwareRenderer(swiftshader)).toBe(true);
    expect(isSoftwareRenderer('llvmpipe (LLVM 15.0.6, 256 bits)')).toBe(true);
    expect(isSoftwareRenderer('Microsoft Basic Render Driver')).toBe(true);
    expect(isSoftwareRenderer(gpu.renderer)).toBe(false);
    expect(isSoftwareRenderer('Apple M2')).toBe(false);
  });

  it('uses WebGL on a real GPU and what measured faster on software WebGL', () => {
    expect(chooseRenderer('auto', gpu).renderer).toBe('webgl');
    expect(chooseRenderer('auto', soft, 'canvas').renderer).toBe('canvas');
    expect(chooseRenderer('auto', soft, 'webgl').renderer).toBe('webgl');
  });

  it('lets the URL override, except that WebGL needs WebGL', () => {
    expect(chooseRenderer('canvas', gpu).renderer).toBe('canvas');
    expect(chooseRenderer('webgl', soft, 'canvas').renderer).toBe('webgl');
    expect(chooseRenderer('webgl', { webgl: false, renderer: 'none', software: true }).renderer).toBe('canvas');
  });
});
