// Every node can be dragged; the position survives a reload (localStorage)
// and the reset key brings the computed layout back.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { closeBrowser, openPage, readHook, waitForHook, type Hook, type OpenedPage } from './browser.js';
import { message, writeLines } from './postfix-lines.js';

const node = (h: Hook, id: string) => h.nodes.find((n) => n.id === id);
const near = (a: { x: number; y: number } | undefined, b: { x: number; y: number }, tol = 2) =>
  a !== undefined && Math.abs(a.x - b.x) <= tol && Math.abs(a.y - b.y) <= tol;

describe('dragging nodes', () => {
  let daemon: Daemon;
  let opened: OpenedPage;

  beforeAll(async () => {
    daemon = await startDaemon();
    opened = await openPage(`${daemon.url}/`);
    await writeLines(daemon.socket, [
      ...message({ mta: 'mx1', egress: 'proxy-a' }),
      ...message({ mta: 'mx2', egress: 'proxy-b' }),
      ...message({ mta: 'mx3', egress: 'proxy-a' }),
    ]);
    await waitForHook(opened.page, (h) => h.nodes.length === 6, { message: 'six nodes' });
  });

  afterAll(async () => {
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('moves a node with the mouse, keeps it across a reload, and resets it', async () => {
    const { page } = opened;
    const before = await readHook(page);
    const start = node(before, 'mta:mx2')!;
    const others = before.nodes.filter((n) => n.id !== 'mta:mx2');
    const target = { x: start.x + 160, y: start.y - 90 };

    await page.mouse.move(start.x, start.y);
    await page.mouse.down();
    await page.mouse.move(target.x, target.y, { steps: 12 });
    await page.mouse.up();

    const moved = await waitForHook(page, (h) => near(node(h, 'mta:mx2'), target), { message: 'node at the drop point' });
    for (const o of others) expect(near(node(moved, o.id), o, 0.5)).toBe(true);

    await page.reload();
    const reloaded = await waitForHook(page, (h) => h.ready && h.nodes.length === 6, { message: 'nodes after reload' });
    expect(near(node(reloaded, 'mta:mx2'), target)).toBe(true);

    await page.keyboard.press('r');
    const reset = await waitForHook(page, (h) => near(node(h, 'mta:mx2'), start, 0.5), { message: 'computed position back' });
    expect(reset.nodes).toHaveLength(6);
    await page.reload();
    const again = await waitForHook(page, (h) => h.ready && h.nodes.length === 6, { message: 'nodes after second reload' });
    expect(near(node(again, 'mta:mx2'), start, 0.5)).toBe(true);
  });
});
