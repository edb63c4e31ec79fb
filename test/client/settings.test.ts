import { describe, expect, it } from 'vitest';
import { DEFAULTS, parseSettings, Settings, writeSettings } from '../../client/state/settings.js';

describe('URL switches', () => {
  it('defaults when the URL says nothing', () => {
    expect(parseSettings('')).toEqual(DEFAULTS);
  });

  it('reads the kiosk switches in their usual spellings', () => {
    const s = parseSettings('?errors=0&paused=1&legend=off&renderer=canvas&speed=0.5&maxBalls=2000&shed=no');
    expect(s).toEqual({ ...DEFAULTS, errors: false, paused: true, legend: false, renderer: 'canvas', speed: 0.5, maxBalls: 2000, shed: false });
    expect(parseSettings('?paused').paused).toBe(true);
  });

  it('ignores malformed values and clamps numbers into range', () => {
    const s = parseSettings('?errors=maybe&renderer=vulkan&speed=abc&maxBalls=1e9');
    expect(s.errors).toBe(DEFAULTS.errors);
    expect(s.renderer).toBe('auto');
    expect(s.speed).toBe(DEFAULTS.speed);
    expect(s.maxBalls).toBe(50_000);
    expect(parseSettings('?speed=100').speed).toBe(4);
  });

  it('writes back only what differs from the defaults and keeps other parameters', () => {
    const search = writeSettings('?token=abc&legend=0', { ...DEFAULTS, errors: false });
    const q = new URLSearchParams(search);
    expect(q.get('token')).toBe('abc');
    expect(q.get('errors')).toBe('0');
    expect(q.has('legend')).toBe(false);
    expect(parseSettings(search)).toEqual({ ...DEFAULTS, errors: false });
    expect(writeSettings('', DEFAULTS)).toBe('');
  });
});

describe('Settings', () => {
  it('notifies subscribers of real changes only, and stops after unsubscribing', () => {
    const s = new Settings(DEFAULTS);
    const seen: string[] = [];
    const off = s.subscribe((v, changed) => seen.push(`${changed}=${String(v[changed])}`));
    s.toggle('errors');
    s.set('errors', false);
    s.toggle('paused');
    off();
    s.toggle('legend');
    expect(seen).toEqual(['errors=false', 'paused=true']);
    expect(s.current.legend).toBe(false);
  });
});
