// The syslog envelope, recognised on every input before format detection:
//   [<PRI>] BSD-or-RFC3339-timestamp [HOST] TAG[PID]: MSG      (RFC 3164 family,
//        rsyslog file formats, postlogd's maillog_file, glibc's /dev/log form)
//   <PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID SD [MSG]       (RFC 5424)
// Lines with no header at all (Exim mainlog, PowerMTA CSV, JSON) pass through
// untouched: read() returns undefined and the parser sees the raw line.
//
// Hot path: one call per input line. Field boundaries are found on the line's
// bytes (see bytes.ts for why), never with a regex; the last timestamp prefix
// and its epoch ms are cached (a busy log repeats the same second thousands of
// times; for RFC 3339 the whole stamp too, as at high rates many lines share
// a millisecond), hosts and tags come from small caches of recent values compared as
// bytes, so a repeated value is neither sliced nor allocated again, and the
// message is handed on as an index into the line.

import { asciiBytes, asciiView, byteAt, detach, digitsIn, indexOfByte, monthIn, sameBytes } from './bytes.js';
import { validDate, type WallClock } from './time.js';
import type { Envelope, TagNotes } from './types.js';

const SP = 32;
const DOT = 46;
const COLON = 58;
const LBRACK = 91;
const RBRACK = 93;

/** Tags rsyslog forwards are cut at 32 characters; allow generous room for long syslog_names. */
const MAX_TAG = 128;
const MAX_HOST = 255;
const TAG_CACHE = 16;
/** Longest fraction and offset after "YYYY-MM-DDThh:mm:ss" kept for the repeat check (".123456789+05:30"). */
const RFC_TAIL_MAX = 16;
/** An aggregation box interleaves the lines of many hosts. */
const HOST_CACHE = 16;

const NO_BYTES = new Uint8Array(0);

/** The envelope of the line just read; msg is sliced only when someone asks for it. */
class LineEnvelope implements Envelope {
  ts: number | undefined = undefined;
  host: string | undefined = undefined;
  program: string | undefined = undefined;
  tagNotes: TagNotes | undefined = undefined;
  pid: number | undefined = undefined;
  pri: number | undefined = undefined;
  line = '';
  msgStart = 0;
  bytes: Uint8Array = NO_BYTES;
  at = 0;

  get msg(): string {
    return this.line.slice(this.msgStart);
  }
}

/** A cached tag and what later stages noted about it. */
interface Tag {
  readonly name: string;
  readonly notes: TagNotes;
}

function tagOf(name: string): Tag {
  return { name, notes: { format: undefined, postfix: undefined } };
}

/** Recent values (hosts, tags) keyed by their ASCII bytes, busiest first: a hit moves a value one slot forward. */
class Recent<V> {
  readonly values: V[] = [];
  readonly keys: Uint8Array[] = [];

  constructor(private readonly max: number) {}

  /** The cached value whose key equals b[pos, end), or undefined. */
  find(b: Uint8Array, pos: number, end: number): V | undefined {
    const keys = this.keys;
    const n = end - pos;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i]!;
      if (k.length === n && sameBytes(b, pos, k, n)) return this.promote(i);
    }
    return undefined;
  }

  /** Caches `value` under the bytes of `s` when `s` is ASCII: new entries go to the back, replacing the least used one. */
  add(s: string, value: V): V {
    if (isAsciiString(s)) {
      const i = this.keys.length < this.max ? this.keys.length : this.max - 1;
      this.values[i] = value;
      this.keys[i] = asciiBytes(s);
    }
    return value;
  }

  promote(i: number): V {
    const v = this.values[i]!;
    if (i > 0) {
      const k = this.keys[i]!;
      this.values[i] = this.values[i - 1]!;
      this.keys[i] = this.keys[i - 1]!;
      this.values[i - 1] = v;
      this.keys[i - 1] = k;
    }
    return v;
  }
}

