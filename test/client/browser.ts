// One Chromium per test process (vitest runs each file in its own fork), driven
// by playwright-core: Debian's chromium, software rendering, no network
// chatter. Pages read the scene through window.__mtaviz, never by sleeping.

import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { waitFor, type WaitOptions } from '../helpers/wait.js';
import type { BoxStats } from '../../server/protocol/index.js';

import { CHROMIUM, CHROMIUM_ARGS } from '../../bench/lib/chromium.js';

let shared: Promise<Browser> | undefined;

export function browser(): Promise<Browser> {
  shared ??= chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return shared;
}

export async function closeBrowser(): Promise<void> {
  const b = shared;
  shared = undefined;
  if (b) await (await b).close();
}

export interface OpenedPage {
  context: BrowserContext;
  page: Page;
  /** Uncaught errors in the page so far; a test can assert there were none. */
  errors: string[];
}

/** A fresh context (own localStorage) with a 1280x720 page, opened at `url` and waiting for the scene. */
export async function openPage(url: string, opts: { width?: number; height?: number; context?: BrowserContext } = {}): Promise<OpenedPage> {
  const context =
    opts.context ?? (await (await browser()).newContext({ viewport: { width: opts.width ?? 1280, height: opts.height ?? 720 } }));
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  await waitForHook(page, (h) => h.ready, { message: 'scene ready' });
  return { context, page, errors };
}

type PerKind = Record<'injection' | 'delivery' | 'deferral' | 'bounce' | 'rejection', number>;

/** The shape of window.__mtaviz as tests read it (see client/hook.ts). */
export interface Hook {
  ready: boolean;
  renderer: { renderer: 'webgl' | 'canvas'; reason: string; gpu: string; phaser: string };
  balls: PerKind & { total: number; cap: number; limit: number };
  /** Node centres in page coordinates, with the daemon's events/s through each. */
  nodes: { id: string; tier: string; name: string; x: number; y: number; rate: number }[];
  landings: { kind: string; bucket: string | undefined; x: number; y: number }[];
  meter: { x: number; top: number; bottom: number; v6: { x: number; y: number } } | undefined;
  floorY: number | undefined;
  frames: { frames: number; fps: number; p50: number; p99: number; over20: number } | undefined;
  connection: { state: string; stale: boolean; attempts: number; reconnects: number; server?: string; msSinceMessage: number };
  counters: {
    received: PerKind;
    shown: PerKind;
    squelched: number;
    queued: number;
    drops: Record<string, unknown> & { total: number };
    seqGaps: number;
    badMessages: number;
    badEvents: number;
    ballsPerSec: number;
    messagesPerBall: number;
    eventsPerSecIn: number | undefined;
  };
  topology: { version: number; nodes: number; edges: number };
  /** The daemon's exact counters from its last stats frame (undefined before the first). */
  stats: { events: number; lines: number; byKind: PerKind; nodes: Record<string, PerKind> } | undefined;
  settings: { errors: boolean; paused: boolean; legend: boolean; renderer: string; speed: number; maxBalls: number };
  /** Federated boxes the daemon merges ({} when none), as in its stats. */
  boxes: Record<string, BoxStats>;
}

/** Reads the hook (a JSON-able snapshot; `meter.y` is not carried over). */
export function readHook(page: Page): Promise<Hook> {
  return page.evaluate(() => {
    const h = (globalThis as unknown as { __mtaviz: Record<string, unknown> }).__mtaviz;
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(h)) out[k] = h[k];
    return JSON.parse(JSON.stringify(out)) as never;
  });
}

/** Polls the hook until `accept` holds; returns the accepted snapshot. */
export function waitForHook(page: Page, accept: (h: Hook) => boolean, opts: WaitOptions = {}): Promise<Hook> {
  return waitFor(() => readHook(page), accept, { intervalMs: 50, ...opts });
}
