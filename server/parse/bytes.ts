// Byte views of lines, for the scans done on every line.
//
// Why bytes: V8 in Node 20 reads a string char by char through a check of
// the string's representation on every charCodeAt (startsWith is the same
// loop). On the dev box a 15-char compare that way cost ~90 ns per line, and
// the envelope's header scan (timestamp, host, tag: ~50 chars) ~330 ns per
// line, a third of the parse stage; the same scan over a Uint8Array ~85 ns.
// So the envelope and the Postfix parser scan bytes for positions and slice
// the line's string only for the values they keep.
//
// A line's bytes: byte `at + i` stands for char i of the line; it is the
// char's code when that is ASCII, and some value >= 0x80 when it is not
// (ASCII tests never match it). Sources that read bytes hand them on when
// byte and char positions agree (LineFramer); otherwise asciiView() makes
// them from the string. Cache keys compared against these bytes hold ASCII
// only, so a match is a match of the chars.

import { monthOf } from './time.js';

export const NON_ASCII = 0x80;

/**
 * Bytes of `line` in `into` (or a larger array when it is too short): a char's
 * code when it is ASCII, NON_ASCII otherwise. Returns the array used.
 */
export function asciiView(line: string, into: Uint8Array): Uint8Array {
  const n = line.length;
  const b = into.length >= n ? into : new Uint8Array(Math.max(n, into.length * 2));
  for (let i = 0; i < n; i++) {
    const c = line.charCodeAt(i);
    b[i] = c < 0x80 ? c : NON_ASCII;
  }
  return b;
}

/** The byte at `i`, or -1 at or past `end`. */
export function byteAt(b: Uint8Array, i: number, end: number): number {
  return i < end ? b[i]! : -1;
}

/** True when b[pos, pos + n) equals key[0, n) (compared from the end: cached keys differ at their tail). */
export function sameBytes(b: Uint8Array, pos: number, key: Uint8Array, n: number): boolean {
  for (let i = n - 1; i >= 0; i--) if (b[pos + i] !== key[i]) return false;
  return true;
}

/** True when every byte of b[from, to) is ASCII. */
export function isAscii(b: Uint8Array, from: number, to: number): boolean {
  for (let i = from; i < to; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** Value of `n` decimal digits at `pos` (before `end`), or -1 when any of them is not a digit. */
export function digitsIn(b: Uint8Array, pos: number, n: number, end: number): number {
  if (pos + n > end) return -1;
  let v = 0;
  for (let i = 0; i < n; i++) {
    const d = b[pos + i]! - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** Index of the first byte `c` in b[from, end), or -1. */
export function indexOfByte(b: Uint8Array, c: number, from: number, end: number): number {
  for (let i = from; i < end; i++) if (b[i] === c) return i;
  return -1;
}

/** Month index (0-11) of a three-letter English month name at `pos`, or -1. */
export function monthIn(b: Uint8Array, pos: number, end: number): number {
  return pos + 3 > end ? -1 : monthOf(b[pos]!, b[pos + 1]!, b[pos + 2]!);
}

/** The ASCII bytes of `s` (which callers have checked is ASCII). */
export function asciiBytes(s: string): Uint8Array {
  const b = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) b[i] = s.charCodeAt(i);
  return b;
}

/**
 * A copy of `s` that shares no memory with the string it was sliced from.
 * Lines may be slices of a whole decoded chunk (LineFramer): a piece kept
 * for long (a cache entry, a correlation key, a node name) would otherwise
 * keep the chunk's 64 KiB alive. Concatenation makes a cons string, and
 * slicing it flattens it into a fresh string (measured: 500 kept 22-char
 * slices of 1 MB strings held 527 MB of heap, their detached copies 3.7 MB).
 * V8 copies slices shorter than 13 chars anyway; those are returned as is.
 */
export function detach<T extends string | undefined>(s: T): T {
  return s === undefined || s.length < 13 ? s : ((' ' + s).slice(1) as T);
}
