import { appendFileSync, closeSync, copyFileSync, mkdirSync, mkdtempSync, openSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { globBase, TailSource, type TailOptions } from '../../server/ingest/tail.js';
import { silentLogger } from '../../server/log.js';
import { waitFor } from '../helpers/wait.js';

let dir: string;
const cleanup: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'mtaviz-tail-'));
});

afterEach(async () => {
  for (const fn of cleanup.splice(0).reverse()) await fn();
  rmSync(dir, { recursive: true, force: true });
});

async function tail(globs: string[], opts: Partial<TailOptions> = {}) {
  const lines: string[] = [];
  const src = new TailSource({ globs, fromStart: false, maxLine: 64 * 1024, pollMs: 200, ...opts }, (l) => lines.push(l), silentLogger());
  await src.start();
  cleanup.push(() => src.close());
  return { src, lines };
}

/** Lets the event loop run, so the tail reads while the writer is still going. */
const tick = () => new Promise<void>((r) => setImmediate(r));

/** A logger keeping its file open with O_APPEND, as syslog daemons and MTAs do. */
class NumberedWriter {
  next = 0;
  private fd: number;
  constructor(private readonly path: string) {
    this.fd = openSync(path, 'a');
    cleanup.push(() => closeSync(this.fd));
  }
  /** Writes `n` numbered lines, yielding to the event loop every `every` lines (never if 0). */
  async write(n: number, every = 25): Promise<void> {
    for (let k = 0; k < n; k++) {
      writeSync(this.fd, `line ${this.next++} ${'p'.repeat(this.next % 40)}\n`);
      if (every && k % every === every - 1) await tick();
    }
  }
  /** What a logger does on SIGHUP after its file was renamed: open the name anew. */
  reopen(): void {
    closeSync(this.fd);
    this.fd = openSync(this.path, 'a');
  }
  expected(): string[] {
    return Array.from({ length: this.next }, (_, i) => `line ${i} ${'p'.repeat((i + 1) % 40)}`);
  }
}

async function allArrived(lines: string[], w: NumberedWriter): Promise<void> {
  // A last line written after everything else: once it is in, all the others had their chance too.
  await w.write(1, 0);
  const last = w.expected().at(-1);
  await waitFor(() => lines.includes(last!), Boolean, { message: `line ${w.next - 1}` });
}

/**
 * Waits until the tail has read a line written since `first`. A rotation
 * storm that renames a file away before the tail ever saw it loses that file
 * for any tailer; with real logrotate the tail has long been reading it.
 */
async function seenSince(lines: string[], first: number): Promise<void> {
  await waitFor(
    () => lines.some((l) => Number(l.split(' ', 2)[1]) >= first),
    Boolean,
    { message: `a line numbered ${first} or later` },
  );
}

describe('globBase', () => {
  it('watches the directory part of a glob, as deep as the glob reaches', () => {
    expect(globBase('/var/log/mail.log')).toEqual({ base: '/var/log', depth: 0 });
    expect(globBase('/var/log/*.log')).toEqual({ base: '/var/log', depth: 0 });
    expect(globBase('/srv/*/log/mail.log')).toEqual({ base: '/srv', depth: 2 });
    expect(globBase('/srv/**/mail.log')).toEqual({ base: '/srv', depth: undefined });
  });
});

