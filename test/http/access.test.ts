// Who may talk to the daemon, against the real built daemon: Origin
// allow-list (same origin by default), the DNS-rebinding Host guard, --token
// for the page, the API, /metrics and the WebSocket, and the connection cap.

import { spawnSync } from 'node:child_process';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient, upgradeStatus } from '../helpers/ws-client.js';

const TOKEN = 's3cret-token';
const SCREEN = 'http://screen.example:8000';

function status(d: Daemon, path: string, headers: Record<string, string> = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: d.port, path, headers }, (res) => {
      res.resume();
      resolve(res.statusCode!);
    });
    req.on('error', reject);
    req.end();
  });
}

const wsUrl = (d: Daemon, query = '') => `${d.url.replace(/^http/, 'ws')}/ws${query}`;

let open: Daemon;
let guarded: Daemon;

beforeAll(async () => {
  [open, guarded] = await Promise.all([
    startDaemon(),
    startDaemon({ args: ['--token', TOKEN, '--allow-origin', SCREEN] }),
  ]);
});

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
});

describe('without a token', () => {
  it('accepts its own origin and no origin, and refuses a foreign one on the WebSocket and the API', async () => {
    const self = `http://127.0.0.1:${open.port}`;
    expect(await upgradeStatus(wsUrl(open))).toBe(101);
    expect(await upgradeStatus(wsUrl(open), { origin: self })).toBe(101);
    expect(await upgradeStatus(wsUrl(open), { origin: 'http://evil.example' })).toBe(403);
    expect(await upgradeStatus(wsUrl(open), { origin: 'null' })).toBe(403);
    expect(await status(open, '/api/snapshot', { Origin: self })).toBe(200);
    expect(await status(open, '/api/snapshot', { Origin: 'http://evil.example' })).toBe(403);
    expect(await status(open, '/metrics', { Origin: 'http://evil.example' })).toBe(403);
    expect(await status(open, '/', { Origin: 'http://evil.example' })).toBe(403);
  });

  it('answers only to loopback names and IP addresses (DNS rebinding)', async () => {
    expect(await status(open, '/', { Host: `localhost:${open.port}` })).toBe(200);
    expect(await status(open, '/', { Host: `127.0.0.1:${open.port}` })).toBe(200);
    expect(await status(open, '/', { Host: `[::1]:${open.port}` })).toBe(200);
    expect(await status(open, '/', { Host: `evil.example:${open.port}` })).toBe(403);
    expect(await status(open, '/api/snapshot', { Host: `evil.example:${open.port}`, Origin: `http://evil.example:${open.port}` })).toBe(403);
    expect(await upgradeStatus(wsUrl(open), { headers: { Host: `evil.example:${open.port}` } })).toBe(403);
  });
});

describe('with --token and --allow-origin', () => {
  it('refuses the page, the API, /metrics and the WebSocket without the right token', async () => {
    for (const path of ['/', '/index.html', '/api/snapshot', '/metrics']) {
      expect(await status(guarded, path), path).toBe(401);
      expect(await status(guarded, `${path}?token=wrong`), path).toBe(401);
      expect(await status(guarded, path, { Authorization: 'Bearer wrong' }), path).toBe(401);
    }
    expect(await upgradeStatus(wsUrl(guarded))).toBe(401);
    expect(await upgradeStatus(wsUrl(guarded, '?token=wrong'))).toBe(401);
  });

  it('accepts the token as ?token= or as a bearer token', async () => {
    expect(await status(guarded, `/?token=${TOKEN}`)).toBe(200);
    expect(await status(guarded, `/api/snapshot?token=${TOKEN}`)).toBe(200);
    expect(await status(guarded, '/metrics', { Authorization: `Bearer ${TOKEN}` })).toBe(200);
    const c = await RecordingClient.connect(wsUrl(guarded, `?token=${TOKEN}`));
    await waitFor(() => c.hello, Boolean, { message: 'hello' });
    await c.close();
    // A token holder may use any Host name (the token, not the name, is the protection).
    expect(await status(guarded, `/?token=${TOKEN}`, { Host: `mtaviz.lan:${guarded.port}` })).toBe(200);
  });

  it('leaves /healthz and the static assets open, and checks the origin as well as the token', async () => {
    expect(await status(guarded, '/healthz')).toBe(200);
    expect(await status(guarded, '/favicon.svg')).toBe(200);
    expect(await upgradeStatus(wsUrl(guarded, `?token=${TOKEN}`), { origin: SCREEN })).toBe(101);
    expect(await upgradeStatus(wsUrl(guarded, `?token=${TOKEN}`), { origin: 'http://evil.example' })).toBe(403);
    const metrics = await (await fetch(`${guarded.url}/metrics`, { headers: { Authorization: `Bearer ${TOKEN}` } })).text();
    expect(Number(/^mtaviz_http_refused_total\{reason="token"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(14);
    expect(Number(/^mtaviz_http_refused_total\{reason="origin"\} (\d+)$/m.exec(metrics)?.[1])).toBeGreaterThanOrEqual(1);
  });
});

describe('limits', () => {
  it('refuses WebSocket connections beyond --max-clients with 503', async () => {
    const d = await startDaemon({ args: ['--max-clients', '2'] });
    try {
      const a = await RecordingClient.connect(wsUrl(d));
      const b = await RecordingClient.connect(wsUrl(d));
      expect(await upgradeStatus(wsUrl(d))).toBe(503);
      await a.close();
      await b.close();
    } finally {
      await d.stop();
    }
  });

  it('closes a connection whose message exceeds the size limit', async () => {
    const c = await RecordingClient.connect(wsUrl(open));
    c.ws.send('x'.repeat(4096));
    const closed = await new Promise<number>((resolve) => c.ws.once('close', (code) => resolve(code)));
    expect(closed).toBe(1009);
  });

  it('rejects a malformed --allow-origin with one line and status 2', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--allow-origin', 'not-an-origin'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mtaviz: --allow-origin: "not-an-origin" is not an origin (scheme://host[:port], or *)\n');
  });
});

