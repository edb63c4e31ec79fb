import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineFramer } from '../../server/ingest/line-framer.js';
import { newCounters } from '../../server/ingest/source.js';

function framer(maxLine = 64) {
  const lines: string[] = [];
  const counters = newCounters();
  const f = new LineFramer(maxLine, (l) => lines.push(l), counters);
  return { f, lines, counters };
}

/** What a reader must see for LF-terminated `text`: one CR before each LF dropped, empty lines skipped. */
function reference(text: string): string[] {
  return text
    .split('\n')
    .slice(0, -1)
    .map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l))
    .filter((l) => l.length > 0);
}

describe('LineFramer', () => {
  it('splits LF and CRLF lines and skips empty ones', () => {
    const { f, lines, counters } = framer();
    f.push(Buffer.from('one\ntwo\r\n\nthree\r\n\r\nfour'));
    expect(lines).toEqual(['one', 'two', 'three']);
    f.end();
    expect(lines).toEqual(['one', 'two', 'three', 'four']);
    expect(counters).toMatchObject({ lines: 4, oversize: 0 });
  });

  it('reassembles a line split across two chunks at every byte offset', () => {
    const text = 'Dec  4 10:33:25 mx postfix/smtp[1]: é→✓ 😀 status=sent\r\nsecond line\n';
    const bytes = Buffer.from(text);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const { f, lines } = framer(1024);
      f.push(bytes.subarray(0, cut));
      f.push(bytes.subarray(cut));
      f.end();
      expect(lines, `cut at ${cut}`).toEqual(['Dec  4 10:33:25 mx postfix/smtp[1]: é→✓ 😀 status=sent', 'second line']);
    }
  });

  it('gives the same lines however a stream is chunked', () => {
    const line = fc.stringMatching(/^[^\n]{0,40}$/, { size: 'small' });
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), fc.array(fc.nat(200), { maxLength: 20 }), (ls, cuts) => {
        const text = ls.map((l) => l + '\n').join('');
        const bytes = Buffer.from(text);
        const { f, lines } = framer(1 << 20);
        let at = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) {
          const to = Math.min(c, bytes.length);
          if (to < at) continue;
          f.push(bytes.subarray(at, to));
          at = to;
        }
        f.push(bytes.subarray(at));
        f.end();
        expect(lines).toEqual(reference(text));
      }),
    );
  });

  it('cuts a too-long line inside one chunk and counts it', () => {
    const { f, lines, counters } = framer(10);
    f.push(Buffer.from('short\n' + 'x'.repeat(25) + '\nafter\n'));
    expect(lines).toEqual(['short', 'x'.repeat(10), 'after']);
    expect(counters).toMatchObject({ lines: 3, oversize: 1 });
  });

  it('hands a too-long partial line on as soon as it passes the cap, then skips to its end', () => {
    const { f, lines, counters } = framer(10);
    f.push(Buffer.from('abcdef'));
    expect(lines).toEqual([]);
    f.push(Buffer.from('ghijklmnop'));
    expect(lines).toEqual(['abcdefghij']);
    expect(counters.oversize).toBe(1);
    f.push(Buffer.from('more of the same line'));
    f.push(Buffer.from(' still\nnext\n'));
    expect(lines).toEqual(['abcdefghij', 'next']);
    expect(counters).toMatchObject({ lines: 2, oversize: 1 });
  });

  it('does not count a line of exactly the cap as oversize, with or without CR, split or not', () => {
    for (const text of ['0123456789\n', '0123456789\r\n']) {
      const bytes = Buffer.from(text);
      for (let cut = 0; cut <= bytes.length; cut++) {
        const { f, lines, counters } = framer(10);
        f.push(bytes.subarray(0, cut));
        f.push(bytes.subarray(cut));
        expect(lines, `${JSON.stringify(text)} cut at ${cut}`).toEqual(['0123456789']);
        expect(counters.oversize).toBe(0);
      }
    }
  });

  it('never holds more than the cap for a 10 MB line with no newline', () => {
    const { f, lines, counters } = framer(64 * 1024);
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let maxHeld = 0;
    for (let i = 0; i < 160; i++) {
      f.push(chunk);
      maxHeld = Math.max(maxHeld, f.buffered);
    }
    expect(maxHeld).toBeLessThanOrEqual(64 * 1024 + 1);
    expect(counters).toMatchObject({ lines: 1, oversize: 1 });
    expect(lines[0]).toHaveLength(64 * 1024);
    f.push(Buffer.from('tail of it\nok\n'));
    expect(lines.slice(1)).toEqual(['ok']);
  });

  it('tolerates invalid UTF-8 and binary bytes', () => {
    const { f, lines } = framer(1024);
    f.push(Buffer.from([0xff, 0xfe, 0x41, 0xc3, 0x0a, 0x00, 0x80, 0x42, 0x0a]));
    expect(lines).toEqual(['\ufffd\ufffdA\ufffd', '\u0000\ufffdB']);
  });

  it('decodes a multi-byte character split across chunks', () => {
    const { f, lines } = framer();
    const euro = Buffer.from('€\n');
    f.push(euro.subarray(0, 1));
    f.push(euro.subarray(1, 2));
    f.push(euro.subarray(2));
    expect(lines).toEqual(['€']);
  });

  it('keeps no view of a reused read buffer', () => {
    const { f, lines } = framer();
    const buf = Buffer.from('partial');
    f.push(buf);
    buf.fill(0x7a);
    f.push(Buffer.from(' line\n'));
    expect(lines).toEqual(['partial line']);
  });
});
