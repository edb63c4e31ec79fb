import { describe, expect, it } from 'vitest';
import { OctetFramer } from '../../server/ingest/octet-framer.js';
import { newCounters } from '../../server/ingest/source.js';
import { detectFraming, SyslogFramer } from '../../server/ingest/syslog-framer.js';

function octets(...msgs: string[]): Buffer {
  return Buffer.concat(msgs.map((m) => Buffer.concat([Buffer.from(`${Buffer.byteLength(m)} `), Buffer.from(m)])));
}

function syslog(maxLine = 1024) {
  const lines: string[] = [];
  const counters = newCounters();
  const f = new SyslogFramer(maxLine, (l) => lines.push(l), counters);
  return { f, lines, counters };
}

describe('detectFraming', () => {
  it.each([
    ['', undefined],
    ['<13>Dec  4 x', 'lines'],
    ['Dec  4 10:33:25 mx', 'lines'],
    ['2024-05-01T10:00:00Z mx postfix', 'lines'],
    ['12 hello', 'lines'],
    ['0 <13>', 'lines'],
    ['1234567890 <', 'lines'],
    ['1', undefined],
    ['123', undefined],
    ['123 ', undefined],
    ['123 <', 'octets'],
    ['123456789 <', 'octets'],
  ])('%j -> %s', (head, want) => {
    expect(detectFraming(Buffer.from(head))).toBe(want);
  });
});

describe('OctetFramer', () => {
  it('reads frames split at every byte offset', () => {
    const msgs = ['<13>1 2024-05-01T10:00:00Z mx app - - - héllo', '<14>Dec  4 10:33:25 mx postfix/smtp[1]: x'];
    const bytes = octets(...msgs);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const lines: string[] = [];
      const counters = newCounters();
      const f = new OctetFramer(1024, (l) => lines.push(l), counters, () => {
        throw new Error('not malformed');
      });
      f.push(bytes.subarray(0, cut));
      f.push(bytes.subarray(cut));
      expect(lines, `cut at ${cut}`).toEqual(msgs);
      expect(counters.errors).toBe(0);
    }
  });

  it('strips a trailing LF inside a frame, splits an embedded one, skips trailers between frames', () => {
    const lines: string[] = [];
    const f = new OctetFramer(1024, (l) => lines.push(l), newCounters(), () => {});
    f.push(Buffer.concat([octets('<13>a\n'), Buffer.from('\n'), octets('<13>b\n<13>c'), Buffer.from('\r\n')]));
    expect(lines).toEqual(['<13>a', '<13>b', '<13>c']);
  });

  it('caps a huge frame without buffering it', () => {
    const lines: string[] = [];
    const counters = newCounters();
    const f = new OctetFramer(100, (l) => lines.push(l), counters, () => {});
    const body = '<13>' + 'x'.repeat(1_000_000);
    f.push(Buffer.from(`${body.length} `));
    for (let i = 0; i < body.length; i += 65536) {
      f.push(Buffer.from(body.slice(i, i + 65536)));
      expect(f.buffered).toBeLessThanOrEqual(101);
    }
    f.push(octets('<13>next'));
    expect(lines).toEqual([body.slice(0, 100), '<13>next']);
    expect(counters).toMatchObject({ lines: 2, oversize: 1, errors: 0 });
  });
});

describe('SyslogFramer', () => {
  it('reads an LF-framed connection', () => {
    const { f, lines } = syslog();
    f.push(Buffer.from('<13>Dec  4 10:33:25 mx a: one\n<13>Dec  4 10:33:26 mx a: two\r\n'));
    expect(lines).toEqual(['<13>Dec  4 10:33:25 mx a: one', '<13>Dec  4 10:33:26 mx a: two']);
    expect(f.framing).toBe('lines');
  });

  it('detects octet counting even when the count arrives one byte at a time', () => {
    const { f, lines } = syslog();
    const bytes = octets('<13>1 - mx app - - - one', '<13>1 - mx app - - - two');
    for (const b of bytes) f.push(Buffer.from([b]));
    expect(lines).toEqual(['<13>1 - mx app - - - one', '<13>1 - mx app - - - two']);
    expect(f.framing).toBe('octets');
  });

  it('reads a line that starts with digits as a line', () => {
    const { f, lines } = syslog();
    f.push(Buffer.from('2024-05-01T10:00:00Z mx postfix/smtp[1]: x\n'));
    expect(lines).toEqual(['2024-05-01T10:00:00Z mx postfix/smtp[1]: x']);
  });

  it('counts a broken count and reads the rest of the connection as lines', () => {
    const { f, lines, counters } = syslog();
    f.push(Buffer.concat([octets('<13>first'), Buffer.from('garbage here\n<13>then lines\n')]));
    expect(lines).toEqual(['<13>first', 'garbage here', '<13>then lines']);
    expect(counters.errors).toBe(1);
    expect(f.framing).toBe('lines');
  });

  it('hands on a frame cut short by the end of the connection and counts it', () => {
    const { f, lines, counters } = syslog();
    f.push(Buffer.from('20 <13>only part'));
    f.end();
    expect(lines).toEqual(['<13>only part']);
    expect(counters.errors).toBe(1);
  });

  it('hands on a short connection that ended before its framing was known', () => {
    const { f, lines } = syslog();
    f.push(Buffer.from('42'));
    f.end();
    expect(lines).toEqual(['42']);
  });
});
