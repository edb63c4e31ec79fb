// Shared by the log-shipping tests: the README snippets (read out of README.md,
// so the documented text and the tested text cannot drift apart), the
// Postfix lines they carry, the daemon they feed, and the child processes
// (real rsyslogd, syslog-ng, socat, tail, Postfix) they start and must stop.

import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Generator } from '../../server/demo/generator.js';
import { parseOptions } from '../../server/parse/options.js';
import { createPipeline } from '../../server/parse/pipeline.js';
import type { KindCounts, StatsMessage, TopologyMessage } from '../../server/protocol/index.js';
import { generatorOptions, generatorSettings } from '../../server/demo/options.js';
import type { OptionSpec } from '../../server/cli/options.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';

export const README = resolve(import.meta.dirname, '../../README.md');

/**
 * The body of the fenced code block that follows `<!-- snippet:NAME -->` in
 * README.md, exactly as a reader would copy it.
 */
export function snippet(name: string): string {
  const text = readFileSync(README, 'utf8');
  const marker = `<!-- snippet:${name} -->`;
  const at = text.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no ${marker}`);
  const m = /^```[^\n]*\n([\s\S]*?)^```/m.exec(text.slice(at + marker.length));
  if (!m) throw new Error(`no code block after ${marker} in README.md`);
  return m[1]!;
}

/**
 * The snippet with its example paths and ports replaced by the test's own.
 * Every replaced text must occur, so a README edit cannot silently leave a
 * snippet pointing at the real /run or /var/log.
 */
export function fill(text: string, replacements: Record<string, string>): string {
  let out = text;
  for (const [from, to] of Object.entries(replacements)) {
    if (!out.includes(from)) throw new Error(`snippet no longer contains ${JSON.stringify(from)}:\n${text}`);
    out = out.split(from).join(to);
  }
  return out;
}

/** Words of a one-line shell command without quoting (the README's mtaviz command lines). */
export function words(command: string): string[] {
  const line = command.trim();
  if (line.includes('\n') || /["'\\$`]/.test(line)) throw new Error(`not a plain command line: ${line}`);
  return line.split(/\s+/);
}

/**
 * Demo-generated Postfix lines as a syslog daemon would store them, stamped
 * a minute ago: a few seconds of a platform with four MTAs, two ingresses and
 * three proxies, every kind of event included.
 */
export function postfixLines(seconds = 6, seed = 3): string[] {
  const config = Object.fromEntries(Object.entries(generatorOptions).map(([k, spec]) => [k, (spec as OptionSpec<unknown>).default]));
  const settings = generatorSettings(config as never);
  const start = Date.now() - 60_000;
  const gen = new Generator({ ...settings, seed, start, rate: 60, retryAfter: 2000, rejectRate: 0.03, deferralRate: 0.1, bounceRate: 0.05 });
  const lines: string[] = [];
  gen.advance(start + seconds * 1000, (line) => lines.push(line));
  return lines;
}

/** mail.info, as `<PRI>` on the wire: facility mail (2) * 8 + severity info (6). */
export const MAIL_INFO = '<22>';

/** Lines of other facilities (daemon.info, authpriv.info) that a mail.* filter must keep out. */
export const OTHER_FACILITIES = [
  '<30>Mar  1 10:00:00 mta1 systemd[1]: Started Daily apt upgrade and clean activities.',
  '<86>Mar  1 10:00:01 mta1 CRON[2231]: pam_unix(cron:session): session opened for user root(uid=0)',
];

export interface SourceHealth {
  kind: string;
  lines: number;
  bytes: number;
  errors: number;
  address?: string;
}

export async function sources(d: Daemon): Promise<SourceHealth[]> {
  const res = await fetch(`${d.url}/healthz`);
  const body = (await res.json()) as { sources: Record<string, SourceHealth> };
  return Object.values(body.sources);
}

export async function source(d: Daemon, kind: string): Promise<SourceHealth> {
  const found = (await sources(d)).find((s) => s.kind === kind);
  if (!found) throw new Error(`the daemon has no ${kind} source`);
  return found;
}

/** Waits until the daemon's `kind` source has read `n` lines, and checks it read no more. */
export async function expectLines(d: Daemon, kind: string, n: number): Promise<void> {
  const s = await waitFor(() => source(d, kind), (x) => x.lines >= n, { timeoutMs: 30_000, message: `${n} lines on the ${kind} source` });
  if (s.lines !== n || s.errors !== 0) throw new Error(`${kind}: expected ${n} lines and no errors, got ${JSON.stringify(s)}`);
}

