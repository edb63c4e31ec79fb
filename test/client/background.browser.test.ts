// A tab that was in the background must not dump a burst of old balls when
// it comes back: what arrived while hidden is dropped and counted, and a pile
// of frames handed over at once to a tab that could not run is cut to the newest.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { closeBrowser, openPage, readHook, waitForHook, type Hook, type OpenedPage } from './browser.js';

const total = (k: Record<string, number>) => Object.values(k).reduce((a, b) => a + b, 0);
const received = (h: Hook) => total(h.counters.received);
const shown = (h: Hook) => total(h.counters.shown);

describe('background tab', () => {
  let daemon: Daemon;
  let opened: OpenedPage;

  beforeAll(async () => {
    daemon = await startDaemon();
    opened = await openPage(`${daemon.url}/`);
    await waitForHook(opened.page, (h) => h.connection.state === 'live', { message: 'live' });
  });

  afterAll(async () => {
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('drops what arrives while hidden and shows only fresh events on return', async () => {
    const { page } = opened;
    const writer = await new TrafficWriter(daemon.socket, { seed: 11 }).open();
    writer.pace(100);
    try {
      await waitForHook(page, (h) => shown(h) > 50, { message: 'balls before hiding' });
      // What the browser does for a background tab: report hidden and fire visibilitychange.
      const setHidden = (hidden: boolean) =>
        page.evaluate((h) => {
          const doc = (globalThis as unknown as { document: EventTarget }).document;
          for (const prop of ['hidden', 'visibilityState'] as const) {
            Object.defineProperty(doc, prop, { configurable: true, get: () => (prop === 'hidden' ? h : h ? 'hidden' : 'visible') });
          }
          doc.dispatchEvent(new Event('visibilitychange'));
        }, hidden);
      await setHidden(true);
      const hid = await readHook(page);
      const whileHidden = await waitForHook(page, (h) => received(h) > received(hid) + 300, { message: 'traffic while hidden' });
      expect(shown(whileHidden)).toBe(shown(hid));
      expect((whileHidden.counters.drops.hidden as number) - (hid.counters.drops.hidden as number)).toBeGreaterThanOrEqual(
        received(whileHidden) - received(hid),
      );

      await setHidden(false);
      const after = await waitForHook(page, (h) => received(h) > received(whileHidden) + 100, { message: 'traffic after return' });
      // Nothing from the hidden stretch (300+ events) is shown: everything shown since arrived after it.
      expect(shown(after) - shown(whileHidden)).toBeLessThanOrEqual(received(after) - received(whileHidden));
      expect(shown(after)).toBeGreaterThan(shown(whileHidden));
    } finally {
      await writer.close();
    }
  });

  it('cuts a pile of frames handed over at once to a tab that was blocked down to the newest', async () => {
    const { page } = opened;
    const before = await readHook(page);
    const writer = await new TrafficWriter(daemon.socket, { seed: 12, rejects: 0 }).open();
    writer.pace(150);
    // A busy or throttled tab: the main thread does not run for 4 s while the daemon keeps
    // sending; afterwards the browser hands the page all those frames back to back.
    await page.evaluate(() => {
      const end = performance.now() + 4000;
      while (performance.now() < end);
    });
    await writer.close();
    const sent = writer.traffic.counts.byKind.reduce((a, b) => a + b, 0);
    const caught = await waitForHook(page, (h) => received(h) >= received(before) + sent, {
      message: 'the backlog delivered',
      timeoutMs: 20_000,
    });
    // Everything that arrived is accounted for (a straggler or two of earlier traffic included).
    const arrived = received(caught) - received(before);
    const late = (caught.counters.drops.late as number) - (before.counters.drops.late as number);
    const newShown = shown(caught) - shown(before);
    const waiting = caught.counters.queued - before.counters.queued;
    // The pile is not replayed: what is shown of it is bounded by the catch-up pace while the
    // browser dispatches it (at most a quarter of a second's worth at once); the rest is counted.
    expect(late).toBeGreaterThan(sent / 2);
    expect(newShown).toBeLessThan(sent / 2);
    expect(late + newShown + waiting).toBe(arrived);
  });
});
