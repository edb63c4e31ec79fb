// The switches: pause and legend by key, all of them from the URL (a kiosk
// screen opens configured), and a sharp canvas at any pixel ratio.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { closeBrowser, openPage, readHook, waitForHook, type Hook } from './browser.js';
import { browser } from './browser.js';

const live = (h: Hook) => h.balls.total;

describe('switches and screens', () => {
  let daemon: Daemon;
  let writer: TrafficWriter;

  beforeAll(async () => {
    daemon = await startDaemon();
    writer = await new TrafficWriter(daemon.socket, { seed: 21 }).open();
    writer.pace(50);
  });

  afterAll(async () => {
    await writer?.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('pauses with P: the picture freezes and new events are counted, not queued', async () => {
    const { page, context } = await openPage(`${daemon.url}/`);
    try {
      await waitForHook(page, (h) => live(h) > 5, { message: 'balls moving' });
      await page.keyboard.press('p');
      const paused = await waitForHook(page, (h) => h.settings.paused, { message: 'paused' });
      const later = await waitForHook(page, (h) => (h.counters.drops.paused as number) > (paused.counters.drops.paused as number) + 20, {
        message: 'events arriving while paused',
      });
      // Nothing new was started and nothing moved on.
      expect(later.counters.shown).toEqual(paused.counters.shown);
      expect(later.balls.total).toBe(paused.balls.total);
      expect(later.counters.queued).toBe(0);
      expect(await page.locator('#hud-flags').textContent()).toContain('PAUSED');
      await page.keyboard.press(' ');
      await waitForHook(page, (h) => !h.settings.paused && h.counters.shown.injection > later.counters.shown.injection, {
        message: 'running again',
      });
    } finally {
      await context.close();
    }
  });

  it('toggles the legend with L', async () => {
    const { page, context } = await openPage(`${daemon.url}/`);
    try {
      const legend = page.locator('#legend');
      expect(await legend.isVisible()).toBe(true);
      await page.keyboard.press('l');
      await legend.waitFor({ state: 'hidden' });
      expect(new URL(page.url()).searchParams.get('legend')).toBe('0');
      await page.getByRole('button', { name: /legend/ }).click();
      await legend.waitFor({ state: 'visible' });
    } finally {
      await context.close();
    }
  });

  it('opens configured from the URL, as a kiosk screen would', async () => {
    const { page, context, errors } = await openPage(`${daemon.url}/?errors=0&legend=0&speed=0.5&renderer=webgl`);
    try {
      const h = await waitForHook(page, (x) => x.counters.squelched > 10 && x.counters.shown.delivery > 10, {
        message: 'traffic with errors squelched',
      });
      expect(h.settings).toMatchObject({ errors: false, legend: false, speed: 0.5, renderer: 'webgl', paused: false });
      expect(h.renderer).toMatchObject({ renderer: 'webgl', reason: 'requested in the URL' });
      expect(h.counters.shown.deferral + h.counters.shown.bounce + h.counters.shown.rejection).toBe(0);
      expect(await page.locator('#legend').isVisible()).toBe(false);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('draws in device pixels at any pixel ratio and follows the window size', async () => {
    const context = await (await browser()).newContext({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 2 });
    const { page } = await openPage(`${daemon.url}/`, { context });
    try {
      await waitForHook(page, (h) => h.nodes.length > 0, { message: 'nodes' });
      const size = () =>
        page.evaluate(() => {
          const c = (globalThis as unknown as { document: { querySelector(s: string): { width: number; height: number; getBoundingClientRect(): { width: number; height: number } } } }).document.querySelector('#stage canvas');
          const r = c.getBoundingClientRect();
          return { w: c.width, h: c.height, cssW: r.width, cssH: r.height };
        });
      expect(await size()).toEqual({ w: 2560, h: 1440, cssW: 1280, cssH: 720 });
      const before = await readHook(page);
      await page.setViewportSize({ width: 1600, height: 900 });
      await waitForHook(page, (h) => h.meter !== undefined && h.meter.x > before.meter!.x + 200, { message: 'layout for the new size' });
      expect(await size()).toEqual({ w: 3200, h: 1800, cssW: 1600, cssH: 900 });
    } finally {
      await context.close();
    }
  });
});
