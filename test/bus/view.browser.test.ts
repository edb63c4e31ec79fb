// A federated view in a real Chromium: a box publishes through a real
// nats-server, the view's page draws the box's nodes under their BOX/NAME
// names in the right tiers, animates its events, and says in the heads-up
// line how many boxes it merges and when one goes stale.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../../bench/lib/nats-server.js';
import { closeBrowser, openPage, waitForHook, type OpenedPage } from '../client/browser.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';

describe('a federated view in the browser', () => {
  let nats: NatsServer;
  let view: Daemon;
  let box: Daemon;
  let opened: OpenedPage;

  beforeAll(async () => {
    nats = await startNatsServer();
    view = await startDaemon({ args: ['--subscribe', nats.url, '--box-stale', '1s'] });
    box = await startDaemon({ args: ['--publish', nats.url, '--box', 'dc1', '--bus-stats', '200ms'] });
    opened = await openPage(`${view.url}/`);
  });

  afterAll(async () => {
    await opened?.context.close();
    await closeBrowser();
    await box?.stop('SIGKILL');
    await view?.stop('SIGKILL');
    await nats?.stop('SIGKILL');
  });

  it("draws the box's nodes as BOX/NAME in their tiers and animates its events", async () => {
    const w = await new TrafficWriter(box.socket, { seed: 3, ingresses: ['in-smtp'], mtas: ['mx1', 'mx2'], egresses: ['proxy-a'] }).open();
    w.pace(40);
    const h = await waitForHook(
      opened.page,
      (x) => x.nodes.length === 4 && x.counters.received.delivery > 0 && x.boxes.dc1?.state === 'live',
      { message: "the box's nodes and events", timeoutMs: 20_000 },
    );
    await w.close();
    const byId = new Map(h.nodes.map((n) => [n.id, n]));
    expect([...byId.keys()].sort()).toEqual(['egress:dc1/proxy-a', 'ingress:dc1/in-smtp', 'mta:dc1/mx1', 'mta:dc1/mx2']);
    // Tiers left to right, as for local input.
    expect(byId.get('ingress:dc1/in-smtp')!.x).toBeLessThan(byId.get('mta:dc1/mx1')!.x);
    expect(byId.get('mta:dc1/mx1')!.x).toBeLessThan(byId.get('egress:dc1/proxy-a')!.x);
    expect(h.balls.total + h.counters.shown.delivery).toBeGreaterThan(0);
    expect(await opened.page.textContent('#hud-boxes')).toBe('1 box');
    expect(opened.errors).toEqual([]);
  });

  it('shows the box stale in the heads-up line when it goes silent', async () => {
    await box.stop();
    const h = await waitForHook(opened.page, (x) => x.boxes.dc1?.state === 'stale', { message: 'dc1 stale', timeoutMs: 20_000 });
    expect(h.boxes.dc1!.eventsPerSec).toBe(0);
    // The heads-up line redraws on its own timer, a moment after the hook.
    await waitFor(
      () => opened.page.textContent('#hud-boxes'),
      (t) => t?.startsWith('1 box · 1 stale') ?? false,
      { message: 'the heads-up line to say the box is stale', timeoutMs: 5_000 },
    );
    expect(await opened.page.getAttribute('#hud-boxes', 'title')).toMatch(/^dc1: STALE, silent \d+ s/);
  });
});
