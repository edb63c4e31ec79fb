// Address local parts are personal data: they never leave the daemon unless
// the operator opts in (--show-addresses). Every parser sends free text and
// raw field values through one Redactor, so the rule lives here only:
// "local@domain" becomes "***@domain", and a recipient's or sender's local
// part that shows up on its own in reply text ("unknown user: \"jane\"") is
// replaced by "***" as well. Reasons are also flattened to one line and cut
// to a short length, after masking so a cut can never expose half an address.

import { detach } from './bytes.js';

export const MASK = '***';
/** Longest reason kept, in characters (the event is a short summary, not a log). */
export const REASON_MAX = 256;
/** Longest name (mta, ingress, egress, domain, queueId, box) an event holds. */
export const NAME_MAX = 255;
/** Raw values Redactor.name() remembers. */
const RECENT_NAMES = 16;

/**
 * Characters that end a local part when scanning back from '@': RFC 5322's
 * specials and white space. Everything else (atext: ' ` { } | ! # $ ... and
 * '=' of VERP and SRS addresses) belongs to it, so "o'brien@x" is masked whole.
 */
function endsLocal(c: number): boolean {
  return (
    c <= 32 || c === 60 /* < */ || c === 62 /* > */ || c === 40 /* ( */ || c === 41 /* ) */ ||
    c === 91 /* [ */ || c === 93 /* ] */ || c === 44 /* , */ || c === 59 /* ; */ || c === 58 /* : */ ||
    c === 64 /* @ */ || c === 92 /* \ */ || c === 127
  );
}

function isWordChar(c: number): boolean {
  return (
    (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) ||
    c === 46 || c === 95 || c === 43 || c === 45 || c >= 128
  );
}

