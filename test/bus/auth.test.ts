// Credentials and TLS are passed through to NATS: a real nats-server requiring
// a token, a user and password, an NKey, or TLS, with a publisher and a view
// configured to match (flags and config-file keys). A publisher the server
// refuses keeps ingesting on its own and connects once the server is fixed.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../../bench/lib/nats-server.js';
import type { StatsMessage } from '../../server/protocol/index.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { TrafficWriter } from '../helpers/traffic.js';
import { waitFor } from '../helpers/wait.js';

const dir = mkdtempSync(join(tmpdir(), 'mtaviz-bus-auth-'));
const running: { stop(signal?: NodeJS.Signals): Promise<unknown> }[] = [];

afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function stats(d: Daemon): Promise<StatsMessage> {
  return ((await (await fetch(`${d.url}/api/snapshot`)).json()) as { stats: StatsMessage }).stats;
}

async function server(args: string[]): Promise<NatsServer> {
  const s = await startNatsServer({ args });
  running.push(s);
  return s;
}

async function daemon(args: string[]): Promise<Daemon> {
  const d = await startDaemon({ args });
  running.push(d);
  return d;
}

/** A publisher and a view with these bus options; 30 messages through the publisher reach the view's totals. */
async function roundTrip(url: string, busArgs: string[]): Promise<void> {
  const view = await daemon(['--subscribe', url, ...busArgs]);
  await waitFor(async () => (await stats(view)).bus?.subscribe?.state, (s) => s === 'connected', { message: 'view subscribed' });
  const box = await daemon(['--publish', url, '--box', 'secure', '--bus-stats', '200ms', ...busArgs]);
  const w = await new TrafficWriter(box.socket, { seed: 5 }).open();
  await w.write(30);
  await w.close();
  const want = w.traffic.counts.byKind.reduce((a, b) => a + b, 0);
  const got = await waitFor(async () => (await stats(view)).bus?.boxes?.secure?.events, (n) => n === want, { message: 'events through the bus' });
  expect(got).toBe(want);
}

describe('NATS credentials and TLS', () => {
  it('token (from the config file)', async () => {
    const nats = await server(['--auth', 's3cret-token']);
    const config = join(dir, 'token.json');
    writeFileSync(config, JSON.stringify({ busToken: 's3cret-token' }), { mode: 0o600 });
    await roundTrip(nats.url, ['--config', config]);
  });

  it('user and password', async () => {
    const nats = await server(['--user', 'mtaviz', '--pass', 'pa55word']);
    await roundTrip(nats.url, ['--bus-user', 'mtaviz', '--bus-password', 'pa55word']);
  });

  it('NKey seed file', async () => {
    const user = nkeys.createUser();
    const seedFile = join(dir, 'user.nk');
    writeFileSync(seedFile, new TextDecoder().decode(user.getSeed()) + '\n', { mode: 0o600 });
    const conf = join(dir, 'nkey.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const nats = await server(['-c', conf]);
    await roundTrip(nats.url, ['--bus-nkey', seedFile]);
  });

  it('TLS with a private CA', async () => {
    const key = join(dir, 'server.key');
    const cert = join(dir, 'server.crt');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' });
    const nats = await server(['--tls', '--tlscert', cert, '--tlskey', key]);
    // The NATS client verifies the server by the host name in the URL (an IP literal cannot be checked).
    await roundTrip(`tls://localhost:${nats.port}`, ['--bus-tls-ca', cert]);
  });

  it('a refused publisher keeps ingesting on its own, and connects by itself once the server accepts it', async () => {
    const nats = await server(['--auth', 'right']);
    const box = await daemon(['--publish', nats.url, '--box', 'refused', '--bus-token', 'wrong', '--bus-reconnect-max', '200ms']);
    const w = await new TrafficWriter(box.socket, { seed: 6 }).open();
    await w.write(50);
    await w.close();
    const want = w.traffic.counts.byKind.reduce((a, b) => a + b, 0);
    const s = await waitFor(() => stats(box), (st) => st.events === want, { message: 'its own totals' });
    expect(s.bus!.publish!.state).not.toBe('connected');
    expect(s.bus!.publish!.batches).toBe(0);
    expect(box.stderr()).toMatch(/Authorization Violation|authorization/i);
    // The operator fixes the server's side: the box connects by itself and publishes what it held.
    await nats.stop();
    await nats.start(['--auth', 'wrong']);
    const p = await waitFor(async () => (await stats(box)).bus!.publish!, (pub) => pub.state === 'connected' && pub.events > 0, {
      message: 'the box connected after the fix',
    });
    expect(p.events + p.dropped.events).toBe(want);
  });
});
