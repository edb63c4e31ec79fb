// Splits one byte stream (a connection, a file, stdin) into lines. A partial
// line is carried across chunks. A line longer than the cap is handed on cut
// to the cap as soon as the cap is passed, counted as oversize, and the rest
// of it is dropped up to its terminator, so a stream never holds more than
// maxLine + 1 bytes. Terminators are LF or CRLF; empty lines carry nothing and
// are skipped. Lines are decoded as UTF-8 (invalid sequences become U+FFFD).
//
// Hot path: the complete lines of a chunk are decoded in one call and handed
// on as slices of that one string, with the chunk's bytes beside them for
// the parse stage's scans (see server/parse/bytes.ts). Measured on the dev
// box over the parse bench's log in 64 KiB chunks: a decode per line (Buffer
// indexOf + toString, two C++ calls) ~150 ns per line, one decode per chunk
// plus String indexOf and slice ~60-90 ns. A line is then a slice of a 64 KiB
// string: whoever keeps a piece of it for long copies it (detach() in
// server/parse/bytes.ts), or the piece keeps the whole chunk alive.

import type { SourceCounters } from './source.js';

/**
 * Receives each line. `bytes` from `at` are the line's bytes when every byte
 * of them decoded to one char (ASCII, or single invalid bytes), so that byte
 * at + i stands for char i; undefined otherwise. They are valid only during
 * the call: the chunk may be a reused read buffer.
 */
export type LineSink = (line: string, bytes: Uint8Array | undefined, at: number) => void;

const LF = 0x0a;
const CR = 0x0d;

export class LineFramer {
  private parts: Buffer[] = [];
  /** Bytes in `parts`; at most maxLine + 1, the extra byte being a possible CR of a CRLF. */
  private held = 0;
  /** The current line was already handed on cut; drop bytes up to its LF. */
  private skipping = false;

  constructor(
    readonly maxLine: number,
    private readonly sink: LineSink,
    private readonly counters: SourceCounters,
  ) {}

  /** Bytes held for a line whose terminator has not arrived yet. */
  get buffered(): number {
    return this.held;
  }

  push(chunk: Buffer): void {
    let start = 0;
    if (this.held > 0 || this.skipping) {
      const nl = chunk.indexOf(LF);
      if (nl < 0) {
        this.carry(chunk, 0, chunk.length);
        return;
      }
      this.carry(chunk, 0, nl);
      this.endCarried();
      start = nl + 1;
    }
    const last = chunk.lastIndexOf(LF);
    if (last >= start) {
      const text = chunk.toString('utf8', start, last);
      // Same length as bytes: every byte was one char, so positions agree.
      if (text.length === last - start) this.splitDecoded(text, chunk, start);
      else this.splitEach(chunk, start, last);
      start = last + 1;
    }
    if (start < chunk.length) this.carry(chunk, start, chunk.length);
  }

  /** Lines of `text`, decoded from bytes[base, base + text.length) with no LF after the last one. */
  private splitDecoded(text: string, bytes: Buffer, base: number): void {
    const max = this.maxLine;
    const counters = this.counters;
    const sink = this.sink;
    const n = text.length;
    let start = 0;
    while (start <= n) {
      let nl = text.indexOf('\n', start);
      if (nl < 0) nl = n;
      let end = nl;
      if (end > start && bytes[base + end - 1] === CR) end--;
      if (end > start) {
        counters.lines++;
        if (end - start > max) {
          counters.oversize++;
          end = start + max;
        }
        sink(text.slice(start, end), bytes, base + start);
      }
      start = nl + 1;
    }
  }

  /** Lines of chunk[start, last] (last is an LF), each decoded on its own: the chunk holds multi-byte chars. */
  private splitEach(chunk: Buffer, start: number, last: number): void {
    const max = this.maxLine;
    const counters = this.counters;
    let nl: number;
    while ((nl = chunk.indexOf(LF, start)) >= 0 && nl <= last) {
      let end = nl;
      if (end > start && chunk[end - 1] === CR) end--;
      if (end > start) {
        counters.lines++;
        if (end - start > max) {
          counters.oversize++;
          end = start + max;
        }
        this.hand(chunk, start, end);
      }
      start = nl + 1;
    }
  }

  /** Decodes bytes[from, to) as one line, with the bytes when they line up with its chars. */
  private hand(bytes: Buffer, from: number, to: number): void {
    const line = bytes.toString('utf8', from, to);
    this.sink(line, line.length === to - from ? bytes : undefined, from);
  }

  /** The stream ended: hand on an unterminated last line. */
  end(): void {
    if (this.skipping) this.skipping = false;
    else if (this.held > 0) this.endCarried();
  }

  private carry(chunk: Buffer, from: number, to: number): void {
    if (this.skipping || from === to) return;
    const room = this.maxLine + 1 - this.held;
    if (to - from <= room) {
      // A copy, not a view: the chunk may be a reused read buffer, and a view
      // of a few bytes would pin the whole chunk in memory.
      this.parts.push(Buffer.from(chunk.subarray(from, to)));
      this.held += to - from;
      return;
    }
    const take = this.maxLine - this.held;
    const list = take > 0 ? [...this.parts, chunk.subarray(from, from + take)] : this.parts;
    const cut = Buffer.concat(list, this.maxLine);
    this.parts = [];
    this.held = 0;
    this.skipping = true;
    this.counters.lines++;
    this.counters.oversize++;
    this.hand(cut, 0, cut.length);
  }

  private endCarried(): void {
    if (this.skipping) {
      this.skipping = false;
      return;
    }
    const line = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.held);
    let len = this.held;
    this.parts = [];
    this.held = 0;
    if (len > 0 && line[len - 1] === CR) len--;
    if (len === 0) return;
    this.counters.lines++;
    if (len > this.maxLine) {
      this.counters.oversize++;
      len = this.maxLine;
    }
    this.hand(line, 0, len);
  }
}
