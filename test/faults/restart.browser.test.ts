// The daemon is killed (SIGKILL: no shutdown, socket files left behind) while
// a page, a ws client and a writer are connected, and started again on the
// same port and socket paths. The stale socket files are replaced, the page
// reconnects by itself and rebuilds its picture, a ws client that retries
// gets a fresh session, and both then see exactly the new daemon's traffic.

import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeBrowser, openPage, waitForHook, type OpenedPage } from '../client/browser.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { freePort } from '../helpers/ports.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

/** A ws client that, like the page, connects again whenever its connection drops. */
class RetryingClient {
  sessions: RecordingClient[] = [];
  private stopped = false;

  constructor(private readonly url: string) {}

  get current(): RecordingClient | undefined {
    return this.sessions.at(-1);
  }

  async start(): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      try {
        const c = await RecordingClient.connect(this.url);
        this.sessions.push(c);
        c.ws.once('close', () => void this.start());
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.current?.close();
  }
}

describe('daemon killed and restarted with clients connected', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mtaviz-restart-'));
  const socket = join(dir, 'mtaviz.sock');
  const dgram = join(dir, 'dgram.sock');
  let daemon: Daemon | undefined;
  let opened: OpenedPage | undefined;
  let ws: RetryingClient | undefined;

  afterAll(async () => {
    await ws?.stop();
    await opened?.context.close();
    await closeBrowser();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('replaces the stale sockets; the page and the ws client recover and count the new traffic exactly', async () => {
    const port = await freePort();
    const start = () => startDaemon({ dir, socket, args: ['--port', String(port), '--dgram', dgram] });
    daemon = await start();
    opened = await openPage(`${daemon.url}/`);
    ws = new RetryingClient(`ws://127.0.0.1:${port}/ws`);
    await ws.start();

    const before = new TrafficWriter(socket, { seed: 41, ingresses: ['old-lb'] });
    await before.open();
    before.pace(200);
    await waitForHook(opened.page, (h) => (h.stats?.events ?? 0) > 100, { message: 'traffic before the kill' });
    await waitFor(() => ws!.current!.stats?.events ?? 0, (n) => n > 100, { message: 'the ws client sees traffic' });

    daemon.proc.kill('SIGKILL');
    await once(daemon.proc, 'exit');
    await before.close();
    // What a crash leaves: both socket files, nobody serving them.
    expect(statSync(socket).isSocket()).toBe(true);
    expect(statSync(dgram).isSocket()).toBe(true);
    await waitForHook(opened.page, (h) => h.connection.stale, { message: 'the page marks its picture stale' });
    await waitFor(() => ws!.current!.closed, Boolean, { message: 'the ws client sees the connection drop' });

    daemon = await start();
    expect(existsSync(socket)).toBe(true);
    const back = await waitForHook(opened.page, (h) => h.connection.state === 'live' && h.connection.reconnects === 1, {
      message: 'the page reconnected',
      timeoutMs: 30_000,
    });
    expect(back.connection.stale).toBe(false);
    await waitFor(() => ws!.sessions.length, (n) => n === 2 && ws!.current!.hello !== undefined, { message: 'the ws client reconnected' });

    // The new daemon starts from nothing; both clients count exactly what it gets.
    const after = new TrafficWriter(socket, { seed: 42, ingresses: ['new-lb'] });
    await after.open();
    await after.write(500);
    await after.close();
    const want = after.traffic.counts.byKind;
    const total = want.reduce((a, b) => a + b, 0);
    const stats = await waitFor(() => ws!.current!.stats, (s) => s?.events === total, { message: 'the ws client has the new totals' });
    expect(stats!.byKind).toEqual(want);
    expect(Object.keys(stats!.nodes).filter((id) => id.startsWith('ingress:'))).toEqual(['ingress:new-lb']);
    const hook = await waitForHook(opened.page, (h) => h.stats?.events === total, { message: 'the page has the new totals' });
    expect(Object.values(hook.stats!.byKind)).toEqual(want);
    expect(hook.nodes.some((n) => n.id === 'ingress:old-lb')).toBe(false);
    expect(hook.nodes.some((n) => n.id === 'ingress:new-lb')).toBe(true);
    expect(opened.errors).toEqual([]);
  });
});
