// The README's shell one-liners, run by a real shell: `tail -F` into the
// daemon's socket through socat and into `mtaviz serve -` on standard input
// (the log file is appended to while the pipeline runs, as an MTA would),
// socat into the datagram socket, and util-linux logger into TCP syslog.

import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonFrom, expectEvents, expectLines, fill, localPaths, postfixLines, run, snippet, snippetLines, source, stopChildren, syslogTcpPort } from './harness.js';

let dir: string;
let daemons: Daemon[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-pipes-'));
});

afterEach(async () => {
  await stopChildren();
  await Promise.all(daemons.map((d) => d.stop()));
  daemons = [];
  rmSync(dir, { recursive: true, force: true });
});

async function daemon(commandLine: string): Promise<Daemon> {
  const d = await daemonFrom(commandLine, dir);
  daemons.push(d);
  return d;
}

/**
 * The README's /var/log/mail.log, here in the test's directory, holding the
 * first line before the pipeline starts (tail -F prints it on start). Once
 * that line has arrived, the rest is appended in chunks.
 */
async function feed(lines: string[], arrived: () => Promise<number>): Promise<void> {
  const log = join(dir, 'mail.log');
  await waitFor(arrived, (n) => n === 1, { message: 'the first line through the pipeline' });
  for (let i = 1; i < lines.length; i += 250) appendFileSync(log, lines.slice(i, i + 250).join('\n') + '\n');
}

describe('shell one-liners', () => {
  it('tail -F | socat: a followed file reaches --socket line for line', async () => {
    const [serve, pipeline] = snippetLines('socket-socat');
    const d = await daemon(serve!);
    const lines = postfixLines(6, 6);
    writeFileSync(join(dir, 'mail.log'), lines[0] + '\n');
    run('sh', ['-c', localPaths(pipeline!, dir)], { cwd: dir });
    await feed(lines, async () => (await source(d, 'unix-stream')).lines);
    await expectLines(d, 'unix-stream', lines.length);
    await expectEvents(d, lines);
    expect(lines.length).toBeGreaterThan(500);
  });

  it('tail -F | mtaviz serve -: the daemon reads the followed file on standard input', async () => {
    const lines = postfixLines(6, 7);
    writeFileSync(join(dir, 'mail.log'), lines[0] + '\n');
    const cmd = fill(localPaths(snippet('stdin').trim(), dir), { 'npx mtaviz serve': `'${process.execPath}' '${CLI}' serve --port 0` });
    const shell = run('sh', ['-c', cmd], { cwd: dir });
    const url = await waitFor(
      () => {
        if (shell.exitCode !== null) throw new Error(`pipeline exited: ${shell.output()}`);
        return /mtaviz listening on (http:\/\/\S+?)\/?(?:\s|$)/.exec(shell.output())?.[1];
      },
      (u) => u !== undefined,
      { message: 'the daemon listening' },
    );
    // This daemon belongs to the shell's process group; stopChildren ends it.
    const d = { url } as Daemon;
    await feed(lines, async () => (await source(d, 'stdin')).lines);
    await expectLines(d, 'stdin', lines.length);
    await expectEvents(d, lines);
  });

  it('socat UNIX-SENDTO: a datagram reaches --dgram', async () => {
    const [serve, send] = snippetLines('dgram-socat');
    const d = await daemon(serve!);
    // The here-string is bash syntax, as the README says it.
    const sent = run('bash', ['-c', localPaths(send!, dir)], { cwd: dir });
    const [code] = (await new Promise((resolve) => sent.once('exit', (c) => resolve([c])))) as [number | null];
    expect(code, sent.output()).toBe(0);
    await expectLines(d, 'unix-dgram', 1);
  });

  it('logger --tcp --octet-count: a syslog message reaches --syslog-tcp', async () => {
    const [serve, send] = snippetLines('syslog-tcp-logger');
    const d = await daemon(serve!);
    const port = await syslogTcpPort(d);
    const sent = run('bash', ['-c', fill(send!, { '-P 5140': `-P ${port}` })], { cwd: dir });
    const [code] = (await new Promise((resolve) => sent.once('exit', (c) => resolve([c])))) as [number | null];
    expect(code, sent.output()).toBe(0);
    await expectLines(d, 'syslog-tcp', 1);
  });
});
