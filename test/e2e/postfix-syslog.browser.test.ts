// The whole product under real conditions: Debian's Postfix (the private
// instance of scripts/postfix-private.sh: two smtpd listeners with their own
// syslog_names, two egress transports, smtp-sink peers that accept, answer
// 4xx and answer 5xx, smtp-source injecting a known mix) logs through
// syslog(3), as Postfix does by default, into a private rsyslogd (its own
// config, pid file and socket; Postfix reaches it through a private mount
// namespace, never the machine's /dev/log), which ships the mail facility
// with the README's omuxsock snippet into the daemon's --dgram socket. A ws
// client and a real Chromium page, connected before the first line, must
// both end with exactly the mix's counts per kind, per ingress and per
// egress: in the daemon's exact stats and in the events they received.
// Everything stays on loopback; nothing resolves a name. Needs root.

import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KINDS, type KindCounts, type MailEvent, type StatsMessage } from '../../server/protocol/index.js';
import { closeBrowser, openPage, readHook, waitForHook, type OpenedPage } from '../client/browser.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { mixCounts, POSTFIX_MIX, runPostfixMix, stopPostfix } from '../helpers/postfix.js';
import { waitFor } from '../helpers/wait.js';
import { RecordingClient } from '../helpers/ws-client.js';
import { localPaths, run, snippet, source, stopChildren } from '../shipping/harness.js';

const dir = mkdtempSync(join(tmpdir(), 'mtaviz-e2e-postfix-'));
// Postfix's processes run as the postfix user: they must reach the queue and the log socket.
chmodSync(dir, 0o755);
const devLog = join(dir, 'devlog.sock');
const mailLog = join(dir, 'mail.log');
let daemon: Daemon;
let ws: RecordingClient;
let page: OpenedPage;

/** A private rsyslogd: Postfix's syslog(3) socket in, the README's omuxsock action out, plus a file copy to count lines. */
async function startRsyslog(): Promise<void> {
  const conf = join(dir, 'rsyslog.conf');
  writeFileSync(
    conf,
    [
      // A fixed host name: rsyslogd would otherwise look up the machine's FQDN.
      `global(workDirectory="${dir}" localHostname="mx1")`,
      'module(load="imuxsock" SysSock.Use="off")',
      `input(type="imuxsock" Socket="${devLog}" RateLimit.Interval="0")`,
      localPaths(snippet('rsyslog-omuxsock'), dir),
      `mail.* action(type="omfile" file="${mailLog}")`,
    ].join('\n'),
  );
  const rsyslogd = run('rsyslogd', ['-n', '-f', conf, '-i', join(dir, 'rsyslogd.pid')]);
  await waitFor(
    () => {
      if (rsyslogd.exitCode !== null) throw new Error(`rsyslogd exited: ${rsyslogd.output()}`);
      return existsSync(devLog);
    },
    Boolean,
    { message: 'rsyslogd listening on its socket' },
  );
}

beforeAll(async () => {
  daemon = await startDaemon({ dir, args: ['--dgram', join(dir, 'dgram.sock')] });
  await startRsyslog();
  ws = await RecordingClient.connect(`${daemon.url.replace('http', 'ws')}/ws`, { keepEvents: true });
  page = await openPage(`${daemon.url}/`);
}, 120_000);

afterAll(async () => {
  stopPostfix(join(dir, 'postfix'));
  await ws?.close();
  await page?.context.close();
  await closeBrowser();
  await stopChildren();
  await daemon?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const key = (e: MailEvent) => `${e.kind} ${e.ingress ?? '-'} ${e.egress ?? '-'}`;

function tally(events: MailEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of events) out[key(e)] = (out[key(e)] ?? 0) + 1;
  return out;
}

const perKind = (counts: KindCounts) => Object.fromEntries(KINDS.map((k, i) => [k, counts[i]]));

describe('Postfix -> syslog -> rsyslog omuxsock -> mtaviz -> ws client and browser', () => {
  it('delivers the mix exactly, per kind, per ingress and per egress, to both', async () => {
    await runPostfixMix(join(dir, 'postfix'), { syslog: devLog });
    const want = mixCounts();
    const total = want.byKind.reduce((a, b) => a + b, 0);

    // Every mail line rsyslog received went out once, one datagram each, and nothing else.
    const logged = () => readFileSync(mailLog, 'utf8').split('\n').filter(Boolean).length;
    const [read, written] = await waitFor(
      async () => [(await source(daemon, 'unix-dgram')).lines, logged()] as const,
      ([r, w]) => r === w && r > 0,
      { message: 'every line rsyslog logged at the daemon', timeoutMs: 30_000 },
    );
    expect(read).toBe(written);
    expect(await source(daemon, 'unix-dgram')).toMatchObject({ errors: 0, oversize: 0 });

    const snap = (await (await fetch(`${daemon.url}/api/snapshot`)).json()) as { stats: StatsMessage };
    expect(snap.stats.events).toBe(total);
    expect(snap.stats.unparsed).toBe(0);
    expect(snap.stats.byKind).toEqual(want.byKind);

    // The ws client: the exact stats, and every event itself (no sampling below --rate).
    const last = await waitFor(() => ws.stats, (s) => s !== undefined && s.events === total, { message: 'a stats frame with every event' });
    expect(last!.byKind).toEqual(want.byKind);
    const tiers = (nodes: Record<string, KindCounts>) => Object.fromEntries(Object.entries(nodes).filter(([id]) => !id.startsWith('mta:')));
    expect(tiers(last!.nodes)).toEqual(want.nodes);
    expect(last!.nodes['mta:mx1']).toEqual(want.byKind);
    const received = ws.frames.flatMap((f) => f.list ?? []);
    expect(received).toHaveLength(total);
    expect(tally(received)).toEqual(POSTFIX_MIX);
    expect(ws.frames.reduce((a, f) => a + f.input, 0)).toBe(total);

    // The browser: the daemon's exact stats as the page holds them, and every event it received.
    const hook = await waitForHook(page.page, (h) => h.stats?.events === total, { message: 'the page to hold the final stats' });
    expect(hook.stats!.byKind).toEqual(perKind(want.byKind));
    const pageTiers = Object.fromEntries(Object.entries(hook.stats!.nodes).filter(([id]) => !id.startsWith('mta:')));
    expect(pageTiers).toEqual(Object.fromEntries(Object.entries(want.nodes).map(([id, c]) => [id, perKind(c)])));
    const got = await waitForHook(
      page.page,
      (h) => Object.values(h.counters.received).reduce((a, b) => a + b, 0) >= total,
      { message: 'every event received by the page' },
    );
    expect(got.counters.received).toEqual(perKind(want.byKind));
    expect(got.counters.badEvents + got.counters.badMessages + got.counters.seqGaps).toBe(0);
    expect((await readHook(page.page)).nodes.map((n) => n.id).sort()).toEqual(
      ['mta:mx1', ...Object.keys(want.nodes)].sort(),
    );
    expect(page.errors).toEqual([]);
  }, 240_000);
});
