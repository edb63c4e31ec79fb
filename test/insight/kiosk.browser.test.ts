// The wall-screen setup from one URL: kiosk (no buttons, no cursor, drifting
// static text), the high-contrast palette, and provider lanes on the right
// edge, fed deliveries to the big mailbox providers.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, openPage, waitForHook, type OpenedPage } from '../client/browser.js';
import { writeLines } from '../client/postfix-lines.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { attempt, reject } from './lines.js';
import { readInsight, waitForInsight } from './insight-hook.js';

/** The page's getComputedStyle, for page.evaluate callbacks (this file is compiled without DOM types). */
type Style = { cursor: string; getPropertyValue(name: string): string };
type WithStyle = { getComputedStyle(el: unknown): Style };

const SCREENSHOT = resolve(import.meta.dirname, '../../docs/screenshots/kiosk.png');

/** Recipients at the big providers (by domain, or a hosted domain by its MX address), and one elsewhere. */
const DESTINATIONS = [
  { domain: 'gmail.com', ip: '142.250.102.27', egress: 'proxy-a' },
  { domain: 'outlook.com', ip: '52.101.8.36', egress: 'proxy-b' },
  { domain: 'contoso.com', ip: '104.47.55.110', egress: 'proxy-b' },
  { domain: 'yahoo.com', ip: '98.136.96.91', egress: 'proxy-c' },
  { domain: 'icloud.com', ip: '17.57.154.33', egress: 'proxy-a' },
  { domain: 'small-shop.example', ip: '203.0.113.25', egress: 'proxy-c' },
];

describe('kiosk, high contrast and provider lanes', () => {
  let daemon: Daemon;
  let opened: OpenedPage;
  let timer: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    daemon = await startDaemon();
    opened = await openPage(`${daemon.url}/?kiosk=1&palette=contrast&lanes=provider`, { width: 1440, height: 810 });
    let n = 0;
    timer = setInterval(() => {
      const lines: string[] = [];
      for (let i = 0; i < 6; i++, n++) {
        const d = DESTINATIONS[n % DESTINATIONS.length]!;
        const status = n % 17 === 0 ? 'deferred' : n % 23 === 0 ? 'bounced' : 'sent';
        lines.push(...attempt({ mta: `mta${(n % 3) + 1}`, ...d, status }));
      }
      if (n % 30 === 0) lines.push(...reject({ mta: 'mta1' }));
      void writeLines(daemon.socket, lines);
    }, 60);
  });

  afterAll(async () => {
    clearInterval(timer);
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('hides the controls and the cursor, uses the high-contrast palette, and drifts', async () => {
    const { page } = opened;
    const h = await waitForHook(page, (x) => x.connection.state === 'live', { message: 'live' });
    expect(h.settings).toMatchObject({ kiosk: true, drift: true, palette: 'contrast', lanes: 'provider' });
    expect(await page.locator('#hud button').first().isVisible()).toBe(false);
    expect(await page.locator('#stage').evaluate((el) => (globalThis as unknown as WithStyle).getComputedStyle(el).cursor)).toBe('none');
    expect(await page.locator('body').evaluate((el) => el.className.split(' ').sort())).toEqual(['contrast', 'kiosk']);
    expect(await page.locator('html').evaluate((el) => (globalThis as unknown as WithStyle).getComputedStyle(el).getPropertyValue('--bg').trim())).toBe('#000000');
    // The overlay moves a little, continuously (a lap takes minutes, so any two readings differ).
    const drift = () => page.locator('html').evaluate((el) => (el as unknown as { style: { getPropertyValue(n: string): string } }).style.getPropertyValue('--drift-x'));
    const first = await waitFor(drift, (x) => x !== '', { message: 'drift applied' });
    await waitFor(drift, (x) => x !== first, { message: 'drift moving', timeoutMs: 10_000 });
  });

  it('puts each delivery in its provider’s lane, and saves the kiosk screenshot', async () => {
    const { page } = opened;
    const v = await waitForInsight(page, (x) => x.laneAt.length === 5, { message: 'five lanes' });
    expect(v.lanes).toEqual(['Google', 'Microsoft', 'Yahoo', 'Apple', 'other']);
    const laneY = Object.fromEntries(v.laneAt.map((l) => [l.name, l.y]));
    const landed = await waitForHook(
      page,
      (x) => ['Google', 'Microsoft', 'Yahoo', 'Apple', 'other'].every((p) => x.landings.some((l) => l.bucket === `provider:${p}`)),
      { message: 'deliveries in every lane', timeoutMs: 20_000 },
    );
    for (const l of landed.landings.filter((x) => x.kind === 'delivery' && x.bucket?.startsWith('provider:'))) {
      expect(l.y).toBeCloseTo(laneY[l.bucket!.slice(9)]!, 0);
    }
    // Provider counts are exact: contoso.com (hosted at Microsoft) counts as Microsoft.
    await waitForHook(page, (x) => x.balls.total > 60, { message: 'a busy picture' });
    expect(await page.locator('#legend-edge').textContent()).toMatch(/^right edge: one lane per mailbox provider/);
    // The heads-up line never shows more balls than events came in (both over the same frames).
    const hud = () =>
      page.locator('#hud').evaluate((el) => {
        const num = (id: string) => Number((el as unknown as { querySelector(s: string): { textContent: string } }).querySelector(id).textContent.replace(/[^\d.]/g, ''));
        return { in: num('#hud-in'), shown: num('#hud-shown') };
      });
    const readings = [await waitFor(hud, (r) => r.shown > 0, { message: 'balls/s measured' })];
    for (let i = 0; i < 4; i++) readings.push(await hud());
    for (const r of readings) expect(r.shown).toBeLessThanOrEqual(r.in);
    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect((await readInsight(page)).lanes).toEqual(['Google', 'Microsoft', 'Yahoo', 'Apple', 'other']);
    expect(opened.errors).toEqual([]);
  });
});
