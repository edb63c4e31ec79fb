import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DgramSocket } from 'node-unix-socket';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { datagramBody, UnixDgramSource } from '../../server/ingest/unix-dgram.js';
import { silentLogger } from '../../server/log.js';
import { leaveStaleSocket } from '../helpers/sockets.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
let path: string;
const cleanup: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-dgram-'));
  path = join(dir, 'in.sock');
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});

async function source(maxLine = 64 * 1024) {
  const lines: string[] = [];
  const src = new UnixDgramSource({ path, mode: 0o660, maxLine }, (line) => lines.push(line), silentLogger());
  await src.start();
  cleanup.push(() => src.close());
  return { src, lines };
}

function sender() {
  const sock = new DgramSocket();
  cleanup.push(() => sock.close());
  return (text: string | Buffer) =>
    new Promise<void>((resolve, reject) => {
      const buf = typeof text === 'string' ? Buffer.from(text) : text;
      sock.sendTo(buf, 0, buf.length, path, (err) => (err ? reject(err) : resolve()));
    });
}

describe('datagramBody', () => {
  it('strips any mix of trailing LF, CR and NUL', () => {
    expect(datagramBody(Buffer.from('a b\r\n\0')).toString()).toBe('a b');
    expect(datagramBody(Buffer.from('a\nb\n')).toString()).toBe('a\nb');
    expect(datagramBody(Buffer.from('\n\0')).toString()).toBe('');
  });
});

describe('UnixDgramSource', () => {
  it('reads one line per datagram, with or without a trailer', async () => {
    const { src, lines } = await source();
    const send = sender();
    await send('<22>Dec  4 10:33:25 mx postfix/smtp[1]: no trailer');
    await send('<22>Dec  4 10:33:25 mx postfix/smtp[1]: LF\n');
    await send('<22>Dec  4 10:33:25 mx postfix/smtp[1]: CRLF NUL\r\n\0');
    await waitFor(() => lines.length, (n) => n === 3);
    expect(lines).toEqual([
      '<22>Dec  4 10:33:25 mx postfix/smtp[1]: no trailer',
      '<22>Dec  4 10:33:25 mx postfix/smtp[1]: LF',
      '<22>Dec  4 10:33:25 mx postfix/smtp[1]: CRLF NUL',
    ]);
    expect(src.counters).toMatchObject({ lines: 3, oversize: 0, errors: 0 });
  });

  it('splits a datagram that carries several lines', async () => {
    const { lines } = await source();
    await sender()('one\ntwo\r\nthree\n');
    await waitFor(() => lines.length, (n) => n === 3);
    expect(lines).toEqual(['one', 'two', 'three']);
  });

  it('takes datagrams from socat, a real external writer', async () => {
    const { lines } = await source();
    execFileSync('socat', ['-u', 'STDIN', `UNIX-SENDTO:${path}`], { input: 'from socat\n' });
    await waitFor(() => lines, (l) => l.length === 1);
    expect(lines).toEqual(['from socat']);
  });

  it('takes many datagrams in order', async () => {
    const { lines } = await source();
    const send = sender();
    for (let i = 0; i < 2000; i++) await send(`seq=${i}\n`);
    await waitFor(() => lines.length, (n) => n === 2000);
    expect(lines).toEqual(Array.from({ length: 2000 }, (_, i) => `seq=${i}`));
  });

  it('cuts and counts a datagram longer than the line cap', async () => {
    const { src, lines } = await source(1000);
    const send = sender();
    await send('y'.repeat(5000));
    await waitFor(() => lines.length, (n) => n === 1);
    expect(lines[0]).toBe('y'.repeat(1000));
    expect(src.counters.oversize).toBe(1);
  });

  it('counts a datagram larger than the receive buffer as oversize', async () => {
    const { src, lines } = await source(128 * 1024);
    await sender()(Buffer.alloc(100_000, 0x7a));
    await waitFor(() => lines.length, (n) => n === 1);
    expect(lines[0]!.length).toBeLessThan(100_000);
    expect(src.counters.oversize).toBe(1);
  });

  it('sets the socket mode, replaces a stale socket and removes its file on close', async () => {
    await leaveStaleSocket(path, 'dgram');
    expect(statSync(path).isSocket()).toBe(true);
    const { src, lines } = await source();
    expect(statSync(path).mode & 0o777).toBe(0o660);
    await sender()('after restart');
    await waitFor(() => lines, (l) => l.length === 1);
    await src.close();
    expect(existsSync(path)).toBe(false);
  });

  it('refuses a datagram socket another live process is serving', async () => {
    const live = new DgramSocket();
    live.bind(path);
    cleanup.push(() => live.close());
    const src = new UnixDgramSource({ path, mode: 0o660, maxLine: 1024 }, () => {}, silentLogger());
    await expect(src.start()).rejects.toThrow(/in use by another running process/);
    expect(statSync(path).isSocket()).toBe(true);
  });
});
