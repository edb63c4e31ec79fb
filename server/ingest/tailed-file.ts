// One followed file: an open descriptor on one inode, the offset read up to,
// and the last bytes before that offset. Following the descriptor (not the
// name) is what makes rename rotation lossless: lines a writer still appends
// to the renamed file are read from it. The remembered bytes make truncation
// detectable even when the writer has already written past our offset again,
// and let us find the copy of a copytruncate rotation and read the part of it
// we had not read yet, so that rotation loses nothing either.

import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { LineFramer, type LineSink } from './line-framer.js';
import type { SourceCounters } from './source.js';

/** Bytes before the offset we keep to recognise the file's content. */
const SIG_BYTES = 64;
/** Rotated copies we try, newest first, before giving up on one. */
const MAX_COPY_CANDIDATES = 4;
const COMPRESSED = /\.(gz|bz2|xz|zst|lz4|z)$/i;

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
   * unread: read them first. Then restart at offset 0.
   */
  private async truncated(buf: Buffer): Promise<void> {
    if (this.pos > 0 && this.sig.length > 0) await this.readFromCopy(buf);
    this.framer.end();
    this.pos = 0;
    this.sig = Buffer.alloc(0);
  }

  private async readFromCopy(buf: Buffer): Promise<void> {
    const dir = dirname(this.path);
    const base = basename(this.path);
    let names: string[];
    try {
      names = await readdir(dir);
    } catch {
      return;
    }
    const candidates: { path: string; mtimeMs: number }[] = [];
    for (const name of names) {
      if (name === base || !name.startsWith(base) || COMPRESSED.test(name)) continue;
      const path = join(dir, name);
      try {
        const st = await stat(path);
        if (st.isFile() && st.size >= this.pos && fileKey(st) !== this.key) candidates.push({ path, mtimeMs: st.mtimeMs });
      } catch {
        // Gone meanwhile: not the copy we want.
      }
    }
    candidates.sort((a, b) => b.mtimeMs - a.mtimeMs);
    for (const { path } of candidates.slice(0, MAX_COPY_CANDIDATES)) {
      let fh: FileHandle;
      try {
        fh = await open(path, 'r');
      } catch {
        continue;
      }
      try {
        if (!(await this.sigHolds(fh))) continue;
        let at = this.pos;
        for (;;) {
          const { bytesRead } = await fh.read(buf, 0, buf.length, at);
          if (bytesRead === 0) break;
          at += bytesRead;
          this.counters.bytes += bytesRead;
          this.framer.push(buf.subarray(0, bytesRead));
        }
        return;
      } finally {
        await fh.close();
      }
    }
  }
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
