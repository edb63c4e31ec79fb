// The syslog envelope, recognised on every input before format detection:
//   [<PRI>] BSD-or-RFC3339-timestamp [HOST] TAG[PID]: MSG      (RFC 3164 family,
//        rsyslog file formats, postlogd's maillog_file, glibc's /dev/log form)
//   <PRI>1 TIMESTAMP HOST APP-NAME PROCID MSGID SD [MSG]       (RFC 5424)
// Lines with no header at all (Exim mainlog, PowerMTA CSV, JSON) pass through
// untouched: read() returns undefined and the parser sees the raw line.
//
// Hot path: one call per input line. Field boundaries are found with
// charCodeAt/indexOf, never a regex; the last timestamp prefix and its epoch
// ms are cached (a busy log repeats the same second thousands of times), host
// and tag strings are reused from small caches so that a repeated value is not
// sliced again, and the message is handed on as an index into the line.

import type { Envelope } from './types.js';
import { digitsAt, monthAt, validDate, type WallClock } from './time.js';

const SP = 32;
const COLON = 58;
const LBRACK = 91;
const RBRACK = 93;

/** Tags rsyslog forwards are cut at 32 characters; allow generous room for long syslog_names. */
const MAX_TAG = 128;
const MAX_HOST = 255;
const TAG_CACHE = 16;

/** The envelope of the line just read; msg is sliced only when someone asks for it. */
class LineEnvelope implements Envelope {
  ts: number | undefined = undefined;
  host: string | undefined = undefined;
  program: string | undefined = undefined;
  pid: number | undefined = undefined;
  pri: number | undefined = undefined;
  line = '';
  msgStart = 0;

  get msg(): string {
    return this.line.slice(this.msgStart);
  }
}

export class EnvelopeReader {
  /** Reused for every line: valid only until the next read(). */
  private readonly env = new LineEnvelope();

  /** Epoch ms of the timestamp just read. */
  private tsOut = 0;
  private bsdKey = '';
  private bsdMs = 0;
  private rfcKey = '';
  private rfcBase = 0;
  private lastHost = '';
  private readonly tags: string[] = [];

  constructor(private readonly clock: WallClock) {}

  /** The envelope of `line`, or undefined when it has no syslog header. */
  read(line: string): Envelope | undefined {
    const env = this.env;
    env.line = line;
    let pos = 0;
    let pri: number | undefined;
    if (line.charCodeAt(0) === 60 /* < */) {
      const close = line.indexOf('>', 1);
      if (close < 2 || close > 4) return undefined;
      const v = digitsAt(line, 1, close - 1);
      if (v < 0 || v > 191) return undefined;
      pri = v;
      pos = close + 1;
      if (line.charCodeAt(pos) === 49 /* 1 */ && line.charCodeAt(pos + 1) === SP) return this.rfc5424(line, pos + 2, pri);
    }

    let ts: number | undefined;
    let end = this.bsdTimestamp(line, pos);
    if (end > 0) {
      ts = this.tsOut;
    } else {
      end = this.rfc3339(line, pos);
      if (end > 0) ts = this.tsOut;
      // A bare <PRI> with no timestamp still frames a tag and message.
      else if (pri === undefined) return undefined;
      else end = pos;
    }
    // Some senders pad with several spaces; RFC 3164 says one.
    while (line.charCodeAt(end) === SP) end++;

    env.ts = ts;
    env.pri = pri;
    return this.hostAndTag(line, end) ? env : undefined;
  }

