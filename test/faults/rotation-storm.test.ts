// A log rotation storm on a tailed file: a writer in its own process appends
// numbered Postfix lines without pause while the file is rotated dozens of
// times a second (rename to .1, create anew, as logrotate does with
// `create`, the writer reopening at once), then, on another file, truncated
// in place after a copy (logrotate's `copytruncate`). Each line carries its
// number in its recipient domain, and the daemon's events, every one of them
// received by a ws client (no sampling below --rate), must hold every number
// exactly once.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../server/http/healthz.js';
import type { StatsMessage } from '../../server/protocol/index.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';

let daemon: Daemon | undefined;
let dir: string;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/**
 * The writer: LINES numbered NOQUEUE rejects, BATCH per write, rotating the
 * file every ROTATE_EVERY writes the way logrotate does with `rotate 5`:
 * .4 -> .5 ... .1 -> .2 (the oldest replaced), then 'rename' moves the file
 * to .1 and reopens the name (`create`), 'copytruncate' copies it to .1 and
 * truncates it while the writer keeps its descriptor (O_APPEND).
 */
const WRITER = `
const fs = require('node:fs');
const [file, style, total, batch, every] = [process.argv[1], process.argv[2], ...process.argv.slice(3).map(Number)];
const line = (n, ts) => ts + ' mx1 postfix/in-smtp/smtpd[77]: NOQUEUE: reject: RCPT from client.example[198.51.100.7]: 554 5.7.1 <rcpt@n' + n +
  '.example>: Relay access denied; from=<sender@shop.example> to=<rcpt@n' + n + '.example> proto=ESMTP helo=<client.example>\\n';
let fd = fs.openSync(file, 'a');
let rotations = 0;
for (let n = 0, w = 0; n < total; w++) {
  let text = '';
  const ts = new Date().toISOString().replace('Z', '000+00:00');
  for (let i = 0; i < batch && n < total; i++) text += line(n++, ts);
  fs.writeSync(fd, text);
  if (w % every === every - 1) {
    rotations++;
    for (let i = 4; i >= 1; i--) if (fs.existsSync(file + '.' + i)) fs.renameSync(file + '.' + i, file + '.' + (i + 1));
    if (style === 'rename') {
      fs.renameSync(file, file + '.1');
      fs.closeSync(fd);
      fd = fs.openSync(file, 'a');
    } else {
      fs.copyFileSync(file, file + '.1');
      fs.ftruncateSync(fd, 0);
    }
  }
  // Pace the writer (about a write per millisecond), so the storm lasts long enough to matter.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
}
fs.closeSync(fd);
process.stdout.write(String(rotations));
`;

async function storm(file: string, style: 'rename' | 'copytruncate', total: number, batch: number, every: number): Promise<number> {
  const child = spawn(process.execPath, ['-e', WRITER, file, style, String(total), String(batch), String(every)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  const [code] = (await once(child, 'exit')) as [number];
  expect(code).toBe(0);
  return Number(out);
}

describe.each(['rename', 'copytruncate'] as const)('a rotation storm (%s)', (style) => {
  it('hands on every line exactly once', async () => {
    dir = mkdtempSync(join(tmpdir(), 'mtaviz-storm-'));
    const file = join(dir, 'mail.log');
    daemon = await startDaemon({ dir, args: ['--tail', file, '--tail-poll', '50ms', '--rate', '1000000'] });
    const d = daemon;
    const client = await RecordingClient.connect(`${d.url.replace('http', 'ws')}/ws`, { keepEvents: true });
    const TOTAL = 30_000;
    const started = performance.now();
    const rotations = await storm(file, style, TOTAL, 10, 40);
    const seconds = (performance.now() - started) / 1000;
    expect(rotations).toBe(TOTAL / 10 / 40);
    console.log(`${style}: ${rotations} rotations in ${seconds.toFixed(1)} s (${(rotations / seconds).toFixed(0)}/s)`);

    let prevEvents = -1;
    const lastEvents = (n: number) => {
      const p = prevEvents;
      prevEvents = n;
      return p;
    };
    const seen = new Map<number, number>();
    const count = () => {
      seen.clear();
      for (const f of client.frames) for (const e of f.list ?? []) {
        const n = Number(/^n(\d+)\.example$/.exec(e.domain ?? '')?.[1]);
        seen.set(n, (seen.get(n) ?? 0) + 1);
      }
      return [...seen.values()].reduce((a, b) => a + b, 0);
    };
    const health = async () => (await (await fetch(`${d.url}/healthz`)).json()) as HealthReport;
    // Settled: the tail has read every line, or has stopped short of that (the same count for a
    // second of polls); what it read and what it lost is then judged below.
    let last = -1;
    let still = 0;
    const lines = await waitFor(
      async () => {
        const n = (await health()).lines;
        still = n === last ? still + 1 : 0;
        last = n;
        return n === TOTAL || still >= 4 ? n : -1;
      },
      (n) => n >= 0,
      { message: 'the tail to settle', timeoutMs: 30_000, intervalMs: 250 },
    );
    const events = async () => ((await (await fetch(`${d.url}/api/snapshot`)).json()) as { stats: StatsMessage }).stats.events;
    const made = await waitFor(events, (n) => n > 0 && n === lastEvents(n), { message: 'the hub to settle', intervalMs: 250 });
    await waitFor(() => count(), (n) => n >= made, { message: 'every event at the client', timeoutMs: 20_000 });
    const missing = Array.from({ length: TOTAL }, (_, n) => n).filter((n) => !seen.has(n));
    const twice = [...seen].filter(([, c]) => c > 1).map(([n]) => n);
    // Runs of consecutive missing numbers: each is one stretch of the log that was never read.
    const runs = missing.filter((n, i) => i === 0 || missing[i - 1] !== n - 1);
    const tail = Object.values((await health()).sources).find((s) => s.kind === 'tail')!;
    console.log(
      `${style}: ${lines} lines read, ${made} events; ${missing.length} lines in ${runs.length} stretches lost (${runs.slice(0, 10).join(' ')}), ` +
        `${tail.errors} counted; ${twice.length} twice`,
    );
    expect(twice).toEqual([]);
    expect(made).toBe(lines);
    expect(lines + missing.length).toBe(TOTAL);
    // Every renamed file is held open and read to its end, and a file rotated in and out between two looks
    // is read from its rotated name, as is a truncated file's copy. Only a file rotated on past the last
    // copy kept before anyone looked (a daemon stalled for several rotations) is gone: each such stretch
    // must be counted.
    expect(runs.length).toBeLessThanOrEqual(tail.errors);
    await client.close();
  }, 120_000);
});
