import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SocketPathError } from '../../server/ingest/socket-path.js';
import { UnixStreamSource, type UnixStreamOptions } from '../../server/ingest/unix-stream.js';
import { silentLogger } from '../../server/log.js';
import { leaveStaleSocket } from '../helpers/sockets.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
let path: string;
const cleanup: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-stream-'));
  path = join(dir, 'in.sock');
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});

async function source(opts: Partial<UnixStreamOptions> = {}) {
  const lines: string[] = [];
  const src = new UnixStreamSource(
    { path, mode: 0o660, maxLine: 64 * 1024, maxConnections: 1024, ...opts },
    (line) => lines.push(line),
    silentLogger(),
  );
  await src.start();
  cleanup.push(() => src.close());
  return { src, lines };
}

async function writer(): Promise<Socket> {
  const sock = connect(path);
  await once(sock, 'connect');
  cleanup.push(() => void sock.destroy());
  return sock;
}

function end(sock: Socket): Promise<unknown> {
  sock.end();
  return once(sock, 'close');
}

describe('UnixStreamSource', () => {
  it('takes many concurrent writers, each line exactly once', async () => {
    const { src, lines } = await source();
    const WRITERS = 24;
    const PER = 2000;
    const socks = await Promise.all(Array.from({ length: WRITERS }, () => writer()));
    // Interleave small, odd-sized writes from every writer so chunks end mid-line.
    await Promise.all(
      socks.map(async (sock, w) => {
        let pending = '';
        for (let i = 0; i < PER; i++) {
          pending += `writer=${w} seq=${i} ${'x'.repeat((w * 7 + i) % 50)}\n`;
          if (pending.length > 37 + w) {
            const cut = (i % 5) + 1;
            if (!sock.write(pending.slice(0, -cut))) await once(sock, 'drain');
            pending = pending.slice(-cut);
          }
          if (i % 100 === 0) await new Promise((r) => setImmediate(r));
        }
        sock.write(pending);
        await end(sock);
      }),
    );
    await waitFor(() => lines.length, (n) => n >= WRITERS * PER, { message: 'all lines' });
    expect(lines).toHaveLength(WRITERS * PER);
    const seen = new Set(lines.map((l) => l.split(' ', 2).join(' ')));
    expect(seen.size).toBe(WRITERS * PER);
    for (let w = 0; w < WRITERS; w++) {
      const own = lines.filter((l) => l.startsWith(`writer=${w} `)).map((l) => Number(/seq=(\d+)/.exec(l)![1]));
      expect(own).toEqual(Array.from({ length: PER }, (_, i) => i));
    }
    expect(src.counters).toMatchObject({ lines: WRITERS * PER, oversize: 0, errors: 0 });
  });

  it('reassembles a line split across two writes at every byte offset', async () => {
    const { src, lines } = await source();
    const sock = await writer();
    const line = 'Dec  4 10:33:25 mx1 postfix/smtp[14678]: 4F2A81C0E2B: to=<ü@example.com>, status=sent ✓\r\n';
    const bytes = Buffer.from(line);
    for (let cut = 1; cut < bytes.length; cut++) {
      const before = src.counters.bytes;
      sock.write(bytes.subarray(0, cut));
      // The first part must have been read on its own before the rest is sent.
      await waitFor(() => src.counters.bytes, (b) => b === before + cut, { message: `first ${cut} bytes read`, intervalMs: 2 });
      sock.write(bytes.subarray(cut));
      await waitFor(() => lines.length, (n) => n === cut, { message: `line ${cut}`, intervalMs: 2 });
    }
    expect(new Set(lines)).toEqual(new Set([line.slice(0, -2)]));
    expect(src.counters.oversize).toBe(0);
  });

  it('hands on a last line without LF when the writer closes', async () => {
    const { lines } = await source();
    const sock = await writer();
    sock.write('complete\nno newline at end');
    await end(sock);
    await waitFor(() => lines, (l) => l.length === 2);
    expect(lines).toEqual(['complete', 'no newline at end']);
  });

  it('cuts and counts an oversize line, keeps the connection and reads on', async () => {
    const { src, lines } = await source({ maxLine: 1024 });
    const sock = await writer();
    sock.write('a'.repeat(1024 * 1024));
    await waitFor(() => src.counters.oversize, (n) => n === 1);
    sock.write('b'.repeat(1000) + '\nnext\n');
    await waitFor(() => lines.length, (n) => n === 2);
    expect(lines[0]).toBe('a'.repeat(1024));
    expect(lines[1]).toBe('next');
    expect(sock.destroyed).toBe(false);
  });

  it('hands on each writer\'s unterminated line when it closes', async () => {
    const { src, lines } = await source();
    const sock = await writer();
    sock.write('whole\nhalf a line');
    await waitFor(() => src.counters.bytes, (b) => b === 'whole\nhalf a line'.length);
    await src.close();
    expect(lines).toEqual(['whole', 'half a line']);
  });

  it('refuses writers beyond --max-connections and counts them', async () => {
    const { src, lines } = await source({ maxConnections: 2 });
    const a = await writer();
    const b = await writer();
    await waitFor(() => src.connections, (n) => n === 2);
    const c = connect(path);
    c.on('error', () => {});
    await once(c, 'close');
    expect(src.counters.errors).toBe(1);
    a.write('a\n');
    b.write('b\n');
    await waitFor(() => lines.length, (n) => n === 2);
  });

  it('creates the socket with mode 0660 by default and as configured', async () => {
    const { src } = await source();
    expect(statSync(path).mode & 0o777).toBe(0o660);
    await src.close();
    await source({ mode: 0o600 });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('removes its socket file on close', async () => {
    const { src } = await source();
    expect(statSync(path).isSocket()).toBe(true);
    await src.close();
    expect(existsSync(path)).toBe(false);
    await src.close();
  });

  it('replaces a stale socket file left by a crash', async () => {
    await leaveStaleSocket(path);
    expect(statSync(path).isSocket()).toBe(true);
    const { lines } = await source();
    const sock = await writer();
    sock.write('after restart\n');
    await waitFor(() => lines, (l) => l.length === 1);
    expect(lines).toEqual(['after restart']);
  });

  it('refuses a socket another live process is serving, and leaves it alone', async () => {
    const live = createServer().listen(path);
    await once(live, 'listening');
    cleanup.push(() => new Promise<void>((r) => live.close(() => r())));
    const src = new UnixStreamSource({ path, mode: 0o660, maxLine: 1024, maxConnections: 8 }, () => {}, silentLogger());
    await expect(src.start()).rejects.toThrow(SocketPathError);
    await expect(src.start()).rejects.toThrow(/in use by another running process/);
    expect(statSync(path).isSocket()).toBe(true);
    const probe = connect(path);
    await once(probe, 'connect');
    probe.destroy();
  });

  it('refuses to replace a path that is not a socket', async () => {
    writeFileSync(path, 'precious');
    const src = new UnixStreamSource({ path, mode: 0o660, maxLine: 1024, maxConnections: 8 }, () => {}, silentLogger());
    await expect(src.start()).rejects.toThrow(/is not a socket/);
    expect(statSync(path).isFile()).toBe(true);
  });
});
