// RFC 6587 octet counting: each frame is "MSG-LEN SP SYSLOG-MSG". The body is
// streamed into a LineFramer and ended at the frame boundary, so the line cap,
// CRLF handling and the splitting of an embedded LF are the same as on every
// other input, and a huge MSG-LEN never makes us buffer the body. A header
// that is not a count is a framing error: it is counted and every byte from
// the bad header on is handed to onMalformed, which reads them as lines.

import { LineFramer, type LineSink } from './line-framer.js';
import type { SourceCounters } from './source.js';

const SP = 0x20;
const ZERO = 0x30;
const NINE = 0x39;
/** Up to 999,999,999 bytes: far beyond any syslog message, and safe to sum. */
const MAX_DIGITS = 9;

export class OctetFramer {
  private readonly body: LineFramer;
  /** Body bytes still due in the current frame; 0 while reading a header. */
  private remaining = 0;
  private readonly header = Buffer.alloc(MAX_DIGITS);
  private headerLen = 0;

  constructor(
    maxLine: number,
    sink: LineSink,
    private readonly counters: SourceCounters,
    private readonly onMalformed: (rest: Buffer) => void,
  ) {
    this.body = new LineFramer(maxLine, sink, counters);
  }

  get buffered(): number {
    return this.body.buffered + this.headerLen;
  }

  push(chunk: Buffer): void {
    const n = chunk.length;
    let i = 0;
    while (i < n) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, n - i);
        this.body.push(chunk.subarray(i, i + take));
        this.remaining -= take;
        i += take;
        if (this.remaining === 0) this.body.end();
        continue;
      }
      const b = chunk[i]!;
      if (this.headerLen === 0 && (b === 0x0a || b === 0x0d || b === 0)) {
        // Some senders end each frame with a trailer anyway; it carries nothing.
        i++;
      } else if (b === SP && this.headerLen > 0) {
        let len = 0;
        for (let k = 0; k < this.headerLen; k++) len = len * 10 + (this.header[k]! - ZERO);
        this.headerLen = 0;
        this.remaining = len;
        i++;
      } else if (b >= ZERO && b <= NINE && this.headerLen < MAX_DIGITS && !(b === ZERO && this.headerLen === 0)) {
        this.header[this.headerLen++] = b;
        i++;
      } else {
        this.counters.errors++;
        const rest = Buffer.concat([this.header.subarray(0, this.headerLen), chunk.subarray(i)]);
        this.headerLen = 0;
        this.onMalformed(rest);
        return;
      }
    }
  }

  /** The stream ended: hand on a frame cut short (counted as an error) or a dangling header. */
  end(): void {
    if (this.remaining > 0) {
      this.counters.errors++;
      this.remaining = 0;
      this.body.end();
    } else if (this.headerLen > 0) {
      const rest = Buffer.from(this.header.subarray(0, this.headerLen));
      this.counters.errors++;
      this.headerLen = 0;
      this.onMalformed(rest);
    }
  }
}
