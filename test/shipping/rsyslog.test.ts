// The README's rsyslog snippets against the real rsyslogd from Debian's
// package, run as a private instance (its own config, pid file, work
// directory and an ephemeral TCP input): nothing of the system's rsyslog is
// touched. Lines enter rsyslog the way an MTA's syslog forwarder would send
// them, and must reach the daemon's datagram socket (omuxsock) or its TCP
// syslog listener (omfwd) exactly once each; non-mail lines must not.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonFrom, expectEvents, expectLines, fill, localPaths, MAIL_INFO, OTHER_FACILITIES, postfixLines, run, snippet, snippetLines, stopChildren, syslogTcpPort } from './harness.js';

let dir: string;
let daemon: Daemon | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-rsyslog-'));
});

afterEach(async () => {
  await stopChildren();
  await daemon?.stop();
  daemon = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** Starts rsyslogd with a TCP input on an ephemeral port plus `actions`; returns the input's port. */
async function startRsyslog(actions: string): Promise<number> {
  const portFile = join(dir, 'imtcp.port');
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      `global(workDirectory="${dir}")`,
      'module(load="imtcp")',
      `input(type="imtcp" address="127.0.0.1" port="0" listenPortFileName="${portFile}")`,
      actions,
    ].join('\n'),
  );
  const rsyslogd = run('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')]);
  const port = await waitFor(
    () => {
      if (rsyslogd.exitCode !== null) throw new Error(`rsyslogd exited: ${rsyslogd.output()}`);
      return Number(readFileSync(portFile, 'utf8').trim());
    },
    (p) => p > 0,
    { message: 'rsyslogd listening' },
  );
  return port;
}

/**
 * Sends syslog lines to rsyslog's TCP input: the Postfix lines as mail.info,
 * with lines of other facilities before and after them; the caller's lines
 * end with a mail line, so when it has arrived every other line would have too.
 */
async function sendToRsyslog(port: number, lines: string[]): Promise<void> {
  const sock = connect({ host: '127.0.0.1', port });
  await once(sock, 'connect');
  sock.end([...OTHER_FACILITIES, ...lines.slice(0, -1).map((l) => MAIL_INFO + l), ...OTHER_FACILITIES, MAIL_INFO + lines.at(-1)].join('\n') + '\n');
  await once(sock, 'close');
}

describe('rsyslog', () => {
  it('omuxsock: every mail line reaches --dgram, one datagram each', async () => {
    daemon = await daemonFrom(snippetLines('dgram-socat')[0]!, dir);
    const lines = postfixLines();
    const port = await startRsyslog(localPaths(snippet('rsyslog-omuxsock'), dir));
    await sendToRsyslog(port, lines);
    await expectLines(daemon, 'unix-dgram', lines.length);
    await expectEvents(daemon, lines);
  });

  it('omfwd: every mail line reaches --syslog-tcp, octet-counted', async () => {
    daemon = await daemonFrom(snippetLines('syslog-tcp-logger')[0]!, dir);
    const lines = postfixLines(6, 4);
    const target = await syslogTcpPort(daemon);
    const port = await startRsyslog(fill(snippet('rsyslog-omfwd'), { 'port="5140"': `port="${target}"` }));
    await sendToRsyslog(port, lines);
    await expectLines(daemon, 'syslog-tcp', lines.length);
    await expectEvents(daemon, lines);
    expect(lines.length).toBeGreaterThan(500);
  });
});
