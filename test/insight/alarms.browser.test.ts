// An alarm rule end to end: a real daemon with --alarm, fed Postfix lines
// through its socket; when one egress's deferral share over the window
// crosses the threshold, the page shows a banner and pulses that egress's
// edges and /metrics says so; when the deferrals stop and the window moves
// past them, all three clear by themselves.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeBrowser, openPage, type OpenedPage } from '../client/browser.js';
import { writeLines } from '../client/postfix-lines.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { attempt } from './lines.js';
import { waitForInsight } from './insight-hook.js';

const RULE = 'deferral share per egress > 50% over 5s min 20';

describe('alarms', () => {
  let daemon: Daemon;
  let opened: OpenedPage;
  let trouble = false;
  let timer: NodeJS.Timeout | undefined;

  const metric = async (target: string): Promise<number | undefined> => {
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`mtaviz_alarm_active{rule="${RULE}",target="${target}"}`));
    return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
  };

  beforeAll(async () => {
    daemon = await startDaemon({ args: ['--alarm', RULE] });
    opened = await openPage(`${daemon.url}/`);
    // 20 messages a second over two egresses; in trouble, proxy-b defers 9 in 10.
    let n = 0;
    timer = setInterval(() => {
      const lines: string[] = [];
      for (let i = 0; i < 2; i++, n++) {
        const egress = n % 2 === 0 ? 'proxy-a' : 'proxy-b';
        const deferred = trouble && egress === 'proxy-b' && n % 20 !== 1;
        lines.push(...attempt({ mta: 'mx1', egress, status: deferred ? 'deferred' : 'sent' }));
      }
      void writeLines(daemon.socket, lines);
    }, 100);
  });

  afterAll(async () => {
    clearInterval(timer);
    await opened?.context.close();
    await daemon?.stop();
    await closeBrowser();
  });

  it('knows its rule and holds no alarm while the egresses are healthy', async () => {
    const v = await waitForInsight(opened.page, (x) => x.alarms !== undefined && x.pen['egress:proxy-b'] !== undefined, { message: 'alarm state' });
    expect(v.alarms!.rules).toEqual([RULE]);
    expect(v.alarms!.active).toEqual([]);
    await waitFor(() => metric('egress:proxy-b'), (m) => m === 0, { message: 'judged on /metrics' });
    expect(await opened.page.locator('#alarms').isVisible()).toBe(false);
  });

  it('fires: a banner, the egress edges pulsing, and /metrics', async () => {
    trouble = true;
    const v = await waitForInsight(opened.page, (x) => (x.alarms?.active.length ?? 0) > 0, { message: 'alarm fired', timeoutMs: 20_000 });
    expect(v.alarms!.active.map((a) => a.target)).toEqual(['egress:proxy-b']);
    const a = v.alarms!.active[0]!;
    expect(a.rule).toBe(RULE);
    expect(a.value).toBeGreaterThan(0.5);
    const pulsing = await waitForInsight(opened.page, (x) => x.pulsing.length > 0, { message: 'edges pulsing' });
    expect(pulsing.pulsing).toEqual(['mta:mx1>egress:proxy-b']);
    const banner = opened.page.locator('#alarms');
    await banner.waitFor({ state: 'visible' });
    expect(await banner.textContent()).toMatch(/^ALARM egress proxy-b: \d+(\.\d)?% \(deferral share per egress > 50% over 5s min 20\)$/);
    expect(await metric('egress:proxy-b')).toBe(1);
    expect(await metric('egress:proxy-a')).toBe(0);
    const text = await (await fetch(`${daemon.url}/metrics`)).text();
    expect(text).toContain(`mtaviz_alarm_firings_total{rule="${RULE}"} 1`);
    expect(text).toMatch(new RegExp(`mtaviz_alarm_value\\{rule="${RULE}",target="egress:proxy-b"\\} 0\\.[5-9]`));
  });

  it('clears by itself once the condition ends', async () => {
    trouble = false;
    await waitForInsight(opened.page, (x) => x.alarms?.active.length === 0, { message: 'alarm cleared', timeoutMs: 20_000 });
    // The scene stops the pulse on the frame after the store hears of it.
    await waitForInsight(opened.page, (x) => x.pulsing.length === 0, { message: 'edges no longer pulsing' });
    await opened.page.locator('#alarms').waitFor({ state: 'hidden' });
    await waitFor(() => metric('egress:proxy-b'), (m) => m === 0, { message: 'cleared on /metrics' });
    expect(opened.errors).toEqual([]);
  });
});
