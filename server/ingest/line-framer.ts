// Splits one byte stream (a connection, a file, stdin) into lines. A partial
// line is carried across chunks. A line longer than the cap is handed on cut
// to the cap as soon as the cap is passed, counted as oversize, and the rest
// of it is dropped up to its terminator, so a stream never holds more than
// maxLine + 1 bytes. Terminators are LF or CRLF; empty lines carry nothing and
// are skipped. Each line is decoded on its own as UTF-8 (invalid sequences
// become U+FFFD), straight from the chunk: no readline, no per-line copies.

import type { SourceCounters } from './source.js';

export type LineSink = (line: string) => void;

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
    const max = this.maxLine;
    const counters = this.counters;
    const sink = this.sink;
    let nl: number;
    while ((nl = chunk.indexOf(LF, start)) >= 0) {
      let end = nl;
      if (end > start && chunk[end - 1] === CR) end--;
      if (end > start) {
        counters.lines++;
        if (end - start > max) {
          counters.oversize++;
          end = start + max;
        }
        sink(chunk.toString('utf8', start, end));
      }
      start = nl + 1;
    }
    if (start < chunk.length) this.carry(chunk, start, chunk.length);
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
    this.sink(cut.toString('utf8'));
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
    this.sink(line.toString('utf8', 0, len));
  }
}