function isAsciiString(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

export class EnvelopeReader {
  /** Reused for every line: valid only until the next read(). */
  private readonly env = new LineEnvelope();
  /** Bytes made for lines that came without them. */
  private scratch: Uint8Array = new Uint8Array(256);

  /** Epoch ms of the timestamp just read. */
  private tsOut = 0;
  private readonly bsdKey = new Uint8Array(16);
  private bsdLen = 0;
  private bsdMs = 0;
  private readonly rfcKey = new Uint8Array(19);
  private rfcLen = 0;
  private rfcBase = 0;
  /** What followed rfcKey last time (fraction, offset) and the whole stamp's ms: many lines share a millisecond. */
  private readonly rfcTail = new Uint8Array(RFC_TAIL_MAX);
  private rfcTailLen = 0;
  private rfcTailMs = 0;
  private readonly hosts = new Recent<string>(HOST_CACHE);
  private readonly tags = new Recent<Tag>(TAG_CACHE);

  constructor(private readonly clock: WallClock) {}

  /**
   * The envelope of `line`, or undefined when it has no syslog header.
   * `bytes` from `at` are the line's bytes as bytes.ts describes them, when
   * the caller has them (LineFramer does); otherwise they are made here.
   */
  read(line: string, bytes?: Uint8Array, at = 0): Envelope | undefined {
    const env = this.env;
    let b: Uint8Array;
    let o: number;
    if (bytes !== undefined) {
      b = bytes;
      o = at;
    } else {
      b = this.scratch = asciiView(line, this.scratch);
      o = 0;
    }
    const e = o + line.length;
    env.line = line;
    env.bytes = b;
    env.at = o;
    // Positions below are indexes into b; the line's char i is byte o + i.
    let pos = o;
    let pri: number | undefined;
    if (pos < e && b[pos] === 60 /* < */) {
      let close = -1;
      for (let i = o + 1; i < e && i <= o + 4; i++) {
        if (b[i] === 62 /* > */) {
          close = i;
          break;
        }
      }
      if (close < o + 2) return undefined;
      const v = digitsIn(b, o + 1, close - o - 1, e);
      if (v < 0 || v > 191) return undefined;
      pri = v;
      pos = close + 1;
      if (byteAt(b, pos, e) === 49 /* 1 */ && byteAt(b, pos + 1, e) === SP) return this.rfc5424(line, b, o, pos + 2, e, pri);
    }

    let ts: number | undefined;
    let end = this.bsdTimestamp(b, pos, e);
    if (end > 0) {
      ts = this.tsOut;
    } else {
      end = this.rfc3339(b, pos, e);
      if (end > 0) ts = this.tsOut;
      // A bare <PRI> with no timestamp still frames a tag and message.
      else if (pri === undefined) return undefined;
      else end = pos;
    }
    // Some senders pad with several spaces; RFC 3164 says one.
    while (end < e && b[end] === SP) end++;

    env.ts = ts;
    env.pri = pri;
    return this.hostAndTag(line, b, o, end, e) ? env : undefined;
  }

  /** End of a BSD timestamp at `pos` ("Mmm dd hh:mm:ss", day space- or zero-padded), or -1; sets tsOut. */
  private bsdTimestamp(b: Uint8Array, pos: number, e: number): number {
    const kl = this.bsdLen;
    if (kl > 0 && pos + kl <= e && sameBytes(b, pos, this.bsdKey, kl)) {
      const end = pos + kl;
      const c = byteAt(b, end, e);
      if (c === SP) {
        this.tsOut = this.bsdMs;
        return end;
      }
      if (c === DOT) return this.fraction(b, end, e, this.bsdMs);
    }
    const mo = monthIn(b, pos, e);
    if (mo < 0 || byteAt(b, pos + 3, e) !== SP) return -1;
    let p = pos + 4;
    if (byteAt(b, p, e) === SP) p++;
    let day = digitsIn(b, p, 2, e);
    if (day >= 0) p += 2;
    else if ((day = digitsIn(b, p, 1, e)) >= 0) p += 1;
    else return -1;
    if (byteAt(b, p, e) !== SP || byteAt(b, p + 3, e) !== COLON || byteAt(b, p + 6, e) !== COLON) return -1;
    const h = digitsIn(b, p + 1, 2, e);
    const mi = digitsIn(b, p + 4, 2, e);
    const s = digitsIn(b, p + 7, 2, e);
    // 2000 is a leap year: Feb 29 passes here, Feb 30 and Apr 31 do not.
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || !validDate(2000, mo, day)) return -1;
    const end = p + 9;
    const c = byteAt(b, end, e);
    if (c !== SP && c !== DOT) return -1;
    this.bsdKey.set(b.subarray(pos, end));
    this.bsdLen = end - pos;
    this.bsdMs = this.clock.withoutYear(mo, day, h, mi, s);
    if (c === DOT) return this.fraction(b, end, e, this.bsdMs);
    this.tsOut = this.bsdMs;
    return end;
  }

  /** Reads ".ddd..." at `pos` on top of `whole`; end or -1; sets tsOut. */
  private fraction(b: Uint8Array, pos: number, e: number, whole: number): number {
    let p = pos + 1;
    let ms = 0;
    let scale = 100;
    while (p < e) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      ms += d * scale;
      scale /= 10;
      p++;
    }
    if (p === pos + 1 || byteAt(b, p, e) !== SP) return -1;
    this.tsOut = whole + Math.floor(ms);
    return p;
  }

  /** End of an RFC 3339 timestamp at `pos`, or -1; sets tsOut. */
  private rfc3339(b: Uint8Array, pos: number, e: number): number {
    let base: number;
    if (this.rfcLen > 0 && pos + 19 <= e && sameBytes(b, pos, this.rfcKey, 19)) {
      const tl = this.rfcTailLen;
      const end = pos + 19 + tl;
      if (tl > 0 && end <= e && (end === e || b[end] === SP) && sameBytes(b, pos + 19, this.rfcTail, tl)) {
        this.tsOut = this.rfcTailMs;
        return end;
      }
      base = this.rfcBase;
    } else {
      const y = digitsIn(b, pos, 4, e);
      const mo = digitsIn(b, pos + 5, 2, e) - 1;
      const d = digitsIn(b, pos + 8, 2, e);
      const t = byteAt(b, pos + 10, e);
      const h = digitsIn(b, pos + 11, 2, e);
      const mi = digitsIn(b, pos + 14, 2, e);
      const s = digitsIn(b, pos + 17, 2, e);
      if (
        y < 0 || byteAt(b, pos + 4, e) !== 45 || byteAt(b, pos + 7, e) !== 45 || (t !== 84 && t !== 116) ||
        byteAt(b, pos + 13, e) !== COLON || byteAt(b, pos + 16, e) !== COLON ||
        !validDate(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60
      ) {
        return -1;
      }
      base = Date.UTC(y, mo, d, h, mi, s);
      this.rfcKey.set(b.subarray(pos, pos + 19));
      this.rfcLen = 19;
      this.rfcBase = base;
      this.rfcTailLen = 0;
    }
    let p = pos + 19;
    let ms = 0;
    if (byteAt(b, p, e) === DOT) {
      p++;
      let scale = 100;
      const start = p;
      while (p < e) {
        const dd = b[p]! - 48;
        if (dd < 0 || dd > 9) break;
        ms += dd * scale;
        scale /= 10;
        p++;
      }
      if (p === start) return -1;
      ms = Math.floor(ms);
    }
    const z = byteAt(b, p, e);
    let offset = 0;
    if (z === 90 || z === 122) {
      p++;
    } else if (z === 43 || z === 45) {
      const oh = digitsIn(b, p + 1, 2, e);
      let om: number;
      if (byteAt(b, p + 3, e) === COLON) {
        om = digitsIn(b, p + 4, 2, e);
        p += 6;
      } else {
        om = digitsIn(b, p + 3, 2, e);
        p += 5;
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return -1;
      offset = (z === 43 ? 1 : -1) * (oh * 60 + om) * 60_000;
    } else {
      return -1;
    }
    if (p < e && b[p] !== SP) return -1;
    const ts = base + ms - offset;
    if (ts < 0) return -1;
    this.tsOut = ts;
    const tl = p - pos - 19;
    if (tl > 0 && tl <= RFC_TAIL_MAX) {
      this.rfcTail.set(b.subarray(pos + 19, p));
      this.rfcTailLen = tl;
      this.rfcTailMs = ts;
    }
    return p;
  }

  /**
   * Host (optional) and tag at `pos`; fills env.host/program/pid/msgStart. A
   * token ending in ':' is the tag (no host: the /dev/log form); otherwise the
   * first token is the host and the next one, when it ends in ':', the tag.
   */
  private hostAndTag(line: string, b: Uint8Array, o: number, pos: number, e: number): boolean {
    const env = this.env;
    env.host = undefined;
    env.program = undefined;
    env.tagNotes = undefined;
    env.pid = undefined;
    // Fast path: a host seen before, then a tag seen before. Both were
    // validated when first cached, so a match of their bytes is enough.
    const hosts = this.hosts.keys;
    let hit = -1;
    let after = 0;
    for (let i = 0; i < hosts.length; i++) {
      const k = hosts[i]!;
      after = pos + k.length;
      if (after < e && b[after] === SP && sameBytes(b, pos, k, k.length)) {
        hit = i;
        break;
      }
    }
    if (hit >= 0) {
      if (this.knownTag(b, o, after + 1, e)) {
        env.host = this.hosts.promote(hit);
        return true;
      }
    } else if (this.knownTag(b, o, pos, e)) {
      return true;
    }
    let sp = indexOfByte(b, SP, pos, e);
    const firstEnd = sp < 0 ? e : sp;
    if (firstEnd === pos) {
      env.msgStart = pos - o;
      return true;
    }
    if (this.tagAt(line, b, o, pos, firstEnd, e)) return true;
    if (firstEnd - pos > MAX_HOST) return false;
    env.host = this.host(line, b, o, pos, firstEnd);
    if (sp < 0) {
      env.msgStart = e - o;
      return true;
    }
    const start = sp + 1;
    sp = indexOfByte(b, SP, start, e);
    const secondEnd = sp < 0 ? e : sp;
    if (this.tagAt(line, b, o, start, secondEnd, e)) return true;
    // Host but no tag (some network devices): the rest is the message.
    env.msgStart = start - o;
    return true;
  }

  /** If b[pos, end) is "prog[pid]:" or "prog:", fill program/pid/msgStart. */
  private tagAt(line: string, b: Uint8Array, o: number, pos: number, end: number, e: number): boolean {
    if (end - pos < 2 || end - pos > MAX_TAG || b[end - 1] !== COLON) return false;
    const env = this.env;
    let progEnd = end - 1;
    if (b[progEnd - 1] === RBRACK) {
      let open = progEnd - 2;
      while (open > pos && b[open] !== LBRACK) open--;
      if (open <= pos) return false;
      const pid = digitsIn(b, open + 1, progEnd - 2 - open, e);
      env.pid = pid >= 0 ? pid : undefined;
      progEnd = open;
    }
    if (progEnd === pos) return false;
    // A colon or bracket inside the name means an IPv6 host or a time, not a tag.
    for (let i = pos; i < progEnd; i++) {
      const c = b[i];
      if (c === COLON || c === LBRACK || c === RBRACK) return false;
    }
    this.setTag(line, b, o, pos, progEnd);
    env.msgStart = Math.min(end + 1, e) - o;
    return true;
  }

  private host(line: string, b: Uint8Array, o: number, pos: number, end: number): string {
    // Kept for good (caches, node names): a copy, not a slice of the line's chunk.
    const found = this.hosts.find(b, pos, end);
    if (found !== undefined) return found;
    const host = detach(line.slice(pos - o, end - o));
    return this.hosts.add(host, host);
  }

  /** env.program and tagNotes for the tag at b[pos, end). */
  private setTag(line: string, b: Uint8Array, o: number, pos: number, end: number): void {
    let tag = this.tags.find(b, pos, end);
    if (tag === undefined) {
      const name = detach(line.slice(pos - o, end - o));
      tag = this.tags.add(name, tagOf(name));
    }
    this.env.program = tag.name;
    this.env.tagNotes = tag.notes;
  }

  /**
   * A cached tag at `pos`, followed by "[digits]:" or ":" and a space (or the
   * end): fills program/pid/msgStart.
   */
  private knownTag(b: Uint8Array, o: number, pos: number, e: number): boolean {
    const tags = this.tags.keys;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i]!;
      const n = t.length;
      let p = pos + n;
      if (p >= e) continue;
      // Cheap rejections before the full compare: most cached tags share the
      // "postfix/" prefix, so the byte after the name and its last byte decide.
      const next = b[p];
      if ((next !== LBRACK && next !== COLON) || b[p - 1] !== t[n - 1]) continue;
      if (!sameBytes(b, pos, t, n)) continue;
      let pid: number | undefined;
      if (next === LBRACK) {
        let v = 0;
        let q = p + 1;
        while (q < e) {
          const d = b[q]! - 48;
          if (d < 0 || d > 9) break;
          v = v * 10 + d;
          q++;
        }
        if (q === p + 1 || q >= e || b[q] !== RBRACK) return false;
        pid = v;
        p = q + 1;
      }
      if (p >= e || b[p] !== COLON) continue;
      const msg = p + 1;
      if (msg < e && b[msg] !== SP) return false;
      const env = this.env;
      const tag = this.tags.promote(i);
      env.program = tag.name;
      env.tagNotes = tag.notes;
      env.pid = pid;
      env.msgStart = Math.min(msg + 1, e) - o;
      return true;
    }
    return false;
  }

  private rfc5424(line: string, b: Uint8Array, o: number, pos: number, e: number, pri: number): Envelope | undefined {
    const env = this.env;
    env.pri = pri;
    let end: number;
    if (byteAt(b, pos, e) === 45 /* - */) {
      env.ts = undefined;
      end = pos + 1;
    } else {
      end = this.rfc3339(b, pos, e);
      if (end < 0) return undefined;
      env.ts = this.tsOut;
    }
    // HOSTNAME APP-NAME PROCID MSGID, each a token or "-".
    const fields: [number, number][] = [];
    let p = end;
    for (let i = 0; i < 4; i++) {
      if (byteAt(b, p, e) !== SP) return undefined;
      const start = p + 1;
      let stop = indexOfByte(b, SP, start, e);
      if (stop < 0) stop = e;
      if (stop === start) return undefined;
      fields.push([start, stop]);
      p = stop;
    }
    const nil = (f: [number, number]) => f[1] - f[0] === 1 && b[f[0]] === 45;
    const [hostF, appF, procF] = fields as [[number, number], [number, number], [number, number]];
    if (hostF[1] - hostF[0] > MAX_HOST || appF[1] - appF[0] > MAX_TAG) return undefined;
    env.host = nil(hostF) ? undefined : this.host(line, b, o, hostF[0], hostF[1]);
    env.program = undefined;
    env.tagNotes = undefined;
    if (!nil(appF)) this.setTag(line, b, o, appF[0], appF[1]);
    const pid = nil(procF) ? -1 : digitsIn(b, procF[0], procF[1] - procF[0], e);
    env.pid = pid >= 0 ? pid : undefined;
    // STRUCTURED-DATA: "-" or one or more [id param="value"...] elements.
    if (byteAt(b, p, e) !== SP) return undefined;
    p++;
    if (byteAt(b, p, e) === 45) {
      p++;
    } else {
      while (byteAt(b, p, e) === LBRACK) {
        p = sdElementEnd(b, p, e);
        if (p < 0) return undefined;
      }
    }
    if (p < e && b[p] !== SP) return undefined;
    // rsyslog keeps the space that followed the tag inside MSG; a UTF-8 BOM may lead it.
    p++;
    while (p < e && b[p] === SP) p++;
    if (p < e && line.charCodeAt(p - o) === 0xfeff) p++;
    env.msgStart = Math.min(p, e) - o;
    return env;
  }
}

/** End of the SD-ELEMENT starting at `pos` ("[...]" with \" \] escapes in values), or -1. */
function sdElementEnd(b: Uint8Array, pos: number, e: number): number {
  let inQuote = false;
  for (let p = pos + 1; p < e; p++) {
    const c = b[p];
    if (c === 92 /* \ */ && inQuote) {
      p++;
    } else if (c === 34 /* " */) {
      inQuote = !inQuote;
    } else if (c === RBRACK && !inQuote) {
      return p + 1;
    }
  }
  return -1;
}
