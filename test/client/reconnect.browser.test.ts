// The daemon goes away and comes back on the same port: the page shows that
// its picture is stale, reconnects by itself and rebuilds the topology.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';
import { closeBrowser, openPage, waitForHook, type OpenedPage } from './browser.js';
import { message, writeLines } from './postfix-lines.js';

describe('daemon restart', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtaviz-reconnect-'));
  let daemon: Daemon | undefined;
  let opened: OpenedPage | undefined;

  afterAll(async () => {
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows the stale indicator while the daemon is gone and recovers when it is back', async () => {
    const port = await freePort();
    const start = () => startDaemon({ dir, socket: join(dir, 'mtaviz.sock'), args: ['--port', String(port)] });
    daemon = await start();
    opened = await openPage(`${daemon.url}/`);
    const { page } = opened;
    await writeLines(daemon.socket, message({ mta: 'mx7' }));
    await waitForHook(page, (h) => h.connection.state === 'live' && h.nodes.some((n) => n.id === 'mta:mx7'), {
      message: 'live, with the first topology',
    });
    const banner = page.locator('#banner');
    expect(await banner.isVisible()).toBe(false);

    await daemon.stop();
    daemon = undefined;
    const stale = await waitForHook(page, (h) => h.connection.stale, { message: 'stale indicator' });
    expect(['down', 'stale']).toContain(stale.connection.state);
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toMatch(/STALE/);
    expect(await page.locator('#hud-conn').textContent()).toBe('STALE');

    daemon = await start();
    // A new daemon knows nothing yet: the old topology goes, and the new one builds up from new lines.
    const back = await waitForHook(
      page,
      (h) => h.connection.state === 'live' && h.connection.reconnects === 1 && !h.nodes.some((n) => n.id === 'mta:mx7'),
      { message: 'reconnected, old topology gone', timeoutMs: 20_000 },
    );
    expect(back.connection.stale).toBe(false);
    await banner.waitFor({ state: 'hidden' });
    await writeLines(daemon.socket, message({ mta: 'mx8' }));
    await waitForHook(page, (h) => h.nodes.some((n) => n.id === 'mta:mx8') && h.counters.shown.injection > 1, {
      message: 'new topology and balls after the restart',
    });
    expect(opened.errors).toEqual([]);
  });
});
