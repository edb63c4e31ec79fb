// `mtaviz parse`, the built CLI as a user runs it.

import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventProblem } from '../../server/parse/schema.js';
import { CLI } from '../helpers/daemon.js';
import { FIXTURES } from './helpers.js';

const MAILLOG = resolve(FIXTURES, 'postfix/maillog.log');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-parse-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function parse(args: string[], input?: string | Buffer) {
  const r = spawnSync(process.execPath, [CLI, 'parse', '--tz', 'UTC', ...args], { input, encoding: 'utf8', maxBuffer: 1 << 28 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('mtaviz parse', () => {
  it('prints the events of a file as NDJSON and a summary on stderr', () => {
    const { code, out, err } = parse([MAILLOG]);
    expect(code).toBe(0);
    const events = out.trimEnd().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(events).toHaveLength(199);
    for (const e of events) expect(eventProblem(e)).toBeUndefined();
    expect(err).toMatch(/^mtaviz parse: 585 lines in \d+\.\d\d s \(postfix 585\): 199 events, 386 ignored, 0 unparsed\n/);
    expect(err).toContain('injection 76  delivery 67  deferral 33  bounce 20  rejection 3');
  });

  it('reads stdin when given "-" or no file, CRLF and a last line without LF included', () => {
    const text = readFileSync(MAILLOG, 'utf8').replace(/\n/g, '\r\n').replace(/\r\n$/, '');
    for (const args of [['-'], []]) {
      const { code, out, err } = parse(args, text);
      expect(code).toBe(0);
      expect(out.trimEnd().split('\n')).toHaveLength(199);
      expect(err).toContain('585 lines');
      expect(err).toContain(' 0 unparsed');
    }
  });

  it('reads lines split across 1 MiB reads and cuts an over-long line', () => {
    const lines = readFileSync(MAILLOG, 'utf8').trimEnd().split('\n');
    const big: string[] = [];
    for (let i = 0; i < 40; i++) big.push(...lines);
    big.splice(1000, 0, 'x'.repeat(3 << 20));
    const file = join(dir, 'big.log');
    writeFileSync(file, big.join('\n') + '\n');
    const { code, out, err } = parse([file]);
    expect(code).toBe(0);
    // Queue IDs repeat across the copies, so each copy's injections count once per copy (own arrival lines).
    expect(out.trimEnd().split('\n').length).toBe(40 * 199);
    expect(err).toContain(`${40 * 585 + 1} lines`);
    expect(err).toContain('1 unparsed');
    expect(err).toContain('1 lines cut at 65536 bytes');
  });

  it('--format pins the parser; --show-addresses lets addresses out', () => {
    const exim = parse(['--format', 'exim', MAILLOG]);
    expect(exim.out).toBe('');
    expect(exim.err).toContain('(exim 585): 0 events');
    const shown = parse(['--show-addresses', MAILLOG]);
    expect(shown.out).toContain('<user@nowhere.example>');
    expect(parse([MAILLOG]).out).not.toContain('user@');
  });

  it('answers bad arguments with one line and status 2', () => {
    expect(parse(['/nonexistent/mail.log'])).toMatchObject({ code: 2, err: 'mtaviz: cannot read "/nonexistent/mail.log": ENOENT\n' });
    expect(parse([MAILLOG, MAILLOG])).toMatchObject({ code: 2, err: 'mtaviz: parse takes one FILE, got 2\n' });
    expect(parse(['--format', 'qmail', MAILLOG]).code).toBe(2);
    expect(parse(['--tz', 'Mars/Olympus', MAILLOG])).toMatchObject({ code: 2, err: expect.stringContaining('is not a time zone') });
    const cfg = join(dir, 'bad-fields.json');
    writeFileSync(cfg, JSON.stringify({ fields: { postfix: { egress: ['vmta'] } } }));
    expect(parse(['--config', cfg, MAILLOG])).toMatchObject({
      code: 2,
      err: expect.stringContaining('"postfix.egress": unknown field "vmta" (one of syslog_name, program, service, relay)'),
    });
  });

  it('takes field maps from the config file', () => {
    const cfg = join(dir, 'fields.json');
    writeFileSync(cfg, JSON.stringify({ fields: { postfix: { egress: 'relay' } } }));
    const { out } = parse(['--config', cfg, MAILLOG]);
    const egress = new Set(out.trimEnd().split('\n').map((l) => (JSON.parse(l) as { egress?: string }).egress));
    expect(egress).toEqual(new Set([undefined, '127.0.0.1', '::1']));
  });

  it('stops quietly when its reader goes away (| head)', async () => {
    const lines = readFileSync(MAILLOG, 'utf8');
    const file = join(dir, 'long.log');
    writeFileSync(file, lines.repeat(400));
    const child = spawn(process.execPath, [CLI, 'parse', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(err).toBe('');
  });
});
