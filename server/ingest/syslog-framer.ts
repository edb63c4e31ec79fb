// Framing of a syslog stream connection, detected from its first bytes:
// RFC 6587 octet counting when they read "MSG-LEN SP <" (a count, a space and
// the "<" that opens every syslog PRI), LF-terminated lines otherwise. Asking
// for the "<" keeps a line that merely starts with digits ("2024-...") from
// being read as a count. A broken count later on switches the connection to
// lines (OctetFramer counts the error).

import { LineFramer, type LineSink } from './line-framer.js';
import { OctetFramer } from './octet-framer.js';
import type { SourceCounters } from './source.js';

export type Framing = 'octets' | 'lines';

/** Longest head that can still be undecided: 9 digits, a space, the "<". */
const MAX_PROBE = 11;

/** The framing announced by the first bytes of a connection, or undefined if more bytes are needed. */
export function detectFraming(head: Buffer): Framing | undefined {
  if (head.length === 0) return undefined;
  const first = head[0]!;
  if (first < 0x31 || first > 0x39) return 'lines';
  let i = 1;
  while (i < head.length && head[i]! >= 0x30 && head[i]! <= 0x39) i++;
  if (i > 9) return 'lines';
  if (i === head.length) return undefined;
  if (head[i] !== 0x20) return 'lines';
  if (i + 1 === head.length) return undefined;
  return head[i + 1] === 0x3c ? 'octets' : 'lines';
}

export class SyslogFramer {
  private framer: LineFramer | OctetFramer | undefined;
  private probe: Buffer = Buffer.alloc(0);

  constructor(
    private readonly maxLine: number,
    private readonly sink: LineSink,
    private readonly counters: SourceCounters,
  ) {}

  /** Undefined until the first bytes decided it. */
  get framing(): Framing | undefined {
    return this.framer === undefined ? undefined : this.framer instanceof OctetFramer ? 'octets' : 'lines';
  }

  get buffered(): number {
    return this.framer ? this.framer.buffered : this.probe.length;
  }

  push(chunk: Buffer): void {
    if (this.framer) {
      this.framer.push(chunk);
      return;
    }
    const head = this.probe.length ? Buffer.concat([this.probe, chunk]) : chunk;
    const verdict = detectFraming(head.subarray(0, MAX_PROBE));
    if (verdict === undefined) {
      this.probe = Buffer.from(head);
      return;
    }
    this.probe = Buffer.alloc(0);
    this.choose(verdict).push(head);
  }

  end(): void {
    if (!this.framer) {
      if (this.probe.length === 0) return;
      this.choose('lines').push(this.probe);
      this.probe = Buffer.alloc(0);
    }
    const framer = this.framer!;
    framer.end();
    // A dangling header at the end switches an octet stream to lines.
    if (this.framer !== framer) this.framer!.end();
  }

  private choose(framing: Framing): LineFramer | OctetFramer {
    this.framer =
      framing === 'lines'
        ? new LineFramer(this.maxLine, this.sink, this.counters)
        : new OctetFramer(this.maxLine, this.sink, this.counters, (rest) => {
            this.framer = new LineFramer(this.maxLine, this.sink, this.counters);
            this.framer.push(rest);
          });
    return this.framer;
  }
}
