// The real Postfix the tests run: scripts/postfix-private.sh (a private
// instance of Debian's Postfix on loopback, put through a fixed traffic mix),
// started on free ports, and the exact counts that mix comes to. The same
// mix made the golden logs in test/fixtures/postfix/, whose test
// (test/parse/postfix-fixtures.test.ts) explains each count.

import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KINDS, type Kind, type KindCounts } from '../../server/protocol/index.js';
import { freePorts } from './ports.js';

export const POSTFIX_SCRIPT = resolve(import.meta.dirname, '../../scripts/postfix-private.sh');

/** "kind ingress egress" -> events, for the mix logged with its syslog_names. */
export const POSTFIX_MIX: Record<string, number> = {
  'injection elb-smtp -': 34,
  'injection elb-api -': 19,
  'injection pickup -': 3,
  'injection internal -': 20,
  'delivery elb-smtp proxy-a': 20,
  'delivery elb-smtp proxy-b': 20,
  'delivery elb-api postfix-out1': 5,
  'delivery pickup proxy-a': 1,
  'delivery pickup proxy-b': 1,
  'delivery internal proxy-a': 18,
  'delivery internal proxy-b': 2,
  'deferral elb-api proxy-a': 18,
  'deferral elb-smtp proxy-b': 12,
  'deferral pickup proxy-a': 3,
  'bounce elb-api proxy-b': 8,
  'bounce elb-api proxy-a': 6,
  'bounce elb-smtp proxy-b': 4,
  'bounce pickup proxy-a': 1,
  'bounce pickup error': 1,
  'rejection elb-smtp -': 3,
};

/** The mix as the daemon's exact stats count it: per kind, and per node id (ingress and egress tiers). */
export function mixCounts(): { byKind: KindCounts; nodes: Record<string, KindCounts> } {
  const byKind: KindCounts = [0, 0, 0, 0, 0];
  const nodes: Record<string, KindCounts> = {};
  const add = (id: string, k: number, n: number) => ((nodes[id] ??= [0, 0, 0, 0, 0])[k]! += n);
  for (const [key, n] of Object.entries(POSTFIX_MIX)) {
    const [kind, ingress, egress] = key.split(' ') as [Kind, string, string];
    const k = KINDS.indexOf(kind);
    byKind[k]! += n;
    if (ingress !== '-') add(`ingress:${ingress}`, k, n);
    if (egress !== '-') add(`egress:${egress}`, k, n);
  }
  return { byKind, nodes };
}

export type PostfixLogging = { maillog: string } | { syslog: string };

/**
 * Runs the whole mix on a private instance under `work` (made by the script;
 * its parent must be reachable by the postfix user) and resolves once every
 * message is delivered, bounced or expired and Postfix has stopped. Rejects
 * with the script's output if it fails. Needs root.
 */
export async function runPostfixMix(work: string, logging: PostfixLogging, timeoutMs = 150_000): Promise<string> {
  const [ok, soft, hard, v6, down, elbSmtp, elbApi] = await freePorts(7);
  const mode = 'maillog' in logging ? ['--maillog', logging.maillog] : ['--syslog', logging.syslog];
  const child = spawn(POSTFIX_SCRIPT, [work, ...mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      P_OK: String(ok),
      P_SOFT: String(soft),
      P_HARD: String(hard),
      P_V6: String(v6),
      P_DOWN: String(down),
      P_ELB_SMTP: String(elbSmtp),
      P_ELB_API: String(elbApi),
    },
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (output += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (output += d));
  // The script has its own deadlines; this one only keeps a wedged run from outliving the test.
  const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
  const [code, signal] = (await once(child, 'exit')) as [number | null, string | null];
  clearTimeout(timer);
  if (code !== 0) throw new Error(`${POSTFIX_SCRIPT} exited with ${code ?? signal}:\n${output}`);
  return output;
}

/** Stops an instance the script left running (a test that failed half-way); a no-op otherwise. */
export function stopPostfix(work: string): void {
  if (!existsSync(join(work, 'etc', 'main.cf'))) return;
  try {
    execFileSync('postfix', ['-c', join(work, 'etc'), 'stop'], { stdio: 'ignore' });
  } catch {
    // Not running.
  }
}