describe('TailSource', () => {
  it('starts at the end of files already there, and reads what is appended', async () => {
    const file = join(dir, 'mail.log');
    writeFileSync(file, 'before start 1\nbefore start 2\n');
    const { src, lines } = await tail([join(dir, '*.log')]);
    expect(src.files).toEqual([file]);
    appendFileSync(file, 'after start\n');
    await waitFor(() => lines, (l) => l.length === 1);
    expect(lines).toEqual(['after start']);
  });

  it('reads files already there from their start with fromStart', async () => {
    const file = join(dir, 'mail.log');
    writeFileSync(file, 'before start 1\nbefore start 2\n');
    const { lines } = await tail([join(dir, '*.log')], { fromStart: true });
    appendFileSync(file, 'after start\n');
    await waitFor(() => lines, (l) => l.length === 3);
    expect(lines).toEqual(['before start 1', 'before start 2', 'after start']);
  });

  it('picks up new files matching the glob from their start, in subdirectories too, and ignores others', async () => {
    mkdirSync(join(dir, 'a'));
    const { src, lines } = await tail([join(dir, '**', '*.log')]);
    writeFileSync(join(dir, 'other.txt'), 'not followed\n');
    writeFileSync(join(dir, 'new.log'), 'first of new\n');
    mkdirSync(join(dir, 'a', 'b'));
    writeFileSync(join(dir, 'a', 'b', 'deep.log'), 'deep one\n');
    await waitFor(() => lines, (l) => l.length === 2);
    expect(lines.sort()).toEqual(['deep one', 'first of new']);
    expect(src.files.sort()).toEqual([join(dir, 'a', 'b', 'deep.log'), join(dir, 'new.log')]);
  });

  it('follows rename + create rotation with the writer running: every line once, in order', async () => {
    const file = join(dir, 'mail.log');
    writeFileSync(file, '');
    const { src, lines } = await tail([file]);
    const w = new NumberedWriter(file);
    for (let round = 0; round < 4; round++) {
      const first = w.next;
      await w.write(400);
      await seenSince(lines, first);
      // Lines the tail cannot have read yet when the file is renamed.
      await w.write(150, 0);
      renameSync(file, `${file}.${round}`);
      // The logger has not been told yet: a few more lines go to the renamed file.
      await w.write(30, 10);
      w.reopen();
    }
    await w.write(400);
    await allArrived(lines, w);
    expect(lines).toEqual(w.expected());
    expect(src.counters.errors).toBe(0);
  });

  it('follows a file renamed onto another followed name without reading it twice', async () => {
    const file = join(dir, 'mail.log');
    writeFileSync(file, '');
    const { lines } = await tail([join(dir, 'mail*.log')]);
    const w = new NumberedWriter(file);
    for (let round = 0; round < 3; round++) {
      const first = w.next;
      await w.write(300);
      await seenSince(lines, first);
      await w.write(150, 0);
      renameSync(file, join(dir, `mail-${round}.log`));
      await w.write(20, 5);
      w.reopen();
    }
    await w.write(300);
    await allArrived(lines, w);
    // Exactly once; a renamed file's late lines may come after the new file's.
    expect(lines).toHaveLength(w.next);
    expect(new Set(lines)).toEqual(new Set(w.expected()));
  });

  it('follows copytruncate rotation with the writer running: every line once, in order', async () => {
    const file = join(dir, 'mail.log');
    writeFileSync(file, '');
    const { src, lines } = await tail([file]);
    const w = new NumberedWriter(file);
    for (let round = 0; round < 4; round++) {
      const first = w.next;
      await w.write(400);
      // If the tail had read none of this file, nothing would tell which copy holds the rest.
      await seenSince(lines, first);
      // Lines the tail cannot have read yet when the copy is taken: they must come from the copy.
      await w.write(150, 0);
      copyFileSync(file, `${file}.${round}`);
      truncateSync(file, 0);
      // Round 2: the logger writes past our old offset before we look again.
      if (round === 2) await w.write(2000, 0);
    }
    await w.write(400);
    await allArrived(lines, w);
    expect(lines).toEqual(w.expected());
    expect(src.counters.errors).toBe(0);
  });

  it('follows a file deleted and created again', async () => {
    const file = join(dir, 'mail.log');
    writeFileSync(file, '');
    const { lines } = await tail([file]);
    appendFileSync(file, 'one\n');
    await waitFor(() => lines, (l) => l.length === 1);
    unlinkSync(file);
    writeFileSync(file, 'two\n');
    await waitFor(() => lines, (l) => l.length === 2);
    expect(lines).toEqual(['one', 'two']);
  });

  it('cuts and counts an oversize line in a file, bounded by the cap', async () => {
    const file = join(dir, 'mail.log');
    writeFileSync(file, '');
    const { src, lines } = await tail([file], { maxLine: 1000 });
    appendFileSync(file, 'q'.repeat(3_000_000) + '\nafter\n');
    await waitFor(() => lines, (l) => l.length === 2);
    expect(lines).toEqual(['q'.repeat(1000), 'after']);
    expect(src.counters.oversize).toBe(1);
  });
});
