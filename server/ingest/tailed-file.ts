// One followed file: an open descriptor on one inode, the offset read up to,
// and the last bytes before that offset. Following the descriptor (not the
// name) is what makes rename rotation lossless: lines a writer still appends
// to the renamed file are read from it. The remembered bytes make truncation
// detectable even when the writer has already written past our offset again,
// and let us find the copy of a copytruncate rotation and read the part of it
// we had not read yet, so that rotation loses nothing either.

import { open, readdir, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LineFramer, type LineSink } from './line-framer.js';
import type { SourceCounters } from './source.js';

/**
 * Bytes before the offset we keep to recognise the file's content. Several
 * lines' worth: a window inside one line's constant part (host, tag, fixed
 * text) would match a rewritten file at the same offset, and a truncation
 * would go unseen.
 */
const SIG_BYTES = 1024;
/** Rotated copies considered, newest first (logrotate keeps `rotate N` of them). */
const MAX_COPIES = 8;
/** Listings of the directory before its rotated copies are taken as they are (each pass after the first is a rotation that happened while listing). */
export const MAX_LISTINGS = 4;
/** Rotated copies with these endings are compressed: never read as text. */
export const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z)$/i;

export function fileKey(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

export interface Checkpoint {
  readonly pos: number;
  /** The bytes just before pos. */
  readonly sig: Buffer;
}

function isNotFound(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

export class TailedFile {
  private sig: Buffer = Buffer.alloc(0);
  /**
   * The newest copy of this file (copytruncate) whose content we have read;
   * copies newer than it hold content that was here between our reads.
   */
  private lastCopy: { key: string; mtimeMs: number } | undefined;

  private constructor(
    /** Current name; changes when the file is renamed onto another followed name. */
    public path: string,
    readonly key: string,
    private readonly fh: FileHandle,
    /** Offset read up to. */
    public pos: number,
    private readonly framer: LineFramer,
    private readonly counters: SourceCounters,
  ) {}

  /**
   * Opens `path` at its end, its start, or where a checkpoint of the same
   * content left off (if the bytes before that offset are still the same);
   * undefined if the file vanished meanwhile.
   */
  static async open(
    path: string,
    at: 'end' | 'start' | Checkpoint,
    maxLine: number,
    sink: LineSink,
    counters: SourceCounters,
  ): Promise<TailedFile | undefined> {
    let fh: FileHandle;
    try {
      fh = await open(path, 'r');
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
    const st = await fh.stat();
    const file = new TailedFile(path, fileKey(st), fh, 0, new LineFramer(maxLine, sink, counters), counters);
    if (at === 'end' && st.size > 0) {
      file.pos = st.size;
      file.sig = await readAt(fh, Math.max(0, file.pos - SIG_BYTES), Math.min(SIG_BYTES, file.pos));
    } else if (typeof at === 'object' && st.size >= at.pos) {
      file.pos = at.pos;
      file.sig = at.sig;
      if (!(await file.sigHolds(fh))) {
        file.pos = 0;
        file.sig = Buffer.alloc(0);
      }
    }
    return file;
  }

  /** Where reading stopped, to resume there if this content shows up again. */
  checkpoint(): Checkpoint {
    return { pos: this.pos, sig: this.sig };
  }

  /** Current size of the open inode. */
  async size(): Promise<number> {
    return (await this.fh.stat()).size;
  }

  /**
   * Reads what was appended since the last read, at most about `budget`
   * bytes, through `buf` (which must be larger than SIG_BYTES). Returns true
   * when more is left to read.
   */
  async readNew(buf: Buffer, budget: number): Promise<boolean> {
    let read = 0;
    while (read < budget) {
      // Each read starts with the remembered bytes before our offset, so a
      // truncation is seen by the same pread that would otherwise return the
      // new content as if it followed the old: a separate check first would
      // race a logger that truncates and writes between the two.
      const k = this.sig.length;
      const { bytesRead } = await this.fh.read(buf, 0, buf.length, this.pos - k);
      // Right after a truncation nothing of the new content has been read, so
      // the file itself would not show a second truncation: the copies do.
      // They are looked at after the read: a copy made before what we just
      // read was written is there by then, so a whole generation written,
      // copied and truncated between two reads is read from its copy (and
      // what we read, coming after it, is read again after it).
      if (this.pos === 0 && this.lastCopy && (await this.readNewerCopies(buf))) continue;
      if (bytesRead < k || !buf.subarray(0, k).equals(this.sig)) {
        await this.truncated(buf);
        continue;
      }
      if (bytesRead === k) return false;
      this.take(buf.subarray(k, bytesRead));
      read += bytesRead - k;
    }
    return true;
  }

  /** Hands on an unterminated last line and releases the descriptor. */
  async close(): Promise<void> {
    this.framer.end();
    await this.fh.close();
  }

  private take(chunk: Buffer): void {
    const n = chunk.length;
    this.counters.bytes += n;
    this.pos += n;
    // Copies: the chunk is a view of the reused read buffer.
    this.sig =
      n >= SIG_BYTES
        ? Buffer.from(chunk.subarray(n - SIG_BYTES))
        : Buffer.from(Buffer.concat([this.sig, chunk]).subarray(-SIG_BYTES));
    this.framer.push(chunk);
  }

  private async sigHolds(fh: FileHandle): Promise<boolean> {
    if (this.sig.length === 0) return true;
    const now = await readAt(fh, this.pos - this.sig.length, this.sig.length);
    return now.equals(this.sig);
  }

  /**
   * The file was truncated (copytruncate, or `: > file`). If a copy of it with
   * our remembered bytes at our offset sits beside it, the bytes after our
   * offset in that copy were written before the truncation and are still
   * unread: read them first, then any copies newer than it (a rotation
   * storm: truncated again before we looked), then the file from its start.
   * When no copy holds our bytes (rotated on or compressed before we looked,
   * or no copy was made), whatever was written after our last read is gone:
   * that is counted as an error of the source, the one trace a loss can leave.
   */
  private async truncated(buf: Buffer): Promise<void> {
    const copies = await this.openCopies();
    try {
      let ours = -1;
      if (this.pos > 0 && this.sig.length > 0) {
        for (let i = 0; i < copies.length && ours < 0; i++) {
          if (copies[i]!.size >= this.pos && (await this.sigHolds(copies[i]!.fh))) ours = i;
        }
        if (ours >= 0) {
          await this.readCopy(copies[ours]!.fh, buf, this.pos);
          this.lastCopy = { key: copies[ours]!.key, mtimeMs: copies[ours]!.mtimeMs };
        } else {
          this.counters.errors++;
        }
      }
      this.framer.end();
      this.pos = 0;
      this.sig = Buffer.alloc(0);
      await this.readWhole(ours >= 0 ? copies.slice(0, ours) : copies.filter((c) => this.newer(c)), buf);
    } finally {
      for (const c of copies) await c.fh.close();
    }
  }

  /** Reads the copies made since the last one we read; true if there were any. */
  private async readNewerCopies(buf: Buffer): Promise<boolean> {
    const copies = await this.openCopies();
    try {
      const newer = copies.filter((c) => this.newer(c));
      await this.readWhole(newer, buf);
      return newer.length > 0;
    } finally {
      for (const c of copies) await c.fh.close();
    }
  }

  private newer(c: Copy): boolean {
    return this.lastCopy !== undefined && c.key !== this.lastCopy.key && c.mtimeMs > this.lastCopy.mtimeMs;
  }

  /**
   * Reads `copies` (newest first) whole, oldest first. The newest may have
   * been taken from this file's current content with the truncation still to
   * come, so reading goes on in the file after that content if it is still
   * there (our offset and bytes become the copy's end).
   */
  private async readWhole(copies: Copy[], buf: Buffer): Promise<void> {
    if (copies.length === 0) return;
    for (const c of [...copies].reverse()) {
      const end = await this.readCopy(c.fh, buf, 0);
      this.framer.end();
      this.pos = end;
      this.sig = await readAt(c.fh, Math.max(0, end - SIG_BYTES), Math.min(SIG_BYTES, end));
    }
    this.lastCopy = { key: copies[0]!.key, mtimeMs: copies[0]!.mtimeMs };
  }

  /**
   * The rotated copies beside this file (its name plus a suffix, not
   * compressed), newest first. Each is opened before any is judged, so a
   * rotation shifting names (.1 -> .2) meanwhile cannot swap one file for
   * another under us; but it can move a copy onto a name already listed, so
   * the directory is listed again until a listing shows no copy we lack.
   */
  private async openCopies(): Promise<Copy[]> {
    const dir = dirname(this.path);
    const base = basename(this.path);
    const copies: Copy[] = [];
    const held = new Set<string>([this.key]);
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
        let fh: FileHandle;
        try {
          fh = await open(join(dir, name), 'r');
        } catch {
          continue; // Gone meanwhile.
        }
        const st = await fh.stat();
        const key = fileKey(st);
        if (st.isFile() && !held.has(key)) {
          held.add(key);
          copies.push({ fh, key, mtimeMs: st.mtimeMs, size: st.size });
          added = true;
        } else {
          await fh.close();
        }
      }
      if (!added) break;
    }
    copies.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const extra of copies.splice(MAX_COPIES)) await extra.fh.close();
    return copies;
  }

  /** Hands on a copy's bytes from `from` to its end; returns that end. */
  private async readCopy(fh: FileHandle, buf: Buffer, from: number): Promise<number> {
    for (let at = from; ; ) {
      const { bytesRead } = await fh.read(buf, 0, buf.length, at);
      if (bytesRead === 0) return at;
      at += bytesRead;
      this.counters.bytes += bytesRead;
      this.framer.push(buf.subarray(0, bytesRead));
    }
  }
}

interface Copy {
  fh: FileHandle;
  key: string;
  mtimeMs: number;
  size: number;
}

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const out = Buffer.alloc(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await fh.read(out, got, length - got, position + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return out.subarray(0, got);
}