/** The snippet's lines (a snippet may hold a daemon command and a shipper command). */
export function snippetLines(name: string): string[] {
  return snippet(name).split('\n').filter((l) => l.trim() !== '');
}

/**
 * The snippet with the README's example directories (/run/mtaviz/,
 * /var/log/) moved into the test's own; at least one must occur.
 */
export function localPaths(text: string, dir: string): string {
  const present = Object.fromEntries(['/run/mtaviz/', '/var/log/'].filter((p) => text.includes(p)).map((p) => [p, `${dir}/`]));
  if (Object.keys(present).length === 0) throw new Error(`snippet names neither /run/mtaviz/ nor /var/log/:\n${text}`);
  return fill(text, present);
}

/**
 * Starts the daemon from a README command line (`npx mtaviz [serve] ARGS`),
 * its paths moved into `dir` and its TCP syslog port made ephemeral.
 */
export async function daemonFrom(commandLine: string, dir: string): Promise<Daemon> {
  const local = /\/run\/mtaviz\/|\/var\/log\//.test(commandLine) ? localPaths(commandLine, dir) : commandLine;
  const [npx, program, ...rest] = words(local.replace('127.0.0.1:5140', '127.0.0.1:0'));
  if (npx !== 'npx' || program !== 'mtaviz') throw new Error(`not an mtaviz command line: ${commandLine}`);
  const args = rest[0] === 'serve' ? rest.slice(1) : rest;
  return startDaemon({ dir, args });
}

/** Per-kind event counts the daemon's parser makes of `lines` (its default settings). */
export function expectedKinds(lines: string[]): KindCounts {
  const defaults = Object.fromEntries(Object.entries(parseOptions).map(([k, spec]) => [k, (spec as OptionSpec<unknown>).default]));
  const pipeline = createPipeline(defaults as never, () => {});
  for (const line of lines) pipeline.line(line, 'expected');
  return pipeline.stats().byKind;
}

/**
 * Waits until the daemon has turned the shipped lines into as many events as
 * the parser makes of the originals, then checks the kinds match and that the
 * topology kept what a shipper could have mangled: the MTA host names (the
 * syslog HOSTNAME) and the ingress and egress names (the syslog tags).
 */
export async function expectEvents(d: Daemon, lines: string[]): Promise<void> {
  const want = expectedKinds(lines);
  const total = want.reduce((a, b) => a + b, 0);
  const snap = await waitFor(
    async () => (await (await fetch(`${d.url}/api/snapshot`)).json()) as { stats: StatsMessage; topology: TopologyMessage },
    (x) => x.stats.events >= total,
    { timeoutMs: 30_000, message: `${total} events at the daemon` },
  );
  if (JSON.stringify(snap.stats.byKind) !== JSON.stringify(want)) {
    throw new Error(`events by kind: expected ${JSON.stringify(want)}, the daemon counted ${JSON.stringify(snap.stats.byKind)}`);
  }
  const ids = new Set(snap.topology.nodes.map((n) => n.id));
  for (const id of ['ingress:smtp-lb', 'ingress:api-lb', 'mta:mta1', 'mta:mta2', 'mta:mta3', 'mta:mta4', 'egress:proxy-a', 'egress:proxy-b', 'egress:proxy-c']) {
    if (!ids.has(id)) throw new Error(`topology lacks ${id}: ${[...ids].join(', ')}`);
  }
}

/** The port the daemon's --syslog-tcp listener got. */
export async function syslogTcpPort(d: Daemon): Promise<number> {
  const s = await source(d, 'syslog-tcp');
  const port = Number(/:(\d+)$/.exec(s.address ?? '')?.[1]);
  if (!port) throw new Error(`syslog-tcp source reports no address: ${JSON.stringify(s)}`);
  return port;
}

const children = new Set<ChildProcess>();

/** Starts a helper program in its own process group, stopped by stopChildren(). */
export function run(command: string, args: string[], opts: SpawnOptions = {}): ChildProcess & { output: () => string } {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...opts });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => (output += d));
  children.add(child);
  child.once('exit', () => children.delete(child));
  return Object.assign(child, { output: () => output });
}

/** SIGTERM to every helper's process group, then waits for each to exit. */
export async function stopChildren(): Promise<void> {
  await Promise.all(
    [...children].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      await exited;
    }),
  );
}
