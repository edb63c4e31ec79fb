// `mtaviz demo` and `mtaviz serve --demo` as users run them: the built CLI,
// real processes, a real daemon socket.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KIND_INDEX, KINDS, WS_PATH, type StatsMessage } from '../../server/protocol/index.js';
import { CLI, startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

async function mtaviz(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const proc = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stdout = '';
  let stderr = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = (await once(proc, 'close')) as [number | null];
  return { code, stdout, stderr };
}

interface SourceHealth {
  kind: string;
  lines: number;
}

async function health(d: Daemon): Promise<{ lines: number; sources: Record<string, SourceHealth> }> {
  const res = await fetch(`${d.url}/healthz`);
  return (await res.json()) as { lines: number; sources: Record<string, SourceHealth> };
}

const daemons: Daemon[] = [];
afterEach(async () => {
  await Promise.all(daemons.splice(0).map((d) => d.stop()));
});

describe('mtaviz demo', () => {
  it('explains itself with --help and refuses bad values with one line and status 2', async () => {
    const help = await mtaviz(['demo', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--rate', '--seed', '--to-socket', '--no-imbalance', '--imbalance-strength', '--deferral-rate', '--bounce-rate', '--mtas', '--proxies', '--ingresses', '--duration', '--count']) {
      expect(help.stdout).toContain(flag.replace('--no-', '--'));
    }
    const bad = await mtaviz(['demo', '--rate', 'fast']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^mtaviz: --rate: "fast" is not a number/);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    const sum = await mtaviz(['demo', '--deferral-rate', '0.7', '--bounce-rate', '0.5']);
    expect(sum.code).toBe(2);
  });

  it('writes the same Postfix lines for the same seed and start, and exactly --count of them', async () => {
    const args = ['demo', '--fast', '--duration', '20s', '--seed', '11', '--start', '2025-06-01T12:00:00Z'];
    // Syslog stamps are local time, as syslog writes them; pin the zone.
    const utc = { TZ: 'UTC' };
    const [a, b] = await Promise.all([mtaviz(args, utc), mtaviz(args, utc)]);
    expect(a.code).toBe(0);
    expect(a.stdout).toBe(b.stdout);
    const lines = a.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2000);
    for (const line of lines) expect(line).toMatch(/^Jun {2}1 12:00:[0-2]\d mta\d postfix\/[a-z0-9-]+\/(smtpd|smtp)\[\d+\]: |^Jun {2}1 12:00:[0-2]\d mta\d postfix\/(cleanup|qmgr|bounce|pickup)\[\d+\]: /);

    const counted = await mtaviz(['demo', '--fast', '--count', '777', '--seed', '11', '--start', '2025-06-01T12:00:00Z'], utc);
    expect(counted.code).toBe(0);
    expect(counted.stdout.trimEnd().split('\n')).toEqual(lines.slice(0, 777));
  });

  it('writes into a running daemon through its socket, every line accounted for', async () => {
    const d = await startDaemon();
    daemons.push(d);
    const run = await mtaviz(['demo', '--to-socket', d.socket, '--fast', '--count', '20000', '--rate', '2000']);
    expect(run.code).toBe(0);
    const h = await waitFor(() => health(d), (x) => x.lines >= 20_000, { message: 'all demo lines at the daemon' });
    expect(h.lines).toBe(20_000);
    const stream = Object.values(h.sources).find((s) => s.kind === 'unix-stream')!;
    expect(stream.lines).toBe(20_000);
  });

  it('says so, with status 1, when no daemon listens on the socket', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mtaviz-demo-'));
    try {
      const run = await mtaviz(['demo', '--to-socket', join(dir, 'none.sock'), '--count', '10']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^mtaviz: cannot connect to .*none\.sock: ENOENT/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('mtaviz serve --demo', () => {
  it('runs the generator inside the daemon, through its own socket: every kind on the stream, and the imbalance in the stats', async () => {
    const d = await startDaemon({ args: ['--demo'] });
    daemons.push(d);
    const kinds = new Set<string>();
    const client = await RecordingClient.connect(`${d.url.replace(/^http/, 'ws')}${WS_PATH}`, {
      onEvents: (msg) => {
        for (const e of msg.events) kinds.add(e.kind);
      },
    });
    try {
      await waitFor(() => kinds.size, (n) => n === KINDS.length, { message: `all five kinds on the stream (seen ${[...kinds].join(', ')})` });
      const h = await health(d);
      const stream = Object.values(h.sources).find((s) => s.kind === 'unix-stream')!;
      expect(stream.lines).toBe(h.lines);

      // mta1 prefers proxy-a and mta2 proxy-b; enough traffic makes it plain in the exact stats.
      const snap = await waitFor(
        async () => (await (await fetch(`${d.url}/api/snapshot`)).json()) as { stats: StatsMessage },
        (x) => x.stats.byKind[KIND_INDEX.delivery]! > 800,
        { timeoutMs: 40_000, message: 'enough deliveries to measure shares' },
      );
      const share = (mta: string, proxy: string) => {
        const attempts = (id: string) => {
          const c = snap.stats.edges[id];
          return c ? c[KIND_INDEX.delivery]! + c[KIND_INDEX.deferral]! + c[KIND_INDEX.bounce]! : 0;
        };
        const all = ['proxy-a', 'proxy-b', 'proxy-c'].reduce((n, p) => n + attempts(`mta:${mta}>egress:${p}`), 0);
        return attempts(`mta:${mta}>egress:${proxy}`) / all;
      };
      expect(share('mta1', 'proxy-a')).toBeGreaterThan(0.6);
      expect(share('mta2', 'proxy-b')).toBeGreaterThan(0.6);
      expect(share('mta3', 'proxy-a')).toBeLessThan(0.45);
    } finally {
      await client.close();
    }
    expect(await d.stop()).toBe(0);
  });

  it('refuses --demo with --replay, and --demo without a socket', async () => {
    const both = await mtaviz(['serve', '--port', '0', '--demo', '--replay', CLI]);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/^mtaviz: --demo and --replay/);
    const noSocket = await mtaviz(['serve', '--port', '0', '--socket', '', '--demo']);
    expect(noSocket.code).toBe(2);
    expect(noSocket.stderr).toMatch(/--socket/);
  });
});
