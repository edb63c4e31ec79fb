// Starts the built daemon (dist/) as a real child process on a temp socket and
// an ephemeral port, and tears it down. Every integration test goes through here.

import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';

export const CLI = resolve(import.meta.dirname, '../../dist/server/cli/main.js');

export interface Daemon {
  proc: ChildProcess;
  url: string;
  port: number;
  dir: string;
  socket: string;
  stdout: () => string;
  stderr: () => string;
  /** SIGTERM and wait for exit; returns the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  args?: string[];
  /** Use this socket path instead of one in a fresh temp dir. */
  socket?: string;
  dir?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  stdin?: 'pipe' | 'ignore';
  /** A --headless publisher: ready when it says it is publishing; `url` is empty and `port` 0. */
  headless?: boolean;
  /** Options for node itself, before the script (e.g. --inspect=127.0.0.1:0). */
  node?: string[];
}

export async function startDaemon(opts: StartOptions = {}): Promise<Daemon> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'mtaviz-'));
  const socket = opts.socket ?? join(dir, 'mtaviz.sock');
  const args = [...(opts.node ?? []), CLI, 'serve', '--port', '0', '--socket', socket, ...(opts.args ?? [])];
  const proc = spawn(process.execPath, args, {
    cwd: dir,
    env: { ...process.env, ...opts.env },
    stdio: [opts.stdin ?? 'ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));

  const url = await new Promise<string>((resolveUrl, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`daemon did not start in time\nstdout: ${out}\nstderr: ${err}`)),
      opts.timeoutMs ?? 20_000,
    );
    const onData = () => {
      const m = opts.headless ? /mtaviz publishing to \S+ as box \S+ \(headless\)\n/.exec(out) : /mtaviz listening on (http:\/\/\S+?)\/?(?:\s|$)/.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolveUrl(m[1] ?? '');
      }
    };
    proc.stdout!.on('data', onData);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`daemon exited with ${code} before listening\nstdout: ${out}\nstderr: ${err}`));
    });
  });

  return {
    proc,
    url,
    port: url ? Number(new URL(url).port) : 0,
    dir,
    socket,
    stdout: () => out,
    stderr: () => err,
    async stop(signal = 'SIGTERM') {
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      proc.kill(signal);
      const [code] = (await once(proc, 'exit')) as [number | null];
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}
