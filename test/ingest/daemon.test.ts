// End to end through the built daemon: real writers on its real sockets,
// counted by /healthz.

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { appendFileSync, existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthReport } from '../../server/http/healthz.js';
import { CLI, startDaemon, type Daemon, type StartOptions } from '../helpers/daemon.js';
import { leaveStaleSocket } from '../helpers/sockets.js';
import { waitFor } from '../helpers/wait.js';

const running: Daemon[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const d of running.splice(0)) await d.stop('SIGKILL');
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtaviz-e2e-'));
  dirs.push(dir);
  return dir;
}

async function daemon(opts: StartOptions = {}): Promise<Daemon> {
  const d = await startDaemon(opts);
  running.push(d);
  return d;
}

async function health(d: Daemon): Promise<HealthReport> {
  const res = await fetch(`${d.url}/healthz`);
  expect(res.status).toBe(200);
  return (await res.json()) as HealthReport;
}

function source(h: HealthReport, kind: string) {
  const entry = Object.values(h.sources).find((s) => s.kind === kind);
  if (!entry) throw new Error(`no ${kind} source in ${JSON.stringify(h)}`);
  return entry;
}

async function writer(path: string): Promise<Socket> {
  const sock = connect(path);
  await once(sock, 'connect');
  return sock;
}

async function endWriter(sock: Socket): Promise<void> {
  sock.end();
  await once(sock, 'close');
}