  /** End index of a BSD timestamp at `pos` ("Mmm dd hh:mm:ss", day space- or zero-padded), or -1; sets tsOut. */
  private bsdTimestamp(line: string, pos: number): number {
    const key = this.bsdKey;
    if (key !== '' && line.startsWith(key, pos)) {
      const end = pos + key.length;
      const c = line.charCodeAt(end);
      if (c === SP) {
        this.tsOut = this.bsdMs;
        return end;
      }
      if (c === 46 /* . */) return this.fraction(line, end, this.bsdMs);
    }
    const mo = monthAt(line, pos);
    if (mo < 0 || line.charCodeAt(pos + 3) !== SP) return -1;
    let p = pos + 4;
    if (line.charCodeAt(p) === SP) p++;
    let day = digitsAt(line, p, 2);
    if (day >= 0) p += 2;
    else if ((day = digitsAt(line, p, 1)) >= 0) p += 1;
    else return -1;
    if (line.charCodeAt(p) !== SP || line.charCodeAt(p + 3) !== COLON || line.charCodeAt(p + 6) !== COLON) return -1;
    const h = digitsAt(line, p + 1, 2);
    const mi = digitsAt(line, p + 4, 2);
    const s = digitsAt(line, p + 7, 2);
    // 2000 is a leap year: Feb 29 passes here, Feb 30 and Apr 31 do not.
    if (h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60 || !validDate(2000, mo, day)) return -1;
    const end = p + 9;
    const c = line.charCodeAt(end);
    if (c !== SP && c !== 46) return -1;
    this.bsdKey = line.slice(pos, end);
    this.bsdMs = this.clock.withoutYear(mo, day, h, mi, s);
    if (c === 46) return this.fraction(line, end, this.bsdMs);
    this.tsOut = this.bsdMs;
    return end;
  }

  /** Reads ".ddd..." at `pos` on top of `whole`; end index or -1; sets tsOut. */
  private fraction(line: string, pos: number, whole: number): number {
    let p = pos + 1;
    let ms = 0;
    let scale = 100;
    for (;;) {
      const d = line.charCodeAt(p) - 48;
      if (!(d >= 0 && d <= 9)) break;
      ms += d * scale;
      scale /= 10;
      p++;
    }
    if (p === pos + 1 || line.charCodeAt(p) !== SP) return -1;
    this.tsOut = whole + Math.floor(ms);
    return p;
  }

  /** End index of an RFC 3339 timestamp at `pos`, or -1; sets tsOut. */
  private rfc3339(line: string, pos: number): number {
    let base: number;
    const key = this.rfcKey;
    if (key !== '' && line.startsWith(key, pos)) {
      base = this.rfcBase;
    } else {
      const y = digitsAt(line, pos, 4);
      const mo = digitsAt(line, pos + 5, 2) - 1;
      const d = digitsAt(line, pos + 8, 2);
      const t = line.charCodeAt(pos + 10);
      const h = digitsAt(line, pos + 11, 2);
      const mi = digitsAt(line, pos + 14, 2);
      const s = digitsAt(line, pos + 17, 2);
      if (
        y < 0 || line.charCodeAt(pos + 4) !== 45 || line.charCodeAt(pos + 7) !== 45 || (t !== 84 && t !== 116) ||
        line.charCodeAt(pos + 13) !== COLON || line.charCodeAt(pos + 16) !== COLON ||
        !validDate(y, mo, d) || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60
      ) {
        return -1;
      }
      base = Date.UTC(y, mo, d, h, mi, s);
      this.rfcKey = line.slice(pos, pos + 19);
      this.rfcBase = base;
    }
    let p = pos + 19;
    let ms = 0;
    if (line.charCodeAt(p) === 46) {
      p++;
      let scale = 100;
      const start = p;
      for (;;) {
        const dd = line.charCodeAt(p) - 48;
        if (!(dd >= 0 && dd <= 9)) break;
        ms += dd * scale;
        scale /= 10;
        p++;
      }
      if (p === start) return -1;
      ms = Math.floor(ms);
    }
    const z = line.charCodeAt(p);
    let offset = 0;
    if (z === 90 || z === 122) {
      p++;
    } else if (z === 43 || z === 45) {
      const oh = digitsAt(line, p + 1, 2);
      let om: number;
      if (line.charCodeAt(p + 3) === COLON) {
        om = digitsAt(line, p + 4, 2);
        p += 6;
      } else {
        om = digitsAt(line, p + 3, 2);
        p += 5;
      }
      if (oh < 0 || oh > 23 || om < 0 || om > 59) return -1;
      offset = (z === 43 ? 1 : -1) * (oh * 60 + om) * 60_000;
    } else {
      return -1;
    }
    if (p < line.length && line.charCodeAt(p) !== SP) return -1;
    const ts = base + ms - offset;
    if (ts < 0) return -1;
    this.tsOut = ts;
    return p;
  }

