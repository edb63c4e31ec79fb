// The README's Postfix snippets against a real Postfix (Debian's package),
// run as a private instance: its own config directory (postfix -c), queue,
// data directory and loopback ports. The system's default instance is not
// read or touched. Postfix writes its own log file (maillog_file, through
// postlogd) and `mtaviz serve --tail` follows it. Needs root, like any
// Postfix master.

import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StatsMessage, TopologyMessage } from '../../server/protocol/index.js';
import type { Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';
import { daemonFrom, fill, run, snippet, source, stopChildren } from './harness.js';

let dir: string;
let daemon: Daemon | undefined;
let postfixStarted = false;

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

function postfixUser(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postfix'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-postfix-'));
  // Postfix's own processes run as the postfix user and must reach the queue.
  chmodSync(dir, 0o755);
});

afterEach(async () => {
  if (postfixStarted) execFileSync('postfix', ['-c', join(dir, 'etc'), 'stop'], { stdio: 'ignore' });
  postfixStarted = false;
  await stopChildren();
  await daemon?.stop();
  daemon = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('Postfix maillog_file', () => {
  it('is followed by `mtaviz serve --tail`, every line of it', async () => {
    const etc = join(dir, 'etc');
    const logDir = join(dir, 'log');
    const logFile = join(logDir, 'postfix.log');
    for (const d of [etc, join(dir, 'spool'), join(dir, 'data'), logDir]) mkdirSync(d);
    const { uid, gid } = postfixUser();
    chownSync(join(dir, 'data'), uid, gid);
    const [smtpdPort, sinkPort] = [await freePort(), await freePort()];

    writeFileSync(
      join(etc, 'main.cf'),
      [
        '# Private test instance (test/shipping/postfix.test.ts).',
        'compatibility_level = 3.6',
        'myhostname = mta1.mtaviz.test',
        'inet_interfaces = loopback-only',
        'inet_protocols = ipv4',
        `queue_directory = ${dir}/spool`,
        `data_directory = ${dir}/data`,
        'mail_owner = postfix',
        'setgid_group = postdrop',
        'mydestination =',
        'mynetworks = 127.0.0.0/8',
        'relay_domains = demo.test',
        `transport_maps = inline:{ { demo.test = proxy-a:[127.0.0.1]:${sinkPort} } }`,
        'smtp_dns_support_level = disabled',
        'smtpd_peername_lookup = no',
        'smtp_tls_security_level = none',
        'alias_maps =',
        'alias_database =',
        // The README's lines; the log must live under maillog_file_prefixes,
        // which only covers /var by default.
        fill(snippet('postfix-main-cf'), { '/var/log/postfix.log': logFile }),
        `maillog_file_prefixes = ${logDir}`,
      ].join('\n') + '\n',
    );
    writeFileSync(
      join(etc, 'master.cf'),
      [
        `${smtpdPort} inet n - n - - smtpd -o syslog_name=postfix/smtp-lb`,
        'pickup unix n - n 60 1 pickup',
        'cleanup unix n - n - 0 cleanup',
        'qmgr unix n - n 300 1 qmgr',
        'rewrite unix - - n - - trivial-rewrite',
        'bounce unix - - n - 0 bounce',
        'defer unix - - n - 0 bounce',
        'trace unix - - n - 0 bounce',
        'verify unix - - n - 1 verify',
        'flush unix n - n 1000? 0 flush',
        'proxymap unix - - n - - proxymap',
        'smtp unix - - n - - smtp',
        'showq unix n - n - - showq',
        'error unix - - n - - error',
        'retry unix - - n - - error',
        'discard unix - - n - - discard',
        'anvil unix - - n - 1 anvil',
        'scache unix - - n - 1 scache',
        // As in the stock master.cf since Postfix 3.4.
        'postlog unix-dgram n - n - 1 postlogd',
        'proxy-a unix - - n - - smtp -o syslog_name=postfix/proxy-a',
      ].join('\n') + '\n',
    );

    daemon = await daemonFrom(fill(snippet('postfix-tail').trim(), { '/var/log/postfix.log': logFile }), dir);

    run('smtp-sink', ['-u', 'postfix', `127.0.0.1:${sinkPort}`, '64']);
    execFileSync('postfix', ['-c', etc, 'check'], { stdio: 'inherit' });
    execFileSync('postfix', ['-c', etc, 'start'], { stdio: 'inherit' });
    postfixStarted = true;

    await waitFor(
      () => {
        try {
          execFileSync('smtp-source', ['-m', '5', '-f', 'news@shop.test', '-t', 'reader@demo.test', `127.0.0.1:${smtpdPort}`], { stdio: 'ignore' });
          return true;
        } catch {
          return false;
        }
      },
      Boolean,
      { message: 'Postfix accepting mail', intervalMs: 200 },
    );
    // All five delivered (postlogd writes asynchronously; poll the file).
    const delivered = () => (existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('status=sent')).length : 0);
    await waitFor(delivered, (n) => n === 5, { message: 'five deliveries in the Postfix log' });
    const logged = readFileSync(logFile, 'utf8');
    expect(logged).toMatch(/ postfix\/smtp-lb\/smtpd\[\d+\]: [0-9A-F]+: client=/);
    expect(logged).toMatch(/ postfix\/proxy-a\/smtp\[\d+\]: [0-9A-F]+: to=<reader@demo\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent/);

    // Every line Postfix wrote, and nothing else, reached the daemon (the file
    // may still grow by a "removed" line or two while we look).
    const fileLines = () => readFileSync(logFile, 'utf8').split('\n').filter(Boolean).length;
    const [read, written] = await waitFor(
      async () => [(await source(daemon!, 'tail')).lines, fileLines()] as const,
      ([r, w]) => r === w && w >= logged.split('\n').filter(Boolean).length,
      { message: 'the daemon to have read the whole Postfix log' },
    );
    expect(read).toBe(written);
    expect((await source(daemon, 'tail')).errors).toBe(0);

    // And the daemon saw the five messages come in through smtp-lb and leave through proxy-a.
    const snap = (await (await fetch(`${daemon.url}/api/snapshot`)).json()) as { stats: StatsMessage; topology: TopologyMessage };
    expect(snap.stats.byKind).toEqual([5, 5, 0, 0, 0]);
    expect(snap.stats.edges['ingress:smtp-lb>mta:mta1']).toEqual([5, 5, 0, 0, 0]);
    expect(snap.stats.edges['mta:mta1>egress:proxy-a']?.[1]).toBe(5);
  });
});
