// The daemon's side of the insight layer, through its real socket and a real
// ws client: exact failure-class and provider counters in the stats, the
// provider table in the hello (editable in the config file), alarm state
// after the stats on connect and whenever it changes, and bad alarm rules or
// provider tables refused on one line with exit status 2.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlarmMessage } from '../../server/protocol/index.js';
import { writeLines } from '../client/postfix-lines.js';
import { CLI, startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';
import { attempt, expiry, reject } from './lines.js';

const RULE = 'bounce share per provider > 50% over 3s min 5';

describe('insight counters and alarms in the daemon', () => {
  let dir: string;
  let daemon: Daemon;
  let client: RecordingClient;
  const alarms: AlarmMessage[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mtaviz-insight-'));
    const config = join(dir, 'mtaviz.json');
    writeFileSync(config, JSON.stringify({ alarms: [RULE], providers: { Acme: ['acme.example', '198.51.100.0/24'], Apple: [] } }));
    daemon = await startDaemon({ args: ['--config', config] });
    client = await RecordingClient.connect(`${daemon.url.replace('http', 'ws')}/ws`, {
      onMessage: (msg) => {
        if (msg.type === 'alarm') alarms.push(msg);
      },
    });
  });

  afterAll(async () => {
    client?.ws.close();
    await daemon?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends the provider table in the hello and the alarm state right after the stats', async () => {
    await waitFor(() => alarms.length, (n) => n > 0, { message: 'alarm state on connect' });
    expect(client.order.slice(0, 4)).toEqual(['hello', 'topology', 'stats', 'alarm']);
    expect(alarms[0]).toEqual({ type: 'alarm', rules: [RULE], active: [] });
    const names = client.hello!.providers!.map(([name]) => name);
    expect(names[0]).toBe('Acme');
    expect(names).toContain('Google');
    expect(names).not.toContain('Apple');
  });

  it('counts failures per class and attempts per provider exactly, and raises a provider alarm', async () => {
    await writeLines(daemon.socket, [
      ...[1, 2, 3].flatMap(() => attempt({ domain: 'acme.example', egress: 'proxy-a' })),
      // A domain hosted at Acme, known by its MX address only.
      ...[1, 2, 3, 4, 5, 6].flatMap(() => attempt({ domain: 'hosted.example', ip: '198.51.100.9', egress: 'proxy-b', status: 'bounced', dsn: '5.1.1' })),
      ...attempt({ domain: 'icloud.com', ip: '17.57.154.33', egress: 'proxy-a' }),
      ...attempt({ domain: 'gmail.com', egress: 'proxy-a', status: 'deferred', dsn: '4.7.28', text: '421 4.7.28 Gmail has detected an unusual rate' }),
      ...expiry({ domain: 'gmail.com', egress: 'proxy-b' }),
      ...reject(),
    ]);
    const stats = await waitFor(() => client.stats, (s) => (s?.events ?? 0) === 26, { message: 'all events counted' });
    expect(stats!.failures).toEqual({
      mailbox: [0, 0, 0, 6, 0],
      policy: [0, 0, 1, 0, 1],
      routing: [0, 0, 1, 0, 0],
      expired: [0, 0, 0, 1, 0],
      other: [0, 0, 0, 0, 0],
    });
    expect(stats!.providers).toEqual({
      Acme: [0, 3, 0, 6, 0],
      Google: [0, 0, 2, 1, 0],
      other: [0, 1, 0, 0, 0],
    });
    expect(stats!.providerEdges).toEqual({
      'egress:proxy-a>provider:Acme': [0, 3, 0, 0, 0],
      'egress:proxy-a>provider:Google': [0, 0, 1, 0, 0],
      'egress:proxy-a>provider:other': [0, 1, 0, 0, 0],
      'egress:proxy-b>provider:Acme': [0, 0, 0, 6, 0],
      'egress:proxy-b>provider:Google': [0, 0, 1, 1, 0],
    });
    const fired = await waitFor(() => alarms.at(-1), (m) => (m?.active.length ?? 0) > 0, { message: 'provider alarm' });
    expect(fired!.active.map((a) => [a.target, a.rule, a.unit])).toEqual([['provider:Acme', RULE, 'share']]);
    expect(fired!.active[0]!.value).toBeCloseTo(6 / 9);
    // No traffic: the window moves past the bounces, too few attempts are left to judge, and it clears.
    await waitFor(() => alarms.at(-1), (m) => m?.active.length === 0, { message: 'alarm cleared', timeoutMs: 15_000 });
    const snapshot = (await (await fetch(`${daemon.url}/api/snapshot`)).json()) as { stats: { failures: unknown } };
    expect(snapshot.stats.failures).toEqual(stats!.failures);
  });
});

describe('bad insight settings: one line, exit status 2', () => {
  const mtaviz = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 20_000 });

  it.each([
    [['--alarm', 'deferrals are high'], /^mtaviz: --alarm: alarm rule "deferrals are high" does not read "KIND share/],
    [['--alarm', 'deferral share per egress > 120% over 1m'], /^mtaviz: --alarm: .*between 0% and 100%$/],
    [['--alarm', 'rejection share per provider > 5% over 1m'], /before any provider/],
  ])('%j', (args, message) => {
    const r = mtaviz('serve', '--port', '0', '--socket', '', ...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it.each([
    [{ alarms: ['bounce share > 5% over 1s'] }, /"alarms": .*between 2s and 24h/],
    [{ providers: ['gmail.com'] }, /"providers": "providers" is an object/],
    [{ providers: { Mine: ['not a domain'] } }, /provider "Mine": "not a domain" is not a domain$/],
    [{ providers: { Mine: ['10.0.0.0/40'] } }, /"10\.0\.0\.0\/40" is not an IPv4 block$/],
    [{ providers: { other: ['x.example'] } }, /reserved$/],
  ])('config %j', (settings, message) => {
    const dir = mkdtempSync(join(tmpdir(), 'mtaviz-insight-cfg-'));
    try {
      const file = join(dir, 'c.json');
      writeFileSync(file, JSON.stringify(settings));
      const r = mtaviz('serve', '--port', '0', '--socket', '', '--config', file);
      expect(r.status).toBe(2);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
