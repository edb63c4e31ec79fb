// A captured incident replayed at 10x through a real daemon and watched the
// way a browser watches it: a real `ws` client on the daemon's stream. The
// capture comes from a real Postfix (scripts/capture-replay-fixture.sh), with
// waves of traffic one to three seconds apart. What the client must see is
// what `mtaviz parse` reads in the file: every event, exactly once, in order,
// each wave arriving a tenth of its logged gap after the previous one.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailEvent } from '../../server/protocol/index.js';
import { WS_PATH } from '../../server/protocol/index.js';
import { CLI, startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';
import { describeSpacing, judgeSpacing } from './spacing.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/replay/postfix-paced.log');
const SPEED = 10;
/** Allowed lateness of a wave: frames leave once per tick (20 ms), plus timer jitter. */
const TOLERANCE_MS = 60;
/** Far above the fixture's peak, so no frame is a sample: every event must arrive. */
const NO_SAMPLING = ['--rate', '100000'];

interface Seen {
  event: MailEvent;
  at: number;
}

const cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

/** What the daemon's parser makes of the capture, via `mtaviz parse`. */
async function expectedEvents(): Promise<MailEvent[]> {
  const proc = spawn(process.execPath, [CLI, 'parse', FIXTURE], { stdio: ['ignore', 'pipe', 'ignore'] });
  let out = '';
  proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const [code] = (await once(proc, 'close')) as [number | null];
  expect(code).toBe(0);
  return out.trimEnd().split('\n').map((l) => JSON.parse(l) as MailEvent);
}

async function watch(url: string): Promise<{ client: RecordingClient; seen: Seen[] }> {
  const seen: Seen[] = [];
  const client = await RecordingClient.connect(`${url.replace(/^http/, 'ws')}${WS_PATH}`, {
    onEvents: (msg, at) => {
      for (const event of msg.events) seen.push({ event, at });
    },
  });
  cleanup.push(() => client.close());
  return { client, seen };
}

const key = (e: MailEvent) => `${e.kind} ${e.queueId ?? '-'} ${e.ts} ${e.ingress ?? '-'} ${e.egress ?? '-'} ${e.domain ?? '-'}`;

/** Exact counts, order and spacing of what the client saw against the parse of the file. */
async function checkReplay(client: RecordingClient, seen: Seen[], expected: MailEvent[]): Promise<void> {
  await waitFor(() => client.stats?.events ?? 0, (n) => n >= expected.length, { timeoutMs: 30_000, message: 'the daemon to count every replayed event' });
  await waitFor(() => seen.length, (n) => n >= expected.length, { message: 'every event on the stream' });
  expect(client.stats!.events).toBe(expected.length);
  // In order and exactly once: the same sequence `mtaviz parse` prints.
  expect(seen.map((s) => key(s.event))).toEqual(expected.map(key));
  expect(client.frames.reduce((n, f) => n + f.input, 0)).toBe(expected.length);

  // Spacing: the first event of each logged second arrives on the schedule
  // the logged times divided by the speed set.
  const firsts: Seen[] = [];
  for (const s of seen) if (firsts.length === 0 || s.event.ts !== firsts.at(-1)!.event.ts) firsts.push(s);
  const waves = firsts.map((s) => ({ logged: s.event.ts, arrived: s.at }));
  expect(waves.length).toBeGreaterThanOrEqual(8);
  const verdict = judgeSpacing(waves, SPEED, TOLERANCE_MS);
  expect(describeSpacing(waves, verdict)).toBe('ok');
}

describe('replay at 10x, watched over WebSocket', () => {
  it('into a running daemon (--to-socket): every event once, in order, with the logged spacing', async () => {
    const expected = await expectedEvents();
    expect(expected.length).toBeGreaterThan(40);
    const d: Daemon = await startDaemon({ args: NO_SAMPLING });
    cleanup.push(() => d.stop());
    const { client, seen } = await watch(d.url);

    const replay = spawn(process.execPath, [CLI, 'replay', FIXTURE, '--speed', String(SPEED), '--to-socket', d.socket], { stdio: 'ignore' });
    const [code] = (await once(replay, 'exit')) as [number | null];
    expect(code).toBe(0);
    await checkReplay(client, seen, expected);
  });

  it('in a daemon of its own: starts when the viewer connects, then the same guarantees', async () => {
    const expected = await expectedEvents();
    const dir = mkdtempSync(join(tmpdir(), 'mtaviz-replay-own-'));
    cleanup.push(async () => rmSync(dir, { recursive: true, force: true }));
    const proc: ChildProcess = spawn(process.execPath, [CLI, 'replay', FIXTURE, '--speed', String(SPEED), '--port', '0', '--socket', join(dir, 's.sock'), ...NO_SAMPLING], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    cleanup.push(async () => {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
    });
    const url = (await waitFor(() => /mtaviz listening on (http:\/\/\S+?)\/?(?:\s|$)/.exec(out)?.[1], (u) => u !== undefined, { message: 'the replay daemon listening' }))!;
    // Nothing is played before somebody watches.
    const before = (await (await fetch(`${url}/healthz`)).json()) as { lines: number };
    expect(before.lines).toBe(0);

    const { client, seen } = await watch(url);
    await checkReplay(client, seen, expected);
    // The replay is over; the daemon keeps serving the picture until stopped.
    expect(proc.exitCode).toBeNull();
  });
});