/** "local@domain" -> "***@domain" everywhere in `s` (quoted local parts included). */
export function maskAddresses(s: string): string {
  let at = s.indexOf('@');
  if (at < 0) return s;
  let out = '';
  let copied = 0;
  while (at >= 0) {
    let start = at;
    if (at > 0 && s.charCodeAt(at - 1) === 34 /* " */) {
      // Quoted local part: "john doe"@example.com
      const open = s.lastIndexOf('"', at - 2);
      start = open >= copied ? open : at;
    } else {
      while (start > copied && !endsLocal(s.charCodeAt(start - 1))) start--;
    }
    if (start < at) {
      out += s.slice(copied, start) + MASK;
      copied = at;
    }
    at = s.indexOf('@', at + 1);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** Replaces stand-alone occurrences of `token` (not inside a longer word) with the mask. */
export function maskToken(s: string, token: string): string {
  if (token === '' || token === MASK) return s;
  let i = s.indexOf(token);
  if (i < 0) return s;
  let out = '';
  let copied = 0;
  while (i >= 0) {
    const end = i + token.length;
    // A dot ends the token when it ends a sentence ("jane."), not when a name goes on ("jane.doe").
    const after = s.charCodeAt(end);
    const endsHere = end >= s.length || !isWordChar(after) || (after === 46 && !isWordChar(s.charCodeAt(end + 1)));
    if ((i === 0 || !isWordChar(s.charCodeAt(i - 1))) && endsHere) {
      out += s.slice(copied, i) + MASK;
      copied = end;
    }
    i = s.indexOf(token, end);
  }
  return copied === 0 ? s : out + s.slice(copied);
}

/** The local part of an address ("jane" of "jane@example.com", "<jane@x>", "jane"). */
export function localPart(addr: string): string {
  let s = addr;
  if (s.charCodeAt(0) === 60) s = s.slice(1, s.charCodeAt(s.length - 1) === 62 ? -1 : undefined);
  const at = s.lastIndexOf('@');
  return at < 0 ? s : s.slice(0, at);
}

/** Lower-cased domain of an address, or undefined (no '@', empty or implausible domain). */
export function domainOf(addr: string, from = 0, to = addr.length): string | undefined {
  const at = addr.lastIndexOf('@', to - 1);
  if (at < from) return undefined;
  let end = to;
  while (end > at + 1 && (addr.charCodeAt(end - 1) === 62 /* > */ || addr.charCodeAt(end - 1) === 46 /* . */)) end--;
  if (end - at - 1 < 1 || end - at - 1 > 253) return undefined;
  for (let i = at + 1; i < end; i++) {
    const c = addr.charCodeAt(i);
    // Domain names and [address literals]; anything else is not a domain.
    if (!(isWordChar(c) || c === 91 || c === 93 || c === 58) || c === 43) return undefined;
  }
  return addr.slice(at + 1, end).toLowerCase();
}

/**
 * domainOf over a line's bytes (bytes.ts): the domain of the address in
 * b[from, to), where char i of `line` is byte o + i. Agrees with domainOf
 * (test/parse/extract.test.ts); lower-cases only when there is something to lower.
 */
export function domainIn(line: string, b: Uint8Array, o: number, from: number, to: number): string | undefined {
  let at = to - 1;
  while (at >= from && b[at] !== 64 /* @ */) at--;
  if (at < from) return undefined;
  let end = to;
  while (end > at + 1 && (b[end - 1] === 62 /* > */ || b[end - 1] === 46 /* . */)) end--;
  if (end - at - 1 < 1 || end - at - 1 > 253) return undefined;
  let lower = true;
  for (let i = at + 1; i < end; i++) {
    const c = b[i]!;
    if (!(isWordChar(c) || c === 91 || c === 93 || c === 58) || c === 43) return undefined;
    if ((c >= 65 && c <= 90) || c >= 0x80) lower = false;
  }
  const d = line.slice(at + 1 - o, end - o);
  return lower ? d : d.toLowerCase();
}

export class Redactor {
  constructor(readonly showAddresses: boolean) {}

  /** Reason text: one line, local parts masked (plus any `known` local parts), at most REASON_MAX chars. */
  reason(text: string, known1?: string, known2?: string): string | undefined {
    let s = text;
    if (s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\t') >= 0) s = s.replace(/[\r\n\t]+/g, ' ');
    s = s.trim();
    if (!this.showAddresses) {
      s = maskAddresses(s);
      if (known1 !== undefined) s = maskToken(s, known1);
      if (known2 !== undefined) s = maskToken(s, known2);
    }
    if (s.length > REASON_MAX) s = s.slice(0, REASON_MAX - 1).trimEnd() + '…';
    return s === '' ? undefined : s;
  }

  /** A raw field value used as a name (ingress, egress...): addresses in it are masked. */
  value(s: string): string {
    return this.showAddresses || s.indexOf('@') < 0 ? s : maskAddresses(s);
  }

  // Names repeat on nearly every event (the hosts, a handful of listeners and
  // transports): the last few are remembered. They are mostly the very same
  // string objects (cached by the envelope reader), so === is a pointer check.
  // Room for all three roles at once: with 4 slots, a relay of 3 hosts, 2
  // listeners and 4 transports missed on most calls.
  private readonly recentRaw: (string | undefined)[] = new Array<string | undefined>(RECENT_NAMES).fill(undefined);
  private readonly recentName: (string | undefined)[] = new Array<string | undefined>(RECENT_NAMES).fill(undefined);
  private recentNext = 0;

  /** A raw value as an event name: masked, trimmed, undefined when empty or longer than NAME_MAX. */
  name(s: string): string | undefined {
    const raw = this.recentRaw;
    for (let i = 0; i < RECENT_NAMES; i++) if (raw[i] === s) return this.recentName[i];
    const t = this.value(s).trim();
    // Names are kept for good (topology, stats keys): copies, not slices of a line's chunk.
    const v = t.length === 0 || t.length > NAME_MAX ? undefined : detach(t);
    const slot = this.recentNext;
    raw[slot] = s;
    this.recentName[slot] = v;
    this.recentNext = (slot + 1) % RECENT_NAMES;
    return v;
  }
}