describe('mtaviz serve, end to end', () => {
  it('prints one listening line and serves /healthz with every source', async () => {
    const d = await daemon();
    expect(d.stdout()).toBe(`mtaviz listening on ${d.url}/\n`);
    const h = await health(d);
    expect(h.status).toBe('ok');
    expect(h.uptimeMs).toBeGreaterThanOrEqual(0);
    expect(h.sources[`unix-stream:${d.socket}`]).toEqual({ kind: 'unix-stream', lines: 0, bytes: 0, oversize: 0, errors: 0 });
    expect(statSync(d.socket).mode & 0o777).toBe(0o660);
    const missing = await fetch(`${d.url}/nope`);
    expect(missing.status).toBe(404);
  });

  it('counts every line from many writers at once on the stream socket', async () => {
    const d = await daemon();
    const WRITERS = 16;
    const PER = 5000;
    await Promise.all(
      Array.from({ length: WRITERS }, async (_, w) => {
        const sock = await writer(d.socket);
        const text = Array.from({ length: PER }, (_, i) => `<22>Dec  4 10:33:25 mx${w} postfix/smtp[${w}]: line ${i}\n`).join('');
        // Uneven writes, so lines straddle reads on every connection.
        for (let at = 0; at < text.length; at += 4093) sock.write(text.slice(at, at + 4093));
        await endWriter(sock);
      }),
    );
    const h = await waitFor(() => health(d), (r) => r.lines >= WRITERS * PER, { message: 'all lines counted' });
    expect(source(h, 'unix-stream')).toMatchObject({ lines: WRITERS * PER, oversize: 0, errors: 0 });
    expect(h.lines).toBe(WRITERS * PER);
  });

  it('stays up through a 10 MB line with no newline, counts it as oversize, and reads on', async () => {
    const d = await daemon();
    const sock = await writer(d.socket);
    const chunk = Buffer.alloc(1024 * 1024, 0x78);
    for (let i = 0; i < 10; i++) if (!sock.write(chunk)) await once(sock, 'drain');
    // The connection stays open and the line unterminated: the cut line is handed on anyway.
    const h = await waitFor(() => health(d), (r) => source(r, 'unix-stream').bytes === 10 * 1024 * 1024, { message: '10 MB read' });
    expect(source(h, 'unix-stream')).toMatchObject({ lines: 1, oversize: 1, errors: 0 });
    const other = await writer(d.socket);
    other.write('a normal line\n');
    await endWriter(other);
    sock.write('end of the long line\nand one more\n');
    await endWriter(sock);
    const after = await waitFor(() => health(d), (r) => r.lines === 3, { message: 'lines after the long one' });
    expect(source(after, 'unix-stream')).toMatchObject({ lines: 3, oversize: 1, errors: 0 });
    expect(d.proc.exitCode).toBeNull();
  });

  it('accounts for random binary bytes, line by line', async () => {
    const d = await daemon();
    const bytes = randomBytes(1024 * 1024);
    // What the daemon must count: LF-separated, one CR before an LF dropped, empty lines skipped.
    let expected = 0;
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i === bytes.length || bytes[i] === 0x0a) {
        const end = i > start && bytes[i - 1] === 0x0d ? i - 1 : i;
        if (end > start) expected++;
        start = i + 1;
      }
    }
    const sock = await writer(d.socket);
    sock.write(bytes);
    await endWriter(sock);
    const h = await waitFor(() => health(d), (r) => source(r, 'unix-stream').bytes === bytes.length, { message: 'all bytes read' });
    expect(source(h, 'unix-stream')).toMatchObject({ lines: expected, bytes: bytes.length, errors: 0 });
    expect(d.proc.exitCode).toBeNull();
  });

  it('reads datagrams from socat on --dgram', async () => {
    const dir = tempDir();
    const dgram = join(dir, 'dgram.sock');
    const d = await daemon({ args: ['--dgram', dgram] });
    for (let i = 0; i < 20; i++) {
      execFileSync('socat', ['-u', 'STDIN', `UNIX-SENDTO:${dgram}`], { input: `<22>Dec  4 10:33:25 mx postfix/smtp[1]: dgram ${i}\n` });
    }
    const h = await waitFor(() => health(d), (r) => source(r, 'unix-dgram').lines === 20, { message: '20 datagrams' });
    expect(source(h, 'unix-dgram')).toMatchObject({ oversize: 0, errors: 0 });
    expect(statSync(dgram).mode & 0o777).toBe(0o660);
  });

  it('reads TCP syslog in both framings on --syslog-tcp', async () => {
    const d = await daemon({ args: ['--syslog-tcp', '127.0.0.1:0'] });
    const address = source(await health(d), 'syslog-tcp').address!;
    const port = address.split(':').at(-1)!;
    execFileSync('logger', ['--tcp', '-n', '127.0.0.1', '-P', port, '-t', 'postfix/smtp', 'LF framed']);
    execFileSync('logger', ['--tcp', '--octet-count', '-n', '127.0.0.1', '-P', port, '-t', 'postfix/smtp', 'octet counted']);
    const h = await waitFor(() => health(d), (r) => source(r, 'syslog-tcp').lines === 2, { message: '2 syslog messages' });
    expect(source(h, 'syslog-tcp').errors).toBe(0);
  });

  it('reads standard input given as "-" and keeps serving after it ends', async () => {
    const d = await daemon({ args: ['-'], stdin: 'pipe' });
    d.proc.stdin!.write('one\ntwo\r\nthree without newline');
    d.proc.stdin!.end();
    const h = await waitFor(() => health(d), (r) => source(r, 'stdin').lines === 3, { message: 'stdin lines' });
    expect(source(h, 'stdin')).toMatchObject({ bytes: 'one\ntwo\r\nthree without newline'.length, errors: 0 });
    const sock = await writer(d.socket);
    sock.write('still listening\n');
    await endWriter(sock);
    await waitFor(() => health(d), (r) => r.lines === 4, { message: 'socket line after stdin ended' });
  });

  it('follows a tailed file through a rotation', async () => {
    const dir = tempDir();
    const log = join(dir, 'mail.log');
    writeFileSync(log, 'already there\n');
    const d = await daemon({ args: ['--tail', join(dir, '*.log'), '--from-start'] });
    await waitFor(() => health(d), (r) => source(r, 'tail').lines === 1, { message: 'existing line' });
    appendFileSync(log, 'appended\n');
    await waitFor(() => health(d), (r) => source(r, 'tail').lines === 2, { message: 'appended line' });
    execFileSync('mv', [log, `${log}.1`]);
    appendFileSync(`${log}.1`, 'late line in the rotated file\n');
    writeFileSync(log, 'first of the new file\n');
    const h = await waitFor(() => health(d), (r) => source(r, 'tail').lines === 4, { message: 'lines across rotation' });
    expect(source(h, 'tail')).toMatchObject({ errors: 0, oversize: 0 });
  });

  it('removes its socket file and exits 0 on SIGTERM, and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const dir = tempDir();
      const dgram = join(dir, 'dgram.sock');
      const d = await daemon({ dir, args: ['--dgram', dgram] });
      expect(existsSync(d.socket)).toBe(true);
      const sock = await writer(d.socket);
      sock.write('unterminated at shutdown');
      await waitFor(() => health(d), (r) => source(r, 'unix-stream').bytes > 0, { message: 'bytes read' });
      expect(await d.stop(signal)).toBe(0);
      expect(existsSync(d.socket)).toBe(false);
      expect(existsSync(dgram)).toBe(false);
      sock.destroy();
    }
  });

  it('replaces a stale socket file left by a crash', async () => {
    const dir = tempDir();
    const socket = join(dir, 'mtaviz.sock');
    await leaveStaleSocket(socket);
    const d = await daemon({ dir, socket });
    const sock = await writer(socket);
    sock.write('after the crash\n');
    await endWriter(sock);
    await waitFor(() => health(d), (r) => r.lines === 1, { message: 'line after restart' });
  });

  it('refuses a socket a live daemon is serving, with a clear error, and leaves that daemon alone', async () => {
    const first = await daemon();
    const second = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--socket', first.socket], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    second.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const [code] = (await once(second, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr.trim()).toBe(`mtaviz: ${first.socket} is in use by another running process (is another mtaviz running?)`);
    const sock = await writer(first.socket);
    sock.write('first daemon still serves\n');
    await endWriter(sock);
    await waitFor(() => health(first), (r) => r.lines === 1, { message: 'line to the first daemon' });
  });
});