  /**
   * Host (optional) and tag at `pos`; fills env.host/program/pid/msg. A token
   * ending in ':' is the tag (no host: the /dev/log form); otherwise the
   * first token is the host and the next one, when it ends in ':', the tag.
   */
  private hostAndTag(line: string, pos: number): boolean {
    const env = this.env;
    env.host = undefined;
    env.program = undefined;
    env.pid = undefined;
    // Fast path: the host of the previous line, then a tag seen before. Both
    // were validated when first cached, so a prefix match is enough.
    const host = this.lastHost;
    if (host !== '' && line.charCodeAt(pos + host.length) === SP && line.startsWith(host, pos)) {
      if (this.knownTag(line, pos + host.length + 1)) {
        env.host = host;
        return true;
      }
    } else if (this.knownTag(line, pos)) {
      return true;
    }
    let sp = line.indexOf(' ', pos);
    const firstEnd = sp < 0 ? line.length : sp;
    if (firstEnd === pos) {
      env.msgStart = pos;
      return true;
    }
    if (this.tagAt(line, pos, firstEnd)) return true;
    if (firstEnd - pos > MAX_HOST) return false;
    env.host = this.host(line, pos, firstEnd);
    if (sp < 0) {
      env.msgStart = line.length;
      return true;
    }
    const start = sp + 1;
    sp = line.indexOf(' ', start);
    const secondEnd = sp < 0 ? line.length : sp;
    if (this.tagAt(line, start, secondEnd)) return true;
    // Host but no tag (some network devices): the rest is the message.
    env.msgStart = start;
    return true;
  }

  /** If line[pos, end) is "prog[pid]:" or "prog:", fill program/pid/msg. */
  private tagAt(line: string, pos: number, end: number): boolean {
    if (end - pos < 2 || end - pos > MAX_TAG || line.charCodeAt(end - 1) !== COLON) return false;
    const env = this.env;
    let progEnd = end - 1;
    if (line.charCodeAt(progEnd - 1) === RBRACK) {
      const open = line.lastIndexOf('[', progEnd - 2);
      if (open <= pos) return false;
      const pid = digitsAt(line, open + 1, progEnd - 2 - open);
      env.pid = pid >= 0 ? pid : undefined;
      progEnd = open;
    }
    if (progEnd === pos) return false;
    // A colon or bracket inside the name means an IPv6 host or a time, not a tag.
    for (let i = pos; i < progEnd; i++) {
      const c = line.charCodeAt(i);
      if (c === COLON || c === LBRACK || c === RBRACK) return false;
    }
    env.program = this.tag(line, pos, progEnd);
    env.msgStart = Math.min(end + 1, line.length);
    return true;
  }

  private host(line: string, pos: number, end: number): string {
    const last = this.lastHost;
    if (last.length === end - pos && line.startsWith(last, pos)) return last;
    return (this.lastHost = line.slice(pos, end));
  }

