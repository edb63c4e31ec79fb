// The user's switches (errors, pause, legend...): read from the page URL so a
// kiosk screen opens configured, changed by keys and buttons, and written back
// to the URL so the current view can be copied as a link.

export type RendererChoice = 'auto' | 'webgl' | 'canvas';
/** The right edge: the first-octet meter, or one lane per mailbox provider. */
export type Lanes = 'meter' | 'provider';
export type Palette = 'standard' | 'contrast';

export interface SettingsValues {
  /** Show yellow and red balls; false squelches them entirely. */
  errors: boolean;
  paused: boolean;
  legend: boolean;
  renderer: RendererChoice;
  /** Ball speed factor; lower means longer flights (and more balls alive at once). */
  speed: number;
  /** Cap on live balls; beyond it new balls are dropped and counted. */
  maxBalls: number;
  /**
   * Shed balls while frames run long (scene/governor.ts). Off: every ball is
   * drawn however low the frame rate falls (benchmarks at a fixed population).
   */
  shed: boolean;
  /** The imbalance lens: share matrices, flagged nodes, edges by share. */
  lens: boolean;
  lanes: Lanes;
  /** A wall screen: no buttons, no cursor. */
  kiosk: boolean;
  /** Move static text a few pixels over minutes, against burn-in (on by default in kiosk mode). */
  drift: boolean;
  /** High-contrast colours that stay apart for colour-blind viewers. */
  palette: Palette;
  /** The lens's sliding window, seconds. */
  lensWindow: number;
  /** A cell is flagged only at this many times its expected share or more. */
  lensRatio: number;
  /** Significance of the lens's tests. */
  lensAlpha: number;
  /** Cells expected to hold fewer events are pooled; rows with less are not tested. */
  lensMin: number;
  /** Window of the bounce floor's counts and the deferral pen, seconds. */
  floorWindow: number;
}

export const DEFAULTS: Readonly<SettingsValues> = {
  errors: true,
  paused: false,
  legend: true,
  renderer: 'auto',
  speed: 1,
  maxBalls: 6000,
  shed: true,
  lens: false,
  lanes: 'meter',
  kiosk: false,
  drift: false,
  palette: 'standard',
  lensWindow: 20,
  lensRatio: 1.5,
  lensAlpha: 1e-10,
  lensMin: 20,
  floorWindow: 60,
};

const SPEED_RANGE = [0.1, 4] as const;
const MAX_BALLS_RANGE = [100, 50_000] as const;
const LENS_WINDOW_RANGE = [5, 60] as const;
const LENS_RATIO_RANGE = [1.1, 10] as const;
const LENS_ALPHA_RANGE = [1e-15, 0.01] as const;
const LENS_MIN_RANGE = [5, 1000] as const;
const FLOOR_WINDOW_RANGE = [10, 60] as const;

function parseBool(v: string | null): boolean | undefined {
  if (v === null) return undefined;
  const s = v.trim().toLowerCase();
  if (s === '' || s === '1' || s === 'true' || s === 'on' || s === 'yes') return true;
  if (s === '0' || s === 'false' || s === 'off' || s === 'no') return false;
  return undefined;
}

function parseNumber(v: string | null, [lo, hi]: readonly [number, number]): number | undefined {
  if (v === null || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? Math.min(hi, Math.max(lo, n)) : undefined;
}

/** URL query -> settings; unknown or malformed values fall back to the defaults. */
export function parseSettings(search: string): SettingsValues {
  const q = new URLSearchParams(search);
  const r = q.get('renderer');
  const kiosk = parseBool(q.get('kiosk')) ?? DEFAULTS.kiosk;
  return {
    errors: parseBool(q.get('errors')) ?? DEFAULTS.errors,
    paused: parseBool(q.get('paused')) ?? DEFAULTS.paused,
    legend: parseBool(q.get('legend')) ?? DEFAULTS.legend,
    renderer: r === 'webgl' || r === 'canvas' ? r : DEFAULTS.renderer,
    speed: parseNumber(q.get('speed'), SPEED_RANGE) ?? DEFAULTS.speed,
    maxBalls: Math.round(parseNumber(q.get('maxBalls'), MAX_BALLS_RANGE) ?? DEFAULTS.maxBalls),
    shed: parseBool(q.get('shed')) ?? DEFAULTS.shed,
    lens: parseBool(q.get('lens')) ?? DEFAULTS.lens,
    lanes: q.get('lanes') === 'provider' ? 'provider' : DEFAULTS.lanes,
    kiosk,
    drift: parseBool(q.get('drift')) ?? kiosk,
    palette: q.get('palette') === 'contrast' ? 'contrast' : DEFAULTS.palette,
    lensWindow: parseNumber(q.get('lensWindow'), LENS_WINDOW_RANGE) ?? DEFAULTS.lensWindow,
    lensRatio: parseNumber(q.get('lensRatio'), LENS_RATIO_RANGE) ?? DEFAULTS.lensRatio,
    lensAlpha: parseNumber(q.get('lensAlpha'), LENS_ALPHA_RANGE) ?? DEFAULTS.lensAlpha,
    lensMin: Math.round(parseNumber(q.get('lensMin'), LENS_MIN_RANGE) ?? DEFAULTS.lensMin),
    floorWindow: parseNumber(q.get('floorWindow'), FLOOR_WINDOW_RANGE) ?? DEFAULTS.floorWindow,
  };
}

/**
 * Writes the switches that differ from the defaults into `search`, leaving
 * every other parameter (token, ...) as it was.
 */
export function writeSettings(search: string, s: SettingsValues): string {
  const q = new URLSearchParams(search);
  const set = <K extends keyof SettingsValues>(key: K, text: (v: SettingsValues[K]) => string) => {
    if (s[key] === DEFAULTS[key]) q.delete(key);
    else q.set(key, text(s[key]));
  };
  set('errors', (v) => (v ? '1' : '0'));
  set('paused', (v) => (v ? '1' : '0'));
  set('legend', (v) => (v ? '1' : '0'));
  set('renderer', String);
  set('speed', String);
  set('maxBalls', String);
  set('shed', (v) => (v ? '1' : '0'));
  set('lens', (v) => (v ? '1' : '0'));
  set('lanes', String);
  set('kiosk', (v) => (v ? '1' : '0'));
  // Drift follows kiosk unless the URL says otherwise.
  if (s.drift === s.kiosk) q.delete('drift');
  else q.set('drift', s.drift ? '1' : '0');
  set('palette', String);
  set('lensWindow', String);
  set('lensRatio', String);
  set('lensAlpha', String);
  set('lensMin', String);
  set('floorWindow', String);
  const out = q.toString();
  return out ? `?${out}` : '';
}

type Listener = (s: Readonly<SettingsValues>, changed: keyof SettingsValues) => void;

export class Settings {
  private values: SettingsValues;
  private readonly listeners = new Set<Listener>();

  constructor(initial: SettingsValues) {
    this.values = { ...initial };
  }

  get current(): Readonly<SettingsValues> {
    return this.values;
  }

  set<K extends keyof SettingsValues>(key: K, value: SettingsValues[K]): void {
    if (this.values[key] === value) return;
    this.values = { ...this.values, [key]: value };
    for (const l of this.listeners) l(this.values, key);
  }

  toggle(key: 'errors' | 'paused' | 'legend' | 'lens'): void {
    this.set(key, !this.values[key]);
  }

  /** Returns the remover. */
  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
