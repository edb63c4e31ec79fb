// When the daemon samples (more input than the page's --rate), the heads-up
// line says how many messages each ball stands for, from the frames' counts.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { closeBrowser, openPage, waitForHook, type OpenedPage } from './browser.js';

describe('sampling', () => {
  let daemon: Daemon;
  let opened: OpenedPage;
  let writer: TrafficWriter;

  beforeAll(async () => {
    daemon = await startDaemon({ args: ['--rate', '100'] });
    opened = await openPage(`${daemon.url}/`);
    writer = await new TrafficWriter(daemon.socket, { seed: 31 }).open();
  });

  afterAll(async () => {
    await writer?.close();
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('shows "1 ball = N messages" while the input is above the rate, and nothing once it is not', async () => {
    const { page } = opened;
    const sampling = page.locator('#hud-sampling');
    expect(await sampling.isVisible()).toBe(false);
    // About 2 events per message: some 500 events/s against a rate of 100.
    writer.pace(250);
    const h = await waitForHook(page, (x) => x.counters.messagesPerBall > 3 && (x.counters.eventsPerSecIn ?? 0) > 300, {
      message: 'sampled stream',
    });
    // Input bursts (a writer catching up) move it around; it stays in the right region.
    expect(h.counters.messagesPerBall).toBeLessThan(20);
    await sampling.waitFor({ state: 'visible' });
    expect(await sampling.textContent()).toMatch(/^1 ball = \d+(\.\d)? messages$/);
    expect(await page.locator('#hud-in').textContent()).toMatch(/^\d[\d,.k]* events\/s in$/);

    await writer.close();
    await sampling.waitFor({ state: 'hidden' });
    expect((await waitForHook(page, (x) => x.counters.messagesPerBall === 1, { message: 'not sampling' })).counters.messagesPerBall).toBe(1);
  });
});
