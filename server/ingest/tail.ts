// Follows files matching globs (--tail, repeatable), like `tail -F` does:
// files present at start are read from their end (from their start with
// --from-start), files that appear later from their start. Files are tracked
// by inode, not by name, so both rotation styles are lossless:
// - rename + create: the renamed inode stays open ("orphaned") and is read to
//   its end before the new file at that name, and is closed once the new file
//   has data (a writer only writes there after it is done with the old one);
//   if the new name also matches a glob the inode simply carries on there;
// - copytruncate: TailedFile notices the truncation and reads the unread rest
//   from the copy.
// chokidar (5, which has no globs) watches each glob's directory part; every
// event, whatever its kind, just schedules a check of that path, and a slow
// poll re-checks every followed path in case an event was missed. All checks
// run one at a time through one read buffer.

import { watch as watchDir, type FSWatcher as DirWatcher } from 'node:fs';
import type { Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import picomatch from 'picomatch';
import type { Logger } from '../log.js';
import { COMPRESSED, fileKey, MAX_LISTINGS, TailedFile, type Checkpoint } from './tailed-file.js';
import { newCounters, type LineHandler, type Source } from './source.js';

export interface TailOptions {
  globs: readonly string[];
  fromStart: boolean;
  maxLine: number;
  /** How often every followed file is re-checked, besides change events. */
  pollMs: number;
}

const READ_BUFFER = 64 * 1024;
/** Bytes read from one file before other files get their turn. */
const READ_BUDGET = 4 * 1024 * 1024;
/** An orphan whose name was never taken over again is closed after this long. */
const ORPHAN_MS = 60_000;
/** Checkpoints of closed orphans kept, oldest dropped first. */
const MAX_RETIRED = 256;

interface Orphan {
  file: TailedFile;
  since: number;
}

/** The directory part of a glob (watched) and how deep below it matches can be. */
export function globBase(glob: string): { base: string; depth: number | undefined } {
  const parts = resolve(glob).split(sep);
  const magic = parts.findIndex((p) => picomatch.scan(p).isGlob);
  const baseParts = magic < 0 ? parts.slice(0, -1) : parts.slice(0, magic);
  const rest = parts.slice(baseParts.length);
  return {
    base: baseParts.join(sep) || sep,
    depth: rest.includes('**') ? undefined : rest.length - 1,
  };
}

export class TailSource implements Source {
  readonly kind = 'tail' as const;
  readonly id: string;
  readonly counters = newCounters();
  private readonly match: (path: string) => boolean;
  private watcher: FSWatcher | undefined;
  private readonly dirWatchers: DirWatcher[] = [];
  private poll: NodeJS.Timeout | undefined;
  private readonly byPath = new Map<string, TailedFile>();
  /** Files rotated away from a name, by that name. */
  private readonly orphans = new Map<string, Orphan[]>();
  /**
   * Where closed orphans stopped, by inode. A file renamed onto another
   * followed name may be seen there only after its orphan was closed; it then
   * resumes from here instead of being read again from its start.
   */
  private readonly retired = new Map<string, Checkpoint>();
  /** Every name a followed file had, so the poll notices a name taken by a new file even if no event said so. */
  private readonly names = new Set<string>();
  /** Per followed name, the mtime of its file when a check last found it there. */
  private readonly seenAt = new Map<string, number>();
  private readonly pending = new Set<string>();
  private queue: Promise<void> = Promise.resolve();
  private readonly buf = Buffer.allocUnsafe(READ_BUFFER);
  private initial = true;
  private closed = false;

  constructor(
    private readonly opts: TailOptions,
    private readonly onLine: LineHandler,
    private readonly log: Logger,
  ) {
    this.id = `tail:${opts.globs.join(',')}`;
    this.match = picomatch(opts.globs.map((g) => resolve(g)));
  }

  /** Paths followed now. */
  get files(): string[] {
    return [...this.byPath.keys()];
  }

  async start(): Promise<void> {
    const bases = this.opts.globs.map(globBase);
    const shallow = bases.every((b) => b.depth !== undefined);
    const watcher = watch(
      bases.map((b) => b.base),
      {
        // Directories are never ignored, so globs below them still see new files.
        ignored: (path, stats) => stats?.isFile() === true && !this.match(path),
        ignoreInitial: false,
        persistent: true,
        // Rotation is seen as what it is (unlink + add), not smoothed into a change.
        atomic: false,
        ...(shallow ? { depth: Math.max(...bases.map((b) => b.depth!)) } : {}),
      },
    );
    watcher.on('all', (_event, path) => this.schedule(path));
    watcher.on('error', (err) => {
      this.counters.errors++;
      this.log.warn({ source: this.id, err }, 'watch error');
    });
    this.watcher = watcher;
    // chokidar re-reads a directory at most once a second; a name that is
    // rotated faster than that (a rotation storm) would be seen late or not
    // at all. inotify on each base directory says at once which name changed.
    for (const base of new Set(bases.map((b) => b.base))) {
      try {
        const w = watchDir(base, { persistent: false }, (_event, name) => {
          const path = name ? join(base, name.toString()) : undefined;
          if (path && this.match(path)) this.schedule(path);
        });
        w.on('error', (err) => {
          this.counters.errors++;
          this.log.warn({ source: this.id, err }, 'directory watch error');
        });
        this.dirWatchers.push(w);
      } catch (err) {
        // A base that does not exist yet is chokidar's to find.
        this.log.debug({ source: this.id, base, err }, 'directory not watched directly');
      }
    }
    await new Promise<void>((resolveReady) => watcher.once('ready', () => resolveReady()));
    // Files found by the initial scan were scheduled before 'ready'; once
    // they are opened, anything that appears later is new and read whole.
    await this.enqueue(async () => {
      this.initial = false;
    });
    this.poll = setInterval(() => this.pollAll(), this.opts.pollMs);
    this.poll.unref();
    if (this.byPath.size === 0) this.log.warn({ source: this.id }, 'no file matches yet; waiting for one to appear');
    else this.log.info({ source: this.id, files: this.files }, 'following');
  }

  private pollAll(): void {
    for (const path of this.names) this.schedule(path);
  }

  private schedule(path: string): void {
    if (this.closed || this.pending.has(path)) return;
    this.pending.add(path);
    void this.enqueue(() => {
      this.pending.delete(path);
      return this.check(path);
    });
  }

  private enqueue(job: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(job).catch((err: unknown) => {
      this.counters.errors++;
      this.log.warn({ source: this.id, err }, 'read error');
    });
    return this.queue;
  }

  /** Brings one name up to date: follows renames and replacements, then reads what is new. */
  private async check(path: string): Promise<void> {
    if (this.closed) return;
    let st;
    try {
      st = await stat(path);
    } catch {
      st = undefined;
    }
    const key = st?.isFile() ? fileKey(st) : undefined;
    const current = this.byPath.get(path);
    if (current && current.key !== key) {
      this.byPath.delete(path);
      this.orphan(path, current);
      this.log.debug({ source: this.id, path, from: current.key, to: key }, 'rotated away');
    }
    if (key !== undefined && !this.byPath.has(path) && this.match(path)) {
      await this.recoverSkipped(path, key);
      const known = this.take(key);
      if (known) {
        known.path = path;
        this.byPath.set(path, known);
      } else {
        const retired = this.retired.get(key);
        this.retired.delete(key);
        const at = retired ?? (this.initial && !this.opts.fromStart ? 'end' : 'start');
        const file = await TailedFile.open(path, at, this.opts.maxLine, (line, bytes, at) => this.onLine(line, this, bytes, at), this.counters);
        if (file && file.key !== key) {
          // The name moved on between stat and open: the file we stat-ed is
          // now a rotated sibling. Look again; that look recovers it.
          await file.close();
          if (retired) this.retired.set(key, retired);
          this.schedule(path);
          return;
        }
        if (file) this.byPath.set(path, file);
        this.log.debug({ source: this.id, path, key, at: typeof at === 'string' ? at : at.pos }, 'following');
      }
    }
    const file = this.byPath.get(path);
    if (file && st && file.key === key) this.seenAt.set(path, st.mtimeMs);
    if (file) this.names.add(path);
    else if (!this.orphans.has(path)) this.names.delete(path);
    await this.drainOrphans(path, file ? (await file.size()) > 0 : false);
    if (file && (await file.readNew(this.buf, READ_BUDGET))) this.schedule(path);
  }

  /**
   * A new file is at `path`: files that were there only between two of our
   * checks (a rotation storm: created, written and rotated on before we
   * looked) lie beside it under rotated names, never read. They are the
   * siblings (the name plus a suffix, not compressed) that we do not hold
   * open and that were written since we last saw our file at the name (file
   * times tick coarsely, hence "since", not "after"); they are read whole,
   * oldest first, after the file we were following and before the new one.
   * A file rotated away and deleted before we looked is gone for anyone.
   */
  private async recoverSkipped(path: string, successor: string): Promise<void> {
    const since = this.seenAt.get(path);
    if (since === undefined) return;
    const skipped = await this.siblings(path, (key, st) => st.size > 0 && st.mtimeMs >= since && key !== successor && !this.isOpen(key));
    for (const s of [...skipped.values()].sort((a, b) => a.mtimeMs - b.mtimeMs)) {
      // A closed file of ours resumes where we stopped, if it is still the same content
      // (inode numbers are reused once a file is deleted); anything else is read whole.
      const retired = this.retired.get(s.key);
      this.retired.delete(s.key);
      let file = await TailedFile.open(s.path, retired ?? 'start', this.opts.maxLine, (line, bytes, at) => this.onLine(line, this, bytes, at), this.counters);
      if (file && file.key !== s.key) {
        // Rotated on to another name since it was listed: look for it once more.
        await file.close();
        const moved = (await this.siblings(path, (key) => key === s.key)).get(s.key);
        file = moved && (await TailedFile.open(moved.path, retired ?? 'start', this.opts.maxLine, (line, bytes, at) => this.onLine(line, this, bytes, at), this.counters));
        if (file && file.key !== s.key) {
          await file.close();
          file = undefined;
        }
      }
      if (!file) {
        // Listed, unread, and gone (rotated past the last copy kept): its lines are lost.
        this.counters.errors++;
        this.log.warn({ source: this.id, path: s.path }, 'a rotated file was removed before it could be read');
        continue;
      }
      if (!retired) this.log.info({ source: this.id, path: s.path }, 'reading a rotated file that was never seen at its name');
      this.orphan(path, file);
    }
  }

  /**
   * The rotated siblings of `path` (the name plus a suffix, not compressed)
   * that `want`, by inode. A rotation shifting names (.1 -> .2) while the
   * directory is listed can move a file onto a name already looked at, so
   * it is listed again until a listing finds nothing new.
   */
  private async siblings(path: string, want: (key: string, st: Stats) => boolean): Promise<Map<string, { path: string; key: string; mtimeMs: number }>> {
    const dir = dirname(path);
    const base = basename(path);
    const found = new Map<string, { path: string; key: string; mtimeMs: number }>();
    for (let pass = 0; pass < MAX_LISTINGS; pass++) {
      let names: string[];
      try {
        names = await readdir(dir);
      } catch {
        break;
      }
      let added = false;
      for (const name of names) {
        if (name === base || !name.startsWith(base) || COMPRESSED.test(name)) continue;
        const sibling = join(dir, name);
        try {
          const st = await stat(sibling);
          const key = fileKey(st);
          if (!st.isFile() || !want(key, st)) continue;
          if (!found.has(key)) added = true;
          found.set(key, { path: sibling, key, mtimeMs: st.mtimeMs });
        } catch {
          // Gone meanwhile.
        }
      }
      if (!added) break;
    }
    return found;
  }

  /** An inode we hold open (so its number cannot have been reused). */
  private isOpen(key: string): boolean {
    for (const f of this.byPath.values()) if (f.key === key) return true;
    for (const list of this.orphans.values()) if (list.some((o) => o.file.key === key)) return true;
    return false;
  }

  private orphan(path: string, file: TailedFile): void {
    const list = this.orphans.get(path) ?? [];
    list.push({ file, since: Date.now() });
    this.orphans.set(path, list);
  }

  /** Takes a followed inode out of wherever it is (another name, or orphaned) to move it. */
  private take(key: string): TailedFile | undefined {
    for (const [path, file] of this.byPath) {
      if (file.key === key) {
        this.byPath.delete(path);
        return file;
      }
    }
    for (const [path, list] of this.orphans) {
      const i = list.findIndex((o) => o.file.key === key);
      if (i >= 0) {
        const [orphan] = list.splice(i, 1);
        if (list.length === 0) this.orphans.delete(path);
        return orphan!.file;
      }
    }
    return undefined;
  }

  /**
   * Reads the files rotated away from `path` to their end; their lines come
   * before the new file's. Once the new file has data, the writer is done with
   * the old ones, so after this last read they are closed.
   */
  private async drainOrphans(path: string, successorHasData: boolean): Promise<void> {
    const list = this.orphans.get(path);
    if (!list) return;
    const now = Date.now();
    for (const orphan of [...list]) {
      while (await orphan.file.readNew(this.buf, READ_BUDGET));
      if (successorHasData || now - orphan.since > ORPHAN_MS) {
        list.splice(list.indexOf(orphan), 1);
        this.retired.set(orphan.file.key, orphan.file.checkpoint());
        if (this.retired.size > MAX_RETIRED) this.retired.delete(this.retired.keys().next().value!);
        await orphan.file.close();
      }
    }
    if (list.length === 0) this.orphans.delete(path);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.poll);
    await this.watcher?.close();
    for (const w of this.dirWatchers) w.close();
    await this.queue;
    const files = [...this.byPath.values(), ...[...this.orphans.values()].flat().map((o) => o.file)];
    this.byPath.clear();
    this.orphans.clear();
    for (const file of files) await file.close();
  }
}