  /**
   * A cached tag at `pos`, followed by "[digits]:" or ":" and a space (or the
   * end): fills program/pid/msg. A hit moves the tag one slot forward, so the
   * busiest programs are compared first.
   */
  private knownTag(line: string, pos: number): boolean {
    const tags = this.tags;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i]!;
      let p = pos + t.length;
      // Cheap rejections before the full compare: most cached tags share the
      // "postfix/" prefix, so the char after the name and its last char decide.
      const after = line.charCodeAt(p);
      if ((after !== LBRACK && after !== COLON) || line.charCodeAt(p - 1) !== t.charCodeAt(t.length - 1)) continue;
      if (!line.startsWith(t, pos)) continue;
      let pid: number | undefined;
      if (line.charCodeAt(p) === LBRACK) {
        let v = 0;
        let q = p + 1;
        for (;;) {
          const d = line.charCodeAt(q) - 48;
          if (!(d >= 0 && d <= 9)) break;
          v = v * 10 + d;
          q++;
        }
        if (q === p + 1 || line.charCodeAt(q) !== RBRACK) return false;
        pid = v;
        p = q + 1;
      }
      if (line.charCodeAt(p) !== COLON) continue;
      const next = p + 1;
      if (next < line.length && line.charCodeAt(next) !== SP) return false;
      const env = this.env;
      env.program = t;
      env.pid = pid;
      env.msgStart = Math.min(next + 1, line.length);
      if (i > 0) {
        tags[i] = tags[i - 1]!;
        tags[i - 1] = t;
      }
      return true;
    }
    return false;
  }

  private tag(line: string, pos: number, end: number): string {
    const len = end - pos;
    const tags = this.tags;
    for (let i = 0; i < tags.length; i++) {
      const t = tags[i]!;
      if (t.length === len && line.startsWith(t, pos)) return t;
    }
    const t = line.slice(pos, end);
    // New tags enter at the back, replacing the least used one when full.
    if (tags.length < TAG_CACHE) tags.push(t);
    else tags[TAG_CACHE - 1] = t;
    return t;
  }

  private rfc5424(line: string, pos: number, pri: number): Envelope | undefined {
    const env = this.env;
    env.pri = pri;
    let end: number;
    if (line.charCodeAt(pos) === 45 /* - */) {
      env.ts = undefined;
      end = pos + 1;
    } else {
      end = this.rfc3339(line, pos);
      if (end < 0) return undefined;
      env.ts = this.tsOut;
    }
    // HOSTNAME APP-NAME PROCID MSGID, each a token or "-".
    const fields: [number, number][] = [];
    let p = end;
    for (let i = 0; i < 4; i++) {
      if (line.charCodeAt(p) !== SP) return undefined;
      const start = p + 1;
      let stop = line.indexOf(' ', start);
      if (stop < 0) stop = line.length;
      if (stop === start) return undefined;
      fields.push([start, stop]);
      p = stop;
    }
    const nil = (f: [number, number]) => f[1] - f[0] === 1 && line.charCodeAt(f[0]) === 45;
    const [hostF, appF, procF] = fields as [[number, number], [number, number], [number, number]];
    if (hostF[1] - hostF[0] > MAX_HOST || appF[1] - appF[0] > MAX_TAG) return undefined;
    env.host = nil(hostF) ? undefined : this.host(line, hostF[0], hostF[1]);
    env.program = nil(appF) ? undefined : this.tag(line, appF[0], appF[1]);
    const pid = nil(procF) ? -1 : digitsAt(line, procF[0], procF[1] - procF[0]);
    env.pid = pid >= 0 ? pid : undefined;
    // STRUCTURED-DATA: "-" or one or more [id param="value"...] elements.
    if (line.charCodeAt(p) !== SP) return undefined;
    p++;
    if (line.charCodeAt(p) === 45) {
      p++;
    } else {
      while (line.charCodeAt(p) === LBRACK) {
        p = sdElementEnd(line, p);
        if (p < 0) return undefined;
      }
    }
    if (p < line.length && line.charCodeAt(p) !== SP) return undefined;
    // rsyslog keeps the space that followed the tag inside MSG; a UTF-8 BOM may lead it.
    p++;
    while (line.charCodeAt(p) === SP) p++;
    if (line.charCodeAt(p) === 0xfeff) p++;
    env.msgStart = Math.min(p, line.length);
    return env;
  }
}

/** Index after the SD-ELEMENT starting at `pos` ("[...]" with \" \] escapes in values), or -1. */
function sdElementEnd(line: string, pos: number): number {
  let inQuote = false;
  for (let p = pos + 1; p < line.length; p++) {
    const c = line.charCodeAt(p);
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
