// The flow scene in a real Chromium, served by a real daemon that is fed real
// Postfix lines through its Unix socket. Everything is read through
// window.__mtaviz and polled with a deadline; nothing waits on a timer.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';
import { closeBrowser, openPage, readHook, waitForHook, type Hook, type OpenedPage } from './browser.js';
import { message, rejection, writeLines } from './postfix-lines.js';

const KINDS = ['injection', 'delivery', 'deferral', 'bounce', 'rejection'] as const;
const SCREENSHOT = resolve(import.meta.dirname, '../../docs/screenshots/scene.png');
const errorsLive = (h: Hook) => h.balls.deferral + h.balls.bounce + h.balls.rejection;

describe('the flow scene against a real daemon', () => {
  let daemon: Daemon;
  let opened: OpenedPage;

  beforeAll(async () => {
    daemon = await startDaemon();
    opened = await openPage(`${daemon.url}/`);
  });

  afterAll(async () => {
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('connects, accepts the hello and picks Canvas on software-only WebGL', async () => {
    const h = await waitForHook(opened.page, (x) => x.connection.state === 'live', { message: 'live connection' });
    expect(h.connection.stale).toBe(false);
    expect(h.renderer.gpu).toMatch(/swiftshader/i);
    expect(h.renderer.renderer).toBe('canvas');
    expect(opened.errors).toEqual([]);
  });

  it('shows a ball of the matching colour for each kind of event', async () => {
    const seen = new Set<string>();
    await writeLines(daemon.socket, [
      ...message({ outcome: 'sent' }),
      ...message({ outcome: 'deferred' }),
      ...message({ outcome: 'bounced' }),
      ...rejection(),
    ]);
    await waitFor(
      async () => {
        const h = await readHook(opened.page);
        for (const k of KINDS) if (h.balls[k] > 0) seen.add(k);
        return seen.size;
      },
      (n) => n === KINDS.length,
      { message: 'a live ball of every kind', timeoutMs: 20_000 },
    );
    const h = await readHook(opened.page);
    // One message each: four injections, one of each outcome, one rejection.
    expect(h.counters.received).toEqual({ injection: 3, delivery: 1, deferral: 1, bounce: 1, rejection: 1 });
    expect(h.counters.shown).toEqual(h.counters.received);
    // The topology came from the same lines: the ingress, the MTA and the egress.
    expect(h.nodes.map((n) => n.id).sort()).toEqual(['egress:proxy-a', 'ingress:in-smtp', 'mta:mx1']);
  });

  it('lands blue balls on the right-edge meter at the height of their first octet', async () => {
    const octets = [12, 77, 130, 201, 250];
    await writeLines(daemon.socket, [
      ...octets.flatMap((o) => message({ ip: `${o}.20.30.40`, outcome: 'sent', egress: 'proxy-b' })),
      ...message({ ip: '2001:db8::25', outcome: 'sent', egress: 'proxy-b' }),
    ]);
    const wanted = [...octets.map(String), 'v6'];
    const h = await waitForHook(
      opened.page,
      (x) => wanted.every((b) => x.landings.some((l) => l.kind === 'delivery' && l.bucket === b)),
      { message: 'deliveries landing for every octet', timeoutMs: 20_000 },
    );
    const meter = h.meter!;
    const landing = (b: string) => h.landings.find((l) => l.kind === 'delivery' && l.bucket === b)!;
    for (const o of octets) {
      const l = landing(String(o));
      // Linear scale: 10 at the bottom mark, 256 at the top mark.
      const expected = meter.bottom - ((o - 10) / (256 - 10)) * (meter.bottom - meter.top);
      expect(l.y).toBeCloseTo(expected, 0);
      expect(l.x).toBeCloseTo(meter.x, 0);
    }
    const ys = octets.map((o) => landing(String(o)).y);
    expect([...ys].sort((a, b) => b - a)).toEqual(ys);
    expect(landing('v6').y).toBeCloseTo(meter.v6.y, 0);
    expect(landing('v6').y).toBeLessThan(meter.top);
  });

  it('squelches yellow and red balls with the error toggle and brings them back', async () => {
    const { page } = opened;
    const writer = await new TrafficWriter(daemon.socket, { seed: 7, outcomes: [0.5, 0.3, 0.2], rejects: 0.1 }).open();
    writer.pace(60);
    try {
      await waitForHook(page, (h) => errorsLive(h) > 0, { message: 'error balls before the toggle' });
      await page.keyboard.press('e');
      const off = await waitForHook(page, (h) => !h.settings.errors && errorsLive(h) === 0, { message: 'errors squelched' });
      expect(new URL(page.url()).searchParams.get('errors')).toBe('0');
      // Traffic keeps flowing: errors are counted as squelched, deliveries still shown, no error ball appears.
      const later = await waitForHook(
        page,
        (h) => h.counters.squelched >= off.counters.squelched + 20 && h.counters.shown.delivery > off.counters.shown.delivery + 20,
        { message: 'more traffic while squelched' },
      );
      expect(errorsLive(later)).toBe(0);
      for (const k of ['deferral', 'bounce', 'rejection'] as const) expect(later.counters.shown[k]).toBe(off.counters.shown[k]);
      await page.getByRole('button', { name: /errors/ }).click();
      await waitForHook(page, (h) => h.settings.errors && errorsLive(h) > 0, { message: 'error balls back' });
      expect(new URL(page.url()).searchParams.has('errors')).toBe(false);
    } finally {
      await writer.close();
    }
  });

  it('saves a screenshot of the running scene', async () => {
    // A daemon of its own, so the picture holds only this traffic.
    const busy = await startDaemon();
    const shot = await openPage(`${busy.url}/`, { width: 1440, height: 810 });
    const writer = await new TrafficWriter(busy.socket, {
      seed: 3,
      ingresses: ['lb-smtp', 'lb-api'],
      mtas: ['mta1', 'mta2', 'mta3', 'mta4', 'mta5', 'mta6'],
      egresses: ['proxy-a', 'proxy-b', 'proxy-c', 'proxy-d', 'proxy-e'],
      outcomes: [0.8, 0.12, 0.08],
      rejects: 0.03,
    }).open();
    writer.pace(250);
    try {
      await waitForHook(
        shot.page,
        (h) =>
          h.balls.total > 250 &&
          KINDS.every((k) => h.balls[k] > 0) &&
          (h.counters.eventsPerSecIn ?? 0) > 200 &&
          h.nodes.length === 13 &&
          h.nodes.every((n) => n.rate > 0),
        { message: 'a busy scene', timeoutMs: 30_000 },
      );
      mkdirSync(dirname(SCREENSHOT), { recursive: true });
      await shot.page.screenshot({ path: SCREENSHOT });
      expect(shot.errors).toEqual([]);
    } finally {
      await writer.close();
      await shot.context.close();
      await busy.stop();
    }
  });
});
