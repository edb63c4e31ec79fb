// Inspect-on-pause: a known event's ball, hovered while paused, shows its
// fields; a node shows its exact counts; a click pins the panel; resuming
// puts it away.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, openPage, readHook, waitForHook, type OpenedPage } from '../client/browser.js';
import { writeLines } from '../client/postfix-lines.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { attempt } from './lines.js';
import { readInsight } from './insight-hook.js';

interface Inspectable {
  kind: string;
  queueId?: string;
  x: number;
  y: number;
}

const inspectable = (o: OpenedPage) =>
  o.page.evaluate(() => (globalThis as unknown as { __mtaviz: { inspectable: Inspectable[] } }).__mtaviz.inspectable);

describe('inspect on pause', () => {
  let daemon: Daemon;
  let opened: OpenedPage;

  beforeAll(async () => {
    daemon = await startDaemon();
    // Slow balls: a flight lasts seconds, plenty to find one and pause on it.
    opened = await openPage(`${daemon.url}/?speed=0.1`);
    await waitForHook(opened.page, (h) => h.connection.state === 'live', { message: 'live' });
  });

  afterAll(async () => {
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('shows every field of a known event for its ball', async () => {
    const { page } = opened;
    await writeLines(
      daemon.socket,
      attempt({
        mta: 'mx7',
        ingress: 'in-api',
        egress: 'proxy-q',
        domain: 'contoso.com',
        ip: '104.47.3.4',
        status: 'deferred',
        dsn: '4.7.500',
        text: 'host contoso-com.mail.protection.outlook.com[104.47.3.4] said: 451 4.7.500 Server busy. Please try again later (in reply to RCPT TO command)',
        delay: 12.5,
      }),
    );
    await waitForHook(page, (h) => h.balls.deferral === 1, { message: 'the deferral in flight' });
    await page.keyboard.press('p');
    await waitForHook(page, (h) => h.settings.paused, { message: 'paused' });
    const ball = (await inspectable(opened)).find((b) => b.kind === 'deferral')!;
    expect(ball).toBeDefined();
    await page.mouse.move(ball.x, ball.y);
    const panel = page.locator('#inspect');
    await panel.waitFor({ state: 'visible' });
    expect(await panel.getAttribute('data-kind')).toBe('ball');
    const field = (f: string) => panel.locator(`[data-field="${f}"]`).textContent();
    expect(await field('kind')).toBe('deferral');
    expect(await field('mta')).toBe('mx7');
    expect(await field('ingress')).toBe('in-api');
    expect(await field('egress')).toBe('proxy-q');
    expect(await field('domain')).toBe('contoso.com');
    expect(await field('destination')).toBe('104.47.3.4 (first octet 104)');
    expect(await field('provider')).toBe('Microsoft');
    expect(await field('dsn')).toBe('4.7.500');
    expect(await field('delay')).toBe('12.5 s');
    expect(await field('reason')).toMatch(/^host contoso-com\.mail\.protection\.outlook\.com\[104\.47\.3\.4\] said: 451 4\.7\.500 Server busy/);
    expect(await field('class')).toBe('policy or spam block (x.7.x)');
    expect(await field('queueId')).toBe(ball.queueId);
  });

  it('shows a node’s exact counts, pins on click, and goes away on resume', async () => {
    const { page } = opened;
    const h = await readHook(page);
    // On the node's body beside its centre, on the side farthest from any paused ball
    // (a ball right under the pointer wins over the node beneath it).
    const n = h.nodes.find((x) => x.id === 'mta:mx7')!;
    const balls = await inspectable(opened);
    const around = Array.from({ length: 8 }, (_, i) => ({ x: n.x + 8 * Math.cos((i * Math.PI) / 4), y: n.y + 8 * Math.sin((i * Math.PI) / 4) }));
    const clearance = (p: { x: number; y: number }) => Math.min(Infinity, ...balls.map((b) => Math.hypot(b.x - p.x, b.y - p.y)));
    const mta = around.reduce((best, p) => (clearance(p) > clearance(best) ? p : best));
    await page.mouse.move(mta.x, mta.y);
    const panel = page.locator('#inspect');
    await panel.waitFor({ state: 'visible' });
    await expect.poll(() => panel.getAttribute('data-kind')).toBe('node');
    expect(await panel.locator('h2').textContent()).toBe('mta mx7');
    // The daemon's next stats snapshot (once a second) brings the counts; the panel follows it.
    await expect.poll(() => panel.locator('[data-field="injection"]').textContent()).toMatch(/^1\b/);
    expect(await panel.locator('[data-field="deferral"]').textContent()).toMatch(/^1\b/);
    expect(await panel.locator('[data-field="delivery"]').textContent()).toMatch(/^0\b/);

    await page.mouse.click(mta.x, mta.y);
    expect((await readInsight(page)).selection).toEqual({ kind: 'node', pinned: true });
    await page.mouse.move(5, 400);
    expect(await panel.isVisible()).toBe(true);

    await page.keyboard.press('p');
    await panel.waitFor({ state: 'hidden' });
    expect((await readInsight(page)).selection).toBeUndefined();
    expect(opened.errors).toEqual([]);
  });
});
