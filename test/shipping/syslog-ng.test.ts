// The README's syslog-ng snippet against the real syslog-ng from Debian's
// package. syslog-ng-core conflicts with the installed rsyslog, so
// scripts/syslog-ng-private.sh unpacks it into a private directory (it is
// idempotent; .ci/run calls it up front) and the test runs that binary with
// its own config, persist, pid and control files.

import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonFrom, expectEvents, expectLines, localPaths, MAIL_INFO, OTHER_FACILITIES, postfixLines, run, snippet, snippetLines, stopChildren } from './harness.js';

const SCRIPT = resolve(import.meta.dirname, '../../scripts/syslog-ng-private.sh');

let syslogNg: string;
let configVersion: string;
let dir: string;
let daemon: Daemon;

beforeAll(() => {
  // Prints the wrapper's path last; downloads and unpacks only the first time.
  syslogNg = execFileSync(SCRIPT, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 120_000 }).trim().split('\n').at(-1)!;
  const version = execFileSync(syslogNg, ['--version'], { encoding: 'utf8' });
  configVersion = /^syslog-ng \d+ \((\d+\.\d+)/m.exec(version)![1]!;
}, 180_000);

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-syslog-ng-'));
  daemon = await daemonFrom(snippetLines('socket-socat')[0]!, dir);
});

afterEach(async () => {
  await stopChildren();
  await daemon.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('syslog-ng', () => {
  it('unix-stream destination: every mail line reaches --socket', async () => {
    const lines = postfixLines(6, 5);
    const input = join(dir, 'in.sock');
    const conf = join(dir, 'syslog-ng.conf');
    // Around the snippet, what Debian's stock syslog-ng.conf provides: its
    // global options and its f_mail filter, taken from the unpacked package,
    // and a source named s_src (here a socket the test writes to, the way a
    // log box receives its MTAs' lines, host names included).
    const stock = readFileSync(join(dirname(syslogNg), 'root/etc/syslog-ng/syslog-ng.conf'), 'utf8');
    const stockPart = (re: RegExp) => {
      const m = re.exec(stock);
      if (!m) throw new Error(`Debian's syslog-ng.conf no longer has ${re}`);
      return m[0];
    };
    writeFileSync(
      conf,
      [
        `@version: ${configVersion}`,
        stockPart(/^options \{[\s\S]*?^\};/m),
        `source s_src { unix-stream("${input}" flags(expect-hostname)); };`,
        stockPart(/^filter f_dbg \{.*\};$/m),
        stockPart(/^filter f_mail \{.*\};$/m),
        localPaths(snippet('syslog-ng'), dir),
      ].join('\n'),
    );
    const proc = run(syslogNg, ['-F', '-f', conf, '-R', join(dir, 'persist'), '-p', join(dir, 'pid'), '-c', join(dir, 'ctl')]);
    await waitFor(
      () => {
        if (proc.exitCode !== null) throw new Error(`syslog-ng exited: ${proc.output()}`);
        return existsSync(input);
      },
      Boolean,
      { message: 'syslog-ng listening' },
    );

    const sock = connect({ path: input });
    await once(sock, 'connect');
    // Other facilities around the mail lines; the last line is mail, so once it
    // is in, anything the filter let through would be in too.
    sock.end([...OTHER_FACILITIES, ...lines.slice(0, -1).map((l) => MAIL_INFO + l), ...OTHER_FACILITIES, MAIL_INFO + lines.at(-1)].join('\n') + '\n');
    await once(sock, 'close');
    await expectLines(daemon, 'unix-stream', lines.length);
    await expectEvents(daemon, lines);
    expect(lines.length).toBeGreaterThan(500);
  });
});
