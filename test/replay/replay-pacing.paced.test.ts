// `mtaviz replay --to-socket` as a shipper: the built CLI writing into a
// real Unix stream socket whose reader stamps every line on arrival. The
// fixture is a real Postfix capture (scripts/capture-replay-fixture.sh) with
// gaps of one to three seconds between waves of traffic.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvelopeReader } from '../../server/parse/envelope.js';
import { WallClock } from '../../server/parse/time.js';
import { CLI } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { describeSpacing, judgeSpacing, type Wave } from './spacing.js';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/replay/postfix-paced.log');
/** Allowed lateness of a line: timer and scheduling jitter. */
const TOLERANCE_MS = 60;

interface Arrival {
  line: string;
  at: number;
}

let dir: string;
let server: Server;
let arrivals: Arrival[];
let socket: string;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-replay-'));
  socket = join(dir, 'in.sock');
  arrivals = [];
  server = createServer((conn) => {
    let partial = '';
    conn.setEncoding('utf8').on('data', (chunk: string) => {
      const at = performance.now();
      const parts = (partial + chunk).split('\n');
      partial = parts.pop()!;
      for (const line of parts) arrivals.push({ line, at });
    });
  });
  server.listen(socket);
  await once(server, 'listening');
});

afterEach(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function replay(args: string[], env: NodeJS.ProcessEnv = {}) {
  const proc = spawn(process.execPath, [CLI, 'replay', ...args, '--to-socket', socket], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return { proc, stderr: () => stderr, exit: once(proc, 'exit') as Promise<[number | null]> };
}

/** Epoch ms of each line as the daemon reads it (undefined: no timestamp). */
function stamps(lines: string[]): (number | undefined)[] {
  const reader = new EnvelopeReader(new WallClock('local'));
  return lines.map((l) => reader.read(l)?.ts);
}

/** The first line of each logged second, with its arrival time. */
function waves(got: Arrival[]): Wave[] {
  const ts = stamps(got.map((a) => a.line));
  const out: Wave[] = [];
  for (let i = 0; i < got.length; i++) {
    const t = ts[i];
    if (t !== undefined && (out.length === 0 || t !== out.at(-1)!.logged)) out.push({ logged: t, arrived: got[i]!.at });
  }
  return out;
}

describe('mtaviz replay --to-socket', () => {
  it('sends every line in order, with the logged gaps divided by --speed', async () => {
    const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
    const run = replay([FIXTURE, '--speed', '10']);
    const [code] = await run.exit;
    expect(code, run.stderr()).toBe(0);
    await waitFor(() => arrivals.length, (n) => n >= lines.length, { message: 'every replayed line' });
    expect(arrivals.map((a) => a.line)).toEqual(lines);

    const w = waves(arrivals);
    expect(w.length).toBeGreaterThanOrEqual(8);
    const verdict = judgeSpacing(w, 10, TOLERANCE_MS);
    expect(describeSpacing(w, verdict)).toBe('ok');
    // Lines logged in the same second go out together, in one write or right after each other.
    const ts = stamps(lines);
    let apart = 0;
    for (let i = 1; i < lines.length; i++) if (ts[i] === ts[i - 1] && arrivals[i]!.at - arrivals[i - 1]!.at > TOLERANCE_MS) apart++;
    expect(apart).toBeLessThanOrEqual(2);
  });

  it('sends lines without a timestamp right after the previous line, and cuts gaps with --max-gap', async () => {
    const file = join(dir, 'mixed.log');
    writeFileSync(
      file,
      [
        'Nov 23 18:00:00 mta1 postfix/qmgr[1]: 1111111111: removed',
        'a line with no timestamp',
        '{"not":"syslog"}',
        'Nov 23 18:00:04 mta1 postfix/qmgr[1]: 2222222222: removed',
        'Nov 23 18:00:04 mta1 postfix/qmgr[1]: 3333333333: removed',
        'Nov 23 18:01:04 mta1 postfix/qmgr[1]: 4444444444: removed',
        'trailing, no terminator',
      ].join('\n'),
    );
    const run = replay([file, '--speed', '10', '--max-gap', '5s']);
    const [code] = await run.exit;
    expect(code, run.stderr()).toBe(0);
    await waitFor(() => arrivals.length, (n) => n >= 7, { message: 'all seven lines' });
    expect(arrivals.map((a) => a.line.slice(-21))).toEqual(readFileSync(file, 'utf8').split('\n').map((l) => l.slice(-21)));
    const at = arrivals.map((a) => a.at);
    // Untimed lines follow the line before them at once (in the same write).
    expect(at[1]! - at[0]!).toBeLessThan(TOLERANCE_MS);
    expect(at[2]! - at[0]!).toBeLessThan(TOLERANCE_MS);
    expect(at[6]! - at[5]!).toBeLessThan(TOLERANCE_MS);
    // 4 s logged -> 400 ms; the minute-long gap is cut to 5 s -> 500 ms.
    const w = [
      { logged: 0, arrived: at[0]! },
      { logged: 4000, arrived: at[3]! },
      { logged: 4000, arrived: at[4]! },
      { logged: 9000, arrived: at[5]! },
    ];
    const verdict = judgeSpacing(w, 10, TOLERANCE_MS, 0.25);
    expect(describeSpacing(w, verdict)).toBe('ok');
  });

  it('paces a log without syslog headers by its own timestamps (an Exim mainlog)', async () => {
    const file = resolve(import.meta.dirname, '../fixtures/exim/mainlog-default.log');
    const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
    const run = replay([file, '--speed', '10']);
    const [code] = await run.exit;
    expect(code, run.stderr()).toBe(0);
    await waitFor(() => arrivals.length, (n) => n >= lines.length, { message: 'every replayed line' });
    expect(arrivals.map((a) => a.line)).toEqual(lines);
    // Delivery-log lines (<= => -> ** ==) carry events, so the parser gives
    // them their time; the first of each logged second must be on schedule.
    const w: Wave[] = [];
    for (const a of arrivals) {
      const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d) \S+ (<=|=>|->|\*\*|==) /.exec(a.line);
      if (!m) continue;
      const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
      const logged = new Date(y, mo - 1, d, h, mi, sec).getTime();
      if (w.length === 0 || logged !== w.at(-1)!.logged) w.push({ logged, arrived: a.at });
    }
    expect(w.length).toBeGreaterThanOrEqual(10);
    const verdict = judgeSpacing(w, 10, TOLERANCE_MS);
    expect(describeSpacing(w, verdict)).toBe('ok');
  });

  it('starts over with --loop until stopped', async () => {
    const lines = readFileSync(FIXTURE, 'utf8').trimEnd().split('\n');
    const run = replay([FIXTURE, '--speed', '0', '--loop']);
    await waitFor(() => arrivals.length, (n) => n >= 3 * lines.length, { message: 'three passes' });
    run.proc.kill('SIGTERM');
    const [code] = await run.exit;
    expect(code).toBe(0);
    const got = arrivals.map((a) => a.line);
    expect(got.slice(0, 3 * lines.length)).toEqual([...lines, ...lines, ...lines]);
  });

  it('streams a capture far larger than the heap it may use', async () => {
    // 150 MB of Postfix lines through a replay whose V8 heap is capped at
    // 32 MB: held whole, the file could not fit; streamed, every line arrives.
    const file = join(dir, 'big.log');
    const line = 'Nov 23 18:27:20 mta1 postfix/proxy-a/smtp[4376]: 12CB820EEB8: to=<reader@ok-a.test>, relay=127.0.0.1[127.0.0.1]:24601, delay=0.04, delays=0.01/0.03/0/0, dsn=2.0.0, status=sent (250 2.0.0 Ok)\n';
    const block = line.repeat(10_000);
    const count = 80 * 10_000;
    const out = createWriteStream(file);
    for (let i = 0; i < 80; i++) if (!out.write(block)) await once(out, 'drain');
    out.end();
    await once(out, 'close');
    expect(statSync(file).size).toBeGreaterThan(150_000_000);

    // Count lines only: keeping 150 MB of arrivals would measure the test, not the replay.
    let received = 0;
    server.removeAllListeners('connection');
    server.on('connection', (conn) =>
      conn.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i >= 0; i = chunk.indexOf(10, i + 1)) received++;
      }),
    );
    const run = replay([file, '--speed', '0'], { NODE_OPTIONS: '--max-old-space-size=32' });
    const [code] = await run.exit;
    expect(code, run.stderr()).toBe(0);
    expect(run.stderr()).toBe('');
    await waitFor(() => received, (n) => n >= count, { message: 'every line of the big file' });
    expect(received).toBe(count);
  });

  it('refuses a missing file with status 2 and a missing daemon with status 1', async () => {
    const missing = replay([join(dir, 'nope.log')]);
    expect((await missing.exit)[0]).toBe(2);
    expect(missing.stderr()).toMatch(/^mtaviz: replay: ".*nope\.log" does not exist/);
    const proc = spawn(process.execPath, [CLI, 'replay', FIXTURE, '--to-socket', join(dir, 'none.sock')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = (await once(proc, 'exit')) as [number | null];
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot connect to .*none\.sock/);
  });
});
