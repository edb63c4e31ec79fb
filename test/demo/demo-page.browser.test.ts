// The first Done-when of the demo: the README's first command (`npm ci &&
// npm start`; the clone is installed already, so `npm start` here, with its
// own port and socket) brings up a page that shows all five kinds of balls
// within 5 seconds, and the built-in imbalance shows in the page's exact
// per-edge stats. Real npm, real daemon, real Chromium.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { KINDS, type Kind } from '../../server/protocol/index.js';
import { browser, closeBrowser, openPage, waitForHook, type Hook, type OpenedPage } from '../client/browser.js';
import { waitFor } from '../helpers/wait.js';

const ROOT = resolve(import.meta.dirname, '../..');
type EdgeHook = Hook & { edges: Record<string, Record<Kind, number>> };

let npm: ChildProcess | undefined;
let opened: OpenedPage | undefined;
const dir = mkdtempSync(join(tmpdir(), 'mtaviz-npm-start-'));

afterAll(async () => {
  await opened?.context.close();
  await closeBrowser();
  if (npm && npm.exitCode === null && npm.signalCode === null) {
    const exited = once(npm, 'exit');
    // npm, its shell and the daemon share the process group.
    process.kill(-npm.pid!, 'SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

/** Delivery attempts from `mta` through each proxy, as the page knows them. */
function attempts(h: EdgeHook, mta: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, c] of Object.entries(h.edges)) {
    const m = /^mta:(.+)>egress:(.+)$/.exec(id);
    if (m?.[1] === mta) out[m[2]!] = c.delivery + c.deferral + c.bounce;
  }
  return out;
}

function shares(h: EdgeHook, mta: string): Record<string, number> {
  const a = attempts(h, mta);
  const total = Object.values(a).reduce((x, y) => x + y, 0);
  return Object.fromEntries(Object.entries(a).map(([p, n]) => [p, n / total]));
}

describe('npm start', () => {
  it('brings up a page showing all five kinds of balls within 5 seconds, with the imbalance visible', async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const first = /```sh\n([^\n]*)/.exec(readme)?.[1] ?? '';
    expect(first).toMatch(/^npm ci && npm start\b/);

    await browser();
    npm = spawn('npm', ['start', '--', '--port', '0', '--socket', join(dir, 'mtaviz.sock')], {
      cwd: ROOT,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    npm.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    npm.stderr!.resume();
    // The prestart step builds first when the tree changed since the last build.
    const url = (await waitFor(
      () => {
        if (npm!.exitCode !== null) throw new Error(`npm start exited ${npm!.exitCode}: ${out}`);
        return /mtaviz listening on (http:\/\/\S+?)\/?(?:\s|$)/.exec(out)?.[1];
      },
      (u) => u !== undefined,
      { timeoutMs: 180_000, message: 'npm start to print the URL' },
    ))!;

    const t0 = performance.now();
    opened = await openPage(url);
    const budget = 5000 - (performance.now() - t0);
    const seen = await waitForHook(opened.page, (h) => KINDS.every((k) => h.counters.shown[k] > 0), {
      timeoutMs: Math.max(0, budget),
      message: 'a ball of every kind within 5 s of opening the page',
    });
    for (const k of KINDS) expect(seen.counters.shown[k], k).toBeGreaterThan(0);
    expect(opened.errors).toEqual([]);

    // mta1 and mta2 are the biased MTAs (proxy-a and proxy-b); mta3 spreads evenly.
    const h = (await waitForHook(opened.page, (x) => (Object.values(attempts(x as EdgeHook, 'mta1')).reduce((a, b) => a + b, 0) > 400), {
      timeoutMs: 60_000,
      message: 'enough traffic through mta1 to measure its shares',
    })) as EdgeHook;
    expect(shares(h, 'mta1')['proxy-a']).toBeGreaterThan(0.55);
    expect(shares(h, 'mta2')['proxy-b']).toBeGreaterThan(0.55);
    expect(Math.max(...Object.values(shares(h, 'mta3')))).toBeLessThan(0.5);
  });
});
