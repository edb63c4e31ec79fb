// The command line as an operator meets it: help, bad flags and config
// files (one line, exit status 2), a config file that works.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../server/http/healthz.js';
import { CLI, startDaemon, type Daemon } from '../helpers/daemon.js';

let dir: string;
const running: Daemon[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-cli-'));
});

afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Runs the CLI to completion; for commands that must fail before serving. */
function mtaviz(...args: string[]) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: dir, encoding: 'utf8', timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function config(settings: unknown): string {
  const file = join(dir, 'mtaviz.json');
  writeFileSync(file, typeof settings === 'string' ? settings : JSON.stringify(settings));
  return file;
}

describe('mtaviz --help', () => {
  it('lists every serve flag in sections, with config keys', () => {
    const r = mtaviz('serve', '--help');
    expect(r.status).toBe(0);
    for (const flag of ['--socket PATH', '--socket-mode MODE', '--dgram PATH', '--tail GLOB', '--from-start', '--syslog-tcp HOST:PORT', '--max-line SIZE', '--host HOST', '--port PORT', '--log-level LEVEL', '--config FILE']) {
      expect(r.stdout).toContain(flag);
    }
    expect(r.stdout).toMatch(/Inputs:\n/);
    expect(r.stdout).toMatch(/HTTP:\n/);
    expect(r.stdout).toContain('(default 64KiB)');
    expect(r.stdout).toContain('(default 0660)');
    expect(r.stdout).toContain('[syslogTcp]');
  });

  it('serve is the default command', () => {
    const r = mtaviz('--help');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('--socket PATH');
    expect(r.stdout).toContain('serve     run the daemon (default)');
  });
});

describe('bad flags and config: one line naming the bad value, exit status 2', () => {
  it.each([
    [['--port', '99999'], /^mtaviz: --port: "99999" is not an integer in 0\.\.65535$/],
    [['--port', 'http'], /^mtaviz: --port: "http" is not an integer/],
    [['--socket-mode', '999'], /^mtaviz: --socket-mode: "999" is not an octal file mode$/],
    [['--max-line', '10'], /^mtaviz: --max-line: "10" is not a size in 256\.\.16777216 bytes/],
    [['--syslog-tcp', 'localhost'], /^mtaviz: --syslog-tcp: "localhost" is not HOST:PORT$/],
    [['--log-level', 'loud'], /^mtaviz: --log-level: "loud" is not one of fatal, error, warn/],
    [['--tail-poll', 'soon'], /^mtaviz: --tail-poll: "soon" is not a duration/],
    [['--dgram'], /^mtaviz: --dgram: needs a value$/],
    [['--frobnicate'], /^mtaviz: unknown flag --frobnicate \(see --help\)$/],
    [['serve', 'mail.log'], /^mtaviz: unexpected argument "mail\.log" \(standard input is "-"\)$/],
    [['frobnicate'], /^mtaviz: unknown command "frobnicate"/],
  ])('%j', (args, message) => {
    const r = mtaviz(...args);
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    [{ port: 'eighty' }, /: "port": "eighty" is not an integer/],
    [{ socketMode: '0999' }, /: "socketMode": "0999" is not an octal file mode$/],
    [{ tail: [1, 2] }, /: "tail": \[1,2\] is not a list of strings$/],
    [{ listen: 8000 }, /: unknown setting "listen"$/],
    ['{ "port": ', /is not valid JSON/],
    [[1, 2], /must hold a JSON object of settings$/],
  ])('config %j', (settings, message) => {
    const r = mtaviz('--config', config(settings));
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr.trimEnd()).toMatch(message);
  });

  it('names a config file that cannot be read', () => {
    const r = mtaviz('--config', join(dir, 'missing.json'));
    expect(r.status).toBe(2);
    expect(r.stderr.trimEnd()).toBe(`mtaviz: --config: cannot read ${JSON.stringify(join(dir, 'missing.json'))}: ENOENT`);
  });
});

describe('starting', () => {
  it('takes every setting from a config file, flags overriding it', async () => {
    const file = config({
      '//': 'comments are keys starting with //',
      port: 8000,
      socket: join(dir, 'from-config.sock'),
      socketMode: '0600',
      syslogTcp: '127.0.0.1:0',
      tail: [join(dir, '*.log')],
      maxLine: '1KiB',
      logLevel: 'error',
    });
    const d = await startDaemon({ dir, socket: join(dir, 'flag.sock'), args: ['--config', file] });
    running.push(d);
    const h = (await (await fetch(`${d.url}/healthz`)).json()) as HealthReport;
    expect(Object.keys(h.sources).sort()).toEqual([`syslog-tcp:127.0.0.1:0`, `tail:${join(dir, '*.log')}`, `unix-stream:${join(dir, 'flag.sock')}`]);
    expect(d.port).not.toBe(8000);
    expect(statSync(join(dir, 'flag.sock')).mode & 0o777).toBe(0o600);
  });

  it('runs without the stream socket when --socket is empty', async () => {
    const d = await startDaemon({ dir, args: ['--socket', '', '-'], stdin: 'pipe' });
    running.push(d);
    const h = (await (await fetch(`${d.url}/healthz`)).json()) as HealthReport;
    expect(Object.keys(h.sources)).toEqual(['stdin']);
    expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).not.toContain('.sock');
  });

  it('reports a taken HTTP port on one line, exit status 1, and leaves no socket file', async () => {
    const taken = createServer().listen(0, '127.0.0.1');
    await once(taken, 'listening');
    const port = (taken.address() as { port: number }).port;
    try {
      const r = mtaviz('--port', String(port), '--socket', join(dir, 'x.sock'));
      expect(r.status).toBe(1);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toContain(`EADDRINUSE`);
      expect(r.stderr).toContain(String(port));
      expect(spawnSync('ls', [dir], { encoding: 'utf8' }).stdout).not.toContain('x.sock');
    } finally {
      taken.close();
    }
  });

  it('prints its version', () => {
    const r = mtaviz('--version');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^mtaviz \d+\.\d+\.\d+\n$/);
  });
});
