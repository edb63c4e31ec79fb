// A real nats-server (Debian's package) on loopback for federation tests and
// benchmarks: a random port the first time (-p -1, read back from its log),
// the same port again on restart(), so clients that were connected reconnect
// to it as they would to a restarted production server.

import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';

const BINARY = existsSync('/usr/sbin/nats-server') ? '/usr/sbin/nats-server' : 'nats-server';

export interface NatsServer {
  /** nats://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  /** Its log (stderr) since the last start. */
  log(): string;
  /** Stops it (SIGTERM unless told otherwise) and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port (with other arguments if given: an operator's fix). */
  start(args?: string[]): Promise<void>;
}

export interface NatsOptions {
  /** Extra arguments: --auth TOKEN, --user/--pass, -c FILE, --tls..., */
  args?: string[];
  timeoutMs?: number;
}

async function launch(port: number, opts: NatsOptions): Promise<{ proc: ChildProcess; port: number; log: () => string }> {
  const proc = spawn(BINARY, ['-a', '127.0.0.1', '-p', String(port), ...(opts.args ?? [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (log += d));
  const bound = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nats-server did not start in time:\n${log}`)), opts.timeoutMs ?? 10_000);
    const onData = () => {
      const m = /Listening for client connections on [^\s]*:(\d+)/.exec(log);
      if (!m || !/Server is ready/.test(log)) return;
      clearTimeout(timer);
      proc.stderr!.off('data', onData);
      resolve(Number(m[1]));
    };
    proc.stderr!.on('data', onData);
    proc.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`nats-server exited with ${code} before it was ready:\n${log}`));
    });
  });
  return { proc, port: bound, log: () => log };
}

export async function startNatsServer(opts: NatsOptions = {}): Promise<NatsServer> {
  let current = await launch(-1, opts);
  const port = current.port;
  let running = true;
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    log: () => current.log(),
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (!running) return;
      running = false;
      const { proc } = current;
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const exited = once(proc, 'exit');
      proc.kill(signal);
      await exited;
    },
    async start(args?: string[]) {
      if (running) return;
      current = await launch(port, args ? { ...opts, args } : opts);
      running = true;
    },
  };
}
