// A writer killed (SIGKILL) in the middle of a line, while another writer is
// connected: the killed writer's half line is counted as one line of its own,
// never glued onto the other writer's next line, and every complete line of
// both is counted exactly.

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PostfixTraffic } from '../../bench/lib/postfix-traffic.js';
import type { HealthReport } from '../../server/http/healthz.js';
import type { StatsMessage } from '../../server/protocol/index.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { waitFor } from '../helpers/wait.js';

let daemon: Daemon | undefined;
afterEach(async () => {
  await daemon?.stop();
  daemon = undefined;
});

const health = async (d: Daemon) => (await (await fetch(`${d.url}/healthz`)).json()) as HealthReport;
const snapshot = async (d: Daemon) => ((await (await fetch(`${d.url}/api/snapshot`)).json()) as { stats: StatsMessage }).stats;

/** A writer in its own process: writes `text` (given on its stdin) and says "sent" once the kernel has it, then waits to be killed. */
function writerProcess(path: string, text: string) {
  const code = `
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c)).on('end', () => {
      const s = require('node:net').connect(process.argv[1], () => {
        s.write(Buffer.concat(chunks), () => process.stdout.write('sent\\n'));
      });
    });
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code, path], { stdio: ['pipe', 'pipe', 'inherit'] });
  child.stdin!.end(text);
  return child;
}

describe('a writer killed mid-line', () => {
  it('counts its partial line on its own and every other line exactly', async () => {
    daemon = await startDaemon();
    const d = daemon;
    const a = new PostfixTraffic({ seed: 21, firstMessage: 0 });
    const b = new PostfixTraffic({ seed: 22, firstMessage: 1_000_000 });
    const aLines = a.batch(300);
    const bLines = b.batch(300);
    // Cut inside the queue ID of an injection line: alone it is no event.
    const cut = aLines[0]!.slice(0, aLines[0]!.indexOf(': ') + 6);
    const aText = aLines.join('\n') + '\n' + cut;

    // The other writer is connected before the kill and writes after it.
    const other = connect(d.socket);
    await once(other, 'connect');
    const killed = writerProcess(d.socket, aText);
    await once(killed.stdout!, 'data');
    await waitFor(() => health(d), (h) => h.lines === aLines.length, { message: "the killed writer's complete lines" });
    killed.kill('SIGKILL');
    await once(killed, 'exit');

    other.end(bLines.join('\n') + '\n');
    await once(other, 'close');

    const h = await waitFor(() => health(d), (x) => x.lines >= aLines.length + 1 + bLines.length, { message: 'every line' });
    expect(h.lines).toBe(aLines.length + 1 + bLines.length);
    const stats = await waitFor(() => snapshot(d), (s) => s.lines === h.lines, { message: 'the hub to have every line' });
    const want = a.counts.byKind.map((n, i) => n + b.counts.byKind[i]!);
    expect(stats.byKind).toEqual(want);
    for (const edge of new Set([...Object.keys(a.counts.edges), ...Object.keys(b.counts.edges)])) {
      const [x, y] = [a.counts.edges[edge] ?? [0, 0, 0, 0, 0], b.counts.edges[edge] ?? [0, 0, 0, 0, 0]];
      expect(stats.edges[edge], edge).toEqual(x.map((n, i) => n + y[i]!));
    }
    // The half line was read as a line of its own (an smtpd line with no event), and nothing else was lost.
    expect(stats.lines).toBe(aLines.length + 1 + bLines.length);
    expect(stats.unparsed).toBe(0);
  });
});
