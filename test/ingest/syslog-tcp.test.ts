import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { SyslogTcpSource } from '../../server/ingest/syslog-tcp.js';
import { silentLogger } from '../../server/log.js';
import { waitFor } from '../helpers/wait.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
});

async function source(maxLine = 64 * 1024) {
  const lines: string[] = [];
  const src = new SyslogTcpSource({ host: '127.0.0.1', port: 0, maxLine, maxConnections: 64 }, (l) => lines.push(l), silentLogger());
  await src.start();
  cleanup.push(() => src.close());
  const port = Number(/:(\d+)$/.exec(src.address!)![1]);
  return { src, lines, port };
}

async function client(port: number): Promise<Socket> {
  const sock = connect(port, '127.0.0.1');
  await once(sock, 'connect');
  cleanup.push(() => void sock.destroy());
  return sock;
}

const frame = (msg: string) => `${Buffer.byteLength(msg)} ${msg}`;

describe('SyslogTcpSource', () => {
  it('listens on loopback and reports the bound port', async () => {
    const { src, port } = await source();
    expect(src.id).toBe('syslog-tcp:127.0.0.1:0');
    expect(src.address).toBe(`127.0.0.1:${port}`);
    expect(port).toBeGreaterThan(0);
  });

  it('reads LF-framed and octet-counted connections at the same time', async () => {
    const { src, lines, port } = await source();
    const lf = await client(port);
    const oc = await client(port);
    const lfMsgs = Array.from({ length: 200 }, (_, i) => `<13>Dec  4 10:33:25 mx postfix/smtp[1]: lf ${i}`);
    const ocMsgs = Array.from({ length: 200 }, (_, i) => `<13>1 2024-05-01T10:00:00Z mx postfix/smtp 1 - - oc ${i}\nsecond part ${i}`);
    const lfBytes = Buffer.from(lfMsgs.map((m) => m + '\n').join(''));
    const ocBytes = Buffer.from(ocMsgs.map(frame).join(''));
    // Odd-sized writes so frames and lines straddle reads.
    for (let at = 0; at < Math.max(lfBytes.length, ocBytes.length); at += 97) {
      lf.write(lfBytes.subarray(at, at + 97));
      oc.write(ocBytes.subarray(at, at + 97));
    }
    await waitFor(() => lines.length, (n) => n === 600);
    expect(lines.filter((l) => l.includes(': lf '))).toEqual(lfMsgs);
    expect(lines.filter((l) => l.includes(' oc '))).toEqual(ocMsgs.map((m) => m.split('\n')[0]));
    expect(lines.filter((l) => l.startsWith('second part'))).toHaveLength(200);
    expect(src.counters).toMatchObject({ lines: 600, errors: 0, oversize: 0, bytes: lfBytes.length + ocBytes.length });
  });

  it('takes both framings from util-linux logger, a real syslog sender', async () => {
    const { lines, port } = await source();
    execFileSync('logger', ['--tcp', '-n', '127.0.0.1', '-P', String(port), '-t', 'postfix/smtp', 'plain LF framing']);
    execFileSync('logger', ['--tcp', '--octet-count', '-n', '127.0.0.1', '-P', String(port), '-t', 'postfix/smtp', 'octet counted']);
    await waitFor(() => lines.length, (n) => n === 2);
    expect(lines.find((l) => l.endsWith('plain LF framing'))).toMatch(/^<\d+>.*postfix\/smtp/);
    expect(lines.find((l) => l.endsWith('octet counted'))).toMatch(/^<\d+>.*postfix\/smtp/);
  });

  it('counts a broken octet count and reads the rest as lines', async () => {
    const { src, lines, port } = await source();
    const sock = await client(port);
    sock.write(frame('<13>good frame') + 'xx not a count\n<13>after\n');
    await waitFor(() => lines.length, (n) => n === 3);
    expect(lines).toEqual(['<13>good frame', 'xx not a count', '<13>after']);
    expect(src.counters.errors).toBe(1);
  });

  it('caps a frame whose count is huge without waiting for all of it', async () => {
    const { src, lines, port } = await source(1024);
    const sock = await client(port);
    sock.write('999999999 <13>' + 'z'.repeat(200_000));
    await waitFor(() => src.counters.oversize, (n) => n === 1);
    expect(lines).toEqual(['<13>' + 'z'.repeat(1020)]);
  });
});
