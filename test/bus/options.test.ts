// The federation options: what they resolve to, and every bad combination
// answered with one line naming it (exit status 2 from the command line).

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { busOptions, busSettings, defaultBox } from '../../server/bus/options.js';
import { resolveConfig } from '../../server/cli/resolve.js';
import { CLI } from '../helpers/daemon.js';

const dir = mkdtempSync(join(tmpdir(), 'mtaviz-bus-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const settings = (...argv: string[]) => busSettings(resolveConfig(busOptions, argv).config);

describe('bus settings', () => {
  it('publish and subscribe with their defaults', () => {
    const s = settings('--publish', 'nats://127.0.0.1:4222,tls://nats2.example:4443', '--subscribe', '127.0.0.1:4222', '--box', 'dc1-logs');
    expect(s.publish).toMatchObject({ box: 'dc1-logs', prefix: 'mtaviz', flushMs: 20, batchEvents: 2000, bufferBytes: 16 * 1024 * 1024, statsMs: 1000 });
    expect(s.publish!.endpoint.servers).toEqual(['nats://127.0.0.1:4222', 'tls://nats2.example:4443']);
    // A tls:// server means TLS is required.
    expect(s.publish!.endpoint.tls).toEqual({});
    expect(s.subscribe).toMatchObject({ ownBox: 'dc1-logs', staleMs: 10_000, expireMs: 600_000, maxBoxes: 64, accept: undefined });
    expect(settings()).toEqual({ publish: undefined, subscribe: undefined, headless: false });
  });

  it('--boxes: plain names subscribe to those boxes only, globs filter every box', () => {
    const exact = settings('--subscribe', 'nats://h:1', '--boxes', 'dc1', '--boxes', 'dc2').subscribe!;
    expect(exact.exact).toEqual(['dc1', 'dc2']);
    expect(exact.accept!('dc1')).toBe(true);
    expect(exact.accept!('dc3')).toBe(false);
    const glob = settings('--subscribe', 'nats://h:1', '--boxes', 'dc1-*').subscribe!;
    expect(glob.exact).toBeUndefined();
    expect(glob.accept!('dc1-a')).toBe(true);
    expect(glob.accept!('dc2-a')).toBe(false);
  });

  it('reads credentials from their files at startup', () => {
    const seed = join(dir, 'user.nk');
    writeFileSync(seed, '# a user seed\nSUAEWQGCT4VGC5KABDDLEVENC4KUZ3UWTFE7G4WMCVJG3HMX5G6GD6ARIQ\n');
    const s = settings('--publish', 'nats://h:1', '--bus-nkey', seed);
    expect(new TextDecoder().decode(s.publish!.endpoint.nkeySeed)).toBe('SUAEWQGCT4VGC5KABDDLEVENC4KUZ3UWTFE7G4WMCVJG3HMX5G6GD6ARIQ');
    expect(settings('--publish', 'nats://h:1', '--bus-user', 'u', '--bus-password', 'p').publish!.endpoint).toMatchObject({ user: 'u', pass: 'p' });
  });

  it('names what is wrong', () => {
    const notSeed = join(dir, 'not-a-seed');
    writeFileSync(notSeed, 'hello\n');
    const cases: [string[], RegExp][] = [
      [['--publish', 'http://h:1'], /--publish: "http:\/\/h:1" is not a NATS server URL/],
      [['--publish', 'nats://h:1', '--box', 'a.b'], /--box: "a.b" is not a box name/],
      [['--publish', 'nats://h:1', '--bus-prefix', 'a.*'], /--bus-prefix/],
      [['--headless'], /--headless needs --publish/],
      [['--boxes', 'x'], /--boxes needs --subscribe/],
      [['--subscribe', 'nats://h:1', '--box-stale', '10s', '--box-expire', '5s'], /--box-expire must be longer/],
      [['--publish', 'nats://h:1', '--bus-token', 't', '--bus-user', 'u', '--bus-password', 'p'], /--bus-token and --bus-user: choose one/],
      [['--publish', 'nats://h:1', '--bus-user', 'u'], /--bus-user needs --bus-password/],
      [['--publish', 'nats://h:1', '--bus-tls-cert', '/etc/hostname'], /--bus-tls-cert and --bus-tls-key go together/],
      [['--publish', 'nats://h:1', '--bus-nkey', join(dir, 'missing')], /--bus-nkey: cannot read .* ENOENT/],
      [['--publish', 'nats://h:1', '--bus-nkey', notSeed], /--bus-nkey: the file holds no user seed/],
    ];
    for (const [argv, message] of cases) expect(() => settings(...argv), argv.join(' ')).toThrow(message);
  });

  it('names a box after the host up to its first dot', () => {
    expect(defaultBox('logbox1.dc1.example.com')).toBe('logbox1');
    expect(defaultBox('odd host!.x')).toBe('odd-host-');
    expect(defaultBox('')).toBe('box');
  });
});

describe('mtaviz serve with bus options', () => {
  const mtaviz = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000 });

  it('lists them in their own --help section', () => {
    const r = mtaviz('serve', '--help');
    expect(r.stdout).toMatch(/Federation \(several boxes, one view, through NATS\):\n/);
    for (const flag of ['--publish URL', '--subscribe URL', '--box NAME', '--boxes PATTERN', '--headless', '--bus-buffer SIZE', '--box-stale DURATION', '--bus-nkey FILE', '--bus-tls-ca FILE']) {
      expect(r.stdout).toContain(flag);
    }
  });

  it('refuses a bad combination with one line and exit status 2, before listening', () => {
    const r = mtaviz('serve', '--port', '0', '--socket', join(dir, 's.sock'), '--headless');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('mtaviz: --headless needs --publish: without HTTP or a bus nothing would see the events\n');
    expect(r.stdout).toBe('');
  });
});
