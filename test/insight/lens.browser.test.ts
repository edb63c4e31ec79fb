// The imbalance lens in a real Chromium against a real daemon fed Postfix
// lines through its socket. A balanced feed runs long enough for dozens of
// fresh windows and is never flagged; then one MTA starts sending three
// times its even share to one egress, and the lens flags exactly that cell
// and that MTA within 10 seconds.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, openPage, type OpenedPage } from '../client/browser.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { SpreadFeed } from './feed.js';
import { readInsight, waitForInsight, type InsightView } from './insight-hook.js';

const SCREENSHOT = resolve(import.meta.dirname, '../../docs/screenshots/lens.png');
const MTAS = ['mx1', 'mx2', 'mx3'];
const EGRESSES = ['proxy-a', 'proxy-b', 'proxy-c', 'proxy-d'];
/** Fresh lens evaluations (one per stats snapshot) the balanced run must pass. */
const BALANCED_WINDOWS = 45;

describe('the imbalance lens', () => {
  let daemon: Daemon;
  let opened: OpenedPage;
  let feed: SpreadFeed;

  beforeAll(async () => {
    daemon = await startDaemon();
    opened = await openPage(`${daemon.url}/?lens=1`, { width: 1440, height: 810 });
    feed = await new SpreadFeed(daemon.socket, MTAS, EGRESSES, 11).open();
    feed.pace(150);
  });

  afterAll(async () => {
    await feed?.close();
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('never flags a balanced feed, window after window', async () => {
    const seen = new Set<number>();
    const flagged: InsightView[] = [];
    let tested = 0;
    let minP = 1;
    await waitFor(
      () => readInsight(opened.page),
      (v) => {
        const lens = v.lens;
        if (!lens || seen.has(v.version)) return false;
        // A window is counted once its counts cover the whole lens window of every MTA.
        if (lens.spanMs < 19_000 || lens.mtaEgress.rows.length !== MTAS.length) return false;
        seen.add(v.version);
        if (v.flaggedNodes.length > 0 || lens.mtaEgress.flaggedCells.length > 0 || lens.egressDest.flaggedCells.length > 0) flagged.push(v);
        if (lens.mtaEgress.p.every((p) => p !== null)) tested++;
        for (const p of [...lens.mtaEgress.p, ...lens.egressDest.p]) if (p !== null) minP = Math.min(minP, p);
        return seen.size >= BALANCED_WINDOWS || flagged.length > 0;
      },
      { timeoutMs: 150_000, intervalMs: 200, message: `${BALANCED_WINDOWS} full lens windows` },
    );
    expect(flagged).toEqual([]);
    // Every window was really tested (enough events in every MTA's row), and the p-values look like chance.
    expect(tested).toBe(seen.size);
    expect(minP).toBeGreaterThan(1e-6);
    const v = await readInsight(opened.page);
    expect(v.lens!.mtaEgress.cols).toEqual(EGRESSES.map((e) => `egress:${e}`));
    expect(v.lens!.egressDest.rows).toEqual(EGRESSES.map((e) => `egress:${e}`));
    expect(opened.errors).toEqual([]);
  }, 180_000);

  it('flags exactly the planted cell and its MTA within 10 seconds', async () => {
    // mx1 now sends 9 of every 12 messages (75%, three times its even 25%) through proxy-a.
    feed.spread((mta) => (mta === 'mx1' ? [9, 1, 1, 1] : [1, 1, 1, 1]));
    const v = await waitForInsight(opened.page, (x) => x.flaggedNodes.length > 0, {
      timeoutMs: 10_000,
      message: 'the skew flagged',
    });
    expect(v.flaggedNodes).toEqual(['mta:mx1']);
    expect(v.lens!.mtaEgress.flaggedRows).toEqual(['mta:mx1']);
    expect(v.lens!.mtaEgress.flaggedCells).toEqual(['mta:mx1>egress:proxy-a']);
    expect(v.lens!.egressDest.flaggedCells).toEqual([]);

    // As the window fills with skewed traffic it stays exactly that cell, and the share nears 3x.
    const full = await waitForInsight(opened.page, (x) => (x.lens?.mtaEgress.ratios[0]?.[0] ?? 0) > 2.6, {
      timeoutMs: 40_000,
      message: 'the window full of skewed traffic',
    });
    expect(full.flaggedNodes).toEqual(['mta:mx1']);
    expect(full.lens!.mtaEgress.flaggedCells).toEqual(['mta:mx1>egress:proxy-a']);

    // The table says the same, and the legend states the test, the thresholds and the window.
    const { page } = opened;
    await expect.poll(() => page.locator('#lens td[data-flagged]').count()).toBe(1);
    const cell = page.locator('#lens td[data-flagged]');
    expect(await cell.getAttribute('data-row')).toBe('mta:mx1');
    expect(await cell.getAttribute('data-col')).toBe('egress:proxy-a');
    expect(await page.locator('#lens th[data-flagged]').allTextContents()).toEqual(['⚑ mx1']);
    const legend = await page.locator('#lens .legend').textContent();
    expect(legend).toMatch(/χ² goodness of fit gives p < 1e-10/);
    expect(legend).toMatch(/at least 20/);
    expect(legend).toMatch(/1\.5× its expected share/);
    expect(legend).toMatch(/last 20 s/);

    // Every column of both tables fits the panel: nothing hidden past its right edge.
    const fits = await page.locator('#lens').evaluate((el) => el.scrollWidth <= el.clientWidth);
    expect(fits).toBe(true);

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT });
    expect(opened.errors).toEqual([]);
  });

  it('goes away and comes back with the I key, and the URL follows', async () => {
    const { page } = opened;
    await page.keyboard.press('i');
    await page.locator('#lens').waitFor({ state: 'hidden' });
    const off = await waitForInsight(page, (x) => x.lens === undefined && x.flaggedNodes.length === 0, { message: 'lens off' });
    expect(off.flaggedNodes).toEqual([]);
    expect(new URL(page.url()).searchParams.get('lens')).toBeNull();
    await page.keyboard.press('i');
    await page.locator('#lens').waitFor({ state: 'visible' });
    expect(new URL(page.url()).searchParams.get('lens')).toBe('1');
    await waitForInsight(page, (x) => x.flaggedNodes.includes('mta:mx1'), { message: 'the skew flagged again', timeoutMs: 10_000 });
    expect(opened.errors).toEqual([]);
  });
});
