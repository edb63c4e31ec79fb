// The built daemon as a child process for benchmarks that measure it from the
// outside: its own process (so its CPU time is its own), a temp socket, an
// ephemeral port, and CPU time read from /proc.

import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CLI = new URL('../../server/cli/main.js', import.meta.url).pathname;
/** USER_HZ: /proc reports CPU time in these ticks; 100 on every Linux we run on. */
const TICKS_PER_SEC = 100;

export interface DaemonProcess {
  proc: ChildProcess;
  url: string;
  socket: string;
  /** User + system CPU time of the daemon so far, ms (10 ms resolution). */
  cpuMs(): number;
  /** Resident set size now, bytes. */
  rss(): number;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  /** Options for node itself, before the script (e.g. --inspect=127.0.0.1:0). */
  node?: string[];
  /** Sees the daemon's stderr as it comes (it is passed on to ours as well). */
  onStderr?: (text: string) => void;
}

export async function spawnDaemon(args: string[], opts: SpawnOptions = {}): Promise<DaemonProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'mtaviz-bench-'));
  const socket = join(dir, 'mtaviz.sock');
  const proc = spawn(process.execPath, [...(opts.node ?? []), CLI, 'serve', '--port', '0', '--socket', socket, ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', opts.onStderr ? 'pipe' : 'inherit'],
  });
  if (opts.onStderr) {
    const onStderr = opts.onStderr;
    proc.stderr!.setEncoding('utf8').on('data', (d: string) => {
      process.stderr.write(d);
      onStderr(d);
    });
  }
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = /mtaviz listening on (http:\/\/\S+?)\/?(?:\s|$)/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.once('exit', (code) => reject(new Error(`daemon exited with ${code} before listening`)));
  });
  const stat = () => {
    // The command name (field 2) may hold spaces; fields are counted after its ')'.
    const s = readFileSync(`/proc/${proc.pid}/stat`, 'utf8');
    return s.slice(s.lastIndexOf(')') + 2).split(' ');
  };
  return {
    proc,
    url,
    socket,
    cpuMs() {
      const f = stat();
      // Fields 14 and 15 (utime, stime); f[0] is field 3 (state).
      return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_SEC;
    },
    rss() {
      const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    },
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** GET a JSON endpoint of the daemon. */
export async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return (await res.json()) as T;
}
