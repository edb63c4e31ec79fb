// The bounce floor against a real daemon: each bin counts the bounces and
// rejections of its failure class exactly, from the daemon's counters, even
// when the page sees only a sample of the events; red balls land in their
// class's bin; hovering a bin shows the latest reasons, addresses masked.

import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openPage, readHook, waitForHook } from '../client/browser.js';
import { writeLines } from '../client/postfix-lines.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { attempt, expiry, reject } from './lines.js';
import { readInsight, waitForInsight } from './insight-hook.js';

const SCREENSHOT = resolve(import.meta.dirname, '../../docs/screenshots/bounce-floor.png');

/** A fed mix and what each bin must count. Deferrals (also classed, 4.4.x) are not bin counts. */
function mix(): { lines: string[]; expected: Record<string, number> } {
  const lines: string[] = [];
  const times = (n: number, f: () => string[]) => {
    for (let i = 0; i < n; i++) lines.push(...f());
  };
  times(7, () => attempt({ status: 'bounced', dsn: '5.1.1', egress: 'proxy-a', domain: 'gmail.com' }));
  times(2, () => reject({ reply: '550 5.1.1 <nobody@shop.example>: Recipient address rejected: User unknown in local recipient table' }));
  times(5, () =>
    attempt({ status: 'bounced', dsn: '5.7.1', egress: 'proxy-b', text: 'host mx.dest.example[93.184.216.34] said: 554 5.7.1 Service unavailable; Client host [203.0.113.5] blocked using zen.spamhaus.org (in reply to RCPT TO command)' }),
  );
  times(4, () => reject());
  times(6, () => attempt({ status: 'bounced', dsn: '5.4.4', egress: 'proxy-c', text: 'Host or domain name not found. Name service error for name=nowhere.example type=MX: Host not found' }));
  times(3, () => expiry({ egress: 'proxy-a' }));
  times(4, () => attempt({ status: 'bounced', dsn: '5.2.2', text: 'host mx.dest.example[93.184.216.34] said: 552 5.2.2 Mailbox full (in reply to RCPT TO command)' }));
  times(1, () => attempt({ status: 'bounced', dsn: '5.0.0', text: 'host mx.dest.example[93.184.216.34] said: 550 Rejected (in reply to end of DATA command)' }));
  times(9, () => attempt({ status: 'deferred', dsn: '4.4.1' }));
  times(120, () => attempt({ status: 'sent' }));
  return { lines, expected: { mailbox: 9, policy: 9, routing: 6, expired: 3, other: 5 } };
}

describe('the bounce floor', () => {
  const daemons: Daemon[] = [];
  afterAll(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    await closeBrowser();
  });

  it('counts the right number per class from exact stats, even when the page gets a small sample', async () => {
    // Five events a second for this page: nearly all of the mix is never seen as a ball.
    const daemon = await startDaemon({ args: ['--rate', '5'] });
    daemons.push(daemon);
    const opened = await openPage(`${daemon.url}/`);
    try {
      await waitForHook(opened.page, (h) => h.connection.state === 'live', { message: 'live' });
      const { lines, expected } = mix();
      await writeLines(daemon.socket, lines);
      const v = await waitForInsight(opened.page, (x) => JSON.stringify(x.floor) === JSON.stringify(expected), {
        timeoutMs: 20_000,
        message: `bins ${JSON.stringify(expected)}`,
      });
      expect(v.floor).toEqual(expected);
      // The failures behind those counts were not counted from balls: far fewer came in.
      const h = await readHook(opened.page);
      expect(h.counters.received.bounce + h.counters.received.rejection).toBeLessThan(20);
      // Deferrals are no bin's count, but fill the pens: nine plus the three that later expired.
      expect(Object.values(v.pen).reduce((a, b) => a + b, 0)).toBe(12);
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.context.close();
    }
  });

  it('lands red balls in their bin, shows recent reasons with masked addresses on hover, and saves a screenshot', async () => {
    const daemon = await startDaemon();
    daemons.push(daemon);
    const opened = await openPage(`${daemon.url}/?speed=0.6`, { width: 1440, height: 810 });
    const { page } = opened;
    try {
      await waitForHook(page, (h) => h.connection.state === 'live', { message: 'live' });
      // Bad mailboxes only: every red ball must come down in the first bin.
      await writeLines(daemon.socket, Array.from({ length: 6 }, () => attempt({ status: 'bounced', dsn: '5.1.1', egress: 'proxy-a' })).flat());
      const landed = await waitForHook(page, (h) => h.landings.filter((l) => l.kind === 'bounce').length >= 6, {
        message: 'six bounces on the floor',
        timeoutMs: 20_000,
      });
      const bins = (await readInsight(page)).bins;
      for (const l of landed.landings.filter((x) => x.kind === 'bounce')) {
        expect(l.x).toBeGreaterThanOrEqual(bins[0]!.x0);
        expect(l.x).toBeLessThan(bins[0]!.x1);
        expect(l.y).toBeCloseTo(landed.floorY!, 0);
      }

      // The whole mix, then the policy bin's tooltip: its exact count and the latest reasons.
      const { lines } = mix();
      await writeLines(daemon.socket, lines);
      await waitForInsight(page, (x) => x.floor.policy === 9 && x.floor.mailbox === 15, { message: 'the mix counted' });
      await page.mouse.move(bins[1]!.x, bins[1]!.y);
      const panel = page.locator('#inspect');
      await panel.waitFor({ state: 'visible' });
      expect(await panel.locator('[data-field="binCount"]').textContent()).toBe('9');
      expect(await panel.locator('h2').textContent()).toMatch(/policy/);
      const reasons = await panel.locator('.reasons li').allTextContents();
      expect(reasons.length).toBeGreaterThan(0);
      expect(reasons.join('\n')).toMatch(/Relay access denied|spamhaus/);
      // Recipient local parts never reach the page.
      expect(reasons.join('\n')).not.toMatch(/rcpt\d+@/);
      expect(reasons.join('\n')).toMatch(/\*\*\*@/);
      await page.mouse.move(5, 300);
      await panel.waitFor({ state: 'hidden' });

      // A steady mix for the picture: failures of every class falling into their bins.
      const timer = setInterval(() => {
        void writeLines(daemon.socket, [
          ...attempt({ status: 'bounced', dsn: '5.1.1', egress: 'proxy-a' }),
          ...attempt({ status: 'bounced', dsn: '5.7.1', egress: 'proxy-b' }),
          ...attempt({ status: 'bounced', dsn: '5.4.4', egress: 'proxy-c' }),
          ...expiry({ egress: 'proxy-b' }),
          ...reject(),
          ...attempt({ status: 'deferred', egress: 'proxy-a' }),
          ...attempt({ status: 'sent', egress: 'proxy-c' }),
          ...attempt({ status: 'sent', egress: 'proxy-b' }),
        ]);
      }, 120);
      try {
        const before = await readInsight(page);
        await waitForInsight(page, (x) => x.floor.routing >= before.floor.routing + 20, { message: 'the steady mix counted', timeoutMs: 30_000 });
        await waitForHook(page, (h) => h.balls.bounce + h.balls.rejection >= 8 && h.balls.deferral >= 2, {
          message: 'failures in the air',
          timeoutMs: 20_000,
        });
        mkdirSync(dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT });
      } finally {
        clearInterval(timer);
      }
      expect(opened.errors).toEqual([]);
    } finally {
      await opened.context.close();
    }
  });
});
