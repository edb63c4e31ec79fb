// The README's Postfix snippets against a real Postfix (Debian's package):
// the private instance of scripts/postfix-private.sh (its own config
// directory, queue, data directory and loopback ports; the system's default
// instance is not read or touched) writes its own log file (maillog_file,
// through postlogd) while it handles the known traffic mix, and
// `mtaviz serve --tail` follows it. Needs root, like any Postfix master.

import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { StatsMessage } from '../../server/protocol/index.js';
import type { Daemon } from '../helpers/daemon.js';
import { mixCounts, runPostfixMix, stopPostfix } from '../helpers/postfix.js';
import { waitFor } from '../helpers/wait.js';
import { daemonFrom, fill, snippet, source } from './harness.js';

let dir: string;
let daemon: Daemon | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-postfix-'));
  // Postfix's own processes run as the postfix user and must reach the queue.
  chmodSync(dir, 0o755);
});

afterEach(async () => {
  stopPostfix(join(dir, 'postfix'));
  await daemon?.stop();
  daemon = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe('Postfix maillog_file', () => {
  it('is followed by `mtaviz serve --tail`, every line of it', async () => {
    const work = join(dir, 'postfix');
    const logFile = join(dir, 'log', 'postfix.log');
    mkdirSync(join(dir, 'log'));
    daemon = await daemonFrom(fill(snippet('postfix-tail').trim(), { '/var/log/postfix.log': logFile }), dir);

    await runPostfixMix(work, { maillog: logFile });
    // The README's main.cf line is the one the instance ran with (the log
    // must also live under maillog_file_prefixes, which only covers /var by default).
    const mainCf = readFileSync(join(work, 'etc', 'main.cf'), 'utf8').split('\n');
    expect(mainCf).toContain(fill(snippet('postfix-main-cf'), { '/var/log/postfix.log': logFile }).trim());
    const logged = readFileSync(logFile, 'utf8');
    expect(logged).toMatch(/ postfix\/elb-smtp\/smtpd\[\d+\]: [0-9A-F]+: client=/);
    expect(logged).toMatch(/ postfix\/proxy-a\/smtp\[\d+\]: [0-9A-F]+: to=<user@ok-a\.test>, relay=127\.0\.0\.1\[127\.0\.0\.1\]:\d+, .*status=sent/);

    // Every line Postfix wrote, and nothing else, reached the daemon.
    const written = logged.split('\n').filter(Boolean).length;
    const tail = await waitFor(() => source(daemon!, 'tail'), (s) => s.lines >= written, { message: 'the daemon to have read the whole Postfix log' });
    expect(tail).toMatchObject({ lines: written, errors: 0 });

    // And it counted the mix exactly: per kind, per ingress, per egress.
    const want = mixCounts();
    const { stats } = (await (await fetch(`${daemon.url}/api/snapshot`)).json()) as { stats: StatsMessage };
    expect(stats.unparsed).toBe(0);
    expect(stats.byKind).toEqual(want.byKind);
    const tiers = Object.fromEntries(Object.entries(stats.nodes).filter(([id]) => !id.startsWith('mta:')));
    expect(tiers).toEqual(want.nodes);
    expect(stats.nodes['mta:mx1']).toEqual(want.byKind);
  }, 240_000);
});
