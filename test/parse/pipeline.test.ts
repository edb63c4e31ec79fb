import { describe, expect, it } from 'vitest';
import { sniff } from '../../server/parse/detect.js';
import { EnvelopeReader } from '../../server/parse/envelope.js';
import { createPipeline, DECIDE_AFTER, REDETECT_AFTER } from '../../server/parse/pipeline.js';
import { WallClock } from '../../server/parse/time.js';
import type { MailEvent } from '../../server/protocol/index.js';
import { config, fixtureLines, NOW } from './helpers.js';

const SAMPLES = {
  postfix: fixtureLines('postfix/maillog.log'),
  exim: fixtureLines('exim/mainlog-selectors.log'),
  sparkpost: fixtureLines('sparkpost/webhook-records.ndjson'),
  pmta: fixtureLines('pmta/guide-v4-mixed.csv'),
  json: [
    '{"ts":1795457630000,"format":"postfix","kind":"injection","mta":"mx1","ingress":"elb-smtp","queueId":"A786B20E505"}',
    '{"ts":1795457631000,"format":"postfix","kind":"delivery","mta":"mx1","egress":"proxy-a","destIp":"127.0.0.1"}',
    '{"ts":1795457632000,"kind":"bounce"}',
  ],
};

function pipeline(overrides = {}) {
  const events: MailEvent[] = [];
  const p = createPipeline(config(overrides), (e) => events.push(e), { now: () => NOW });
  return { p, events };
}

describe('format detection', () => {
  it('sniffs every format from real lines', () => {
    const r = new EnvelopeReader(new WallClock('UTC', () => NOW));
    for (const [format, lines] of Object.entries(SAMPLES)) {
      const recognised = lines.map((l) => sniff(l, r.read(l))).filter((f) => f !== undefined);
      expect(new Set(recognised), format).toEqual(new Set([format]));
    }
  });

  it('settles each source on its own format and parses every line with it', () => {
    const { p } = pipeline();
    // Interleaved sources, as the daemon delivers them.
    const n = Math.max(...Object.values(SAMPLES).map((l) => l.length));
    for (let i = 0; i < n; i++) {
      for (const [format, lines] of Object.entries(SAMPLES)) if (i < lines.length) p.line(lines[i]!, `src-${format}`);
    }
    const s = p.stats();
    expect(s.sources).toEqual({ 'src-postfix': 'postfix', 'src-exim': 'exim', 'src-sparkpost': 'sparkpost', 'src-pmta': 'pmta', 'src-json': 'json' });
    expect(s.unparsed).toBe(0);
    expect(s.perFormat.postfix).toMatchObject({ lines: 585, events: 199 });
    expect(s.perFormat.exim).toMatchObject({ lines: 291, events: 199 });
    expect(s.perFormat.sparkpost).toMatchObject({ lines: 4, events: 3 });
    expect(s.perFormat.pmta).toMatchObject({ lines: 4, events: 3 });
    expect(s.perFormat.json).toMatchObject({ lines: 3, events: 3 });
    expect(s.lines).toBe(585 + 291 + 4 + 4 + 3);
    expect(s.lines).toBe(s.eventLines + s.ignored + s.unparsed);
  });

  it(`decides after ${DECIDE_AFTER} recognisable lines, and lines nothing recognises are unparsed until then`, () => {
    const { p } = pipeline();
    p.line('garbage', 's');
    expect(p.stats().sources.s).toBe('undecided');
    for (const l of SAMPLES.postfix.slice(0, DECIDE_AFTER)) p.line(l, 's');
    expect(p.stats().sources.s).toBe('postfix');
    expect(p.stats().unparsed).toBe(1);
  });

  it(`detects again after ${REDETECT_AFTER} unparsed lines in a row`, () => {
    const { p, events } = pipeline();
    for (const l of SAMPLES.postfix.slice(0, 10)) p.line(l, 's');
    // The source now carries Exim's mainlog (a misconfigured tail, a rotated-in file...).
    for (const l of SAMPLES.exim) p.line(l, 's');
    const s = p.stats();
    expect(s.redetections).toBe(1);
    expect(s.sources.s).toBe('exim');
    expect(s.unparsed).toBe(REDETECT_AFTER);
    expect(events.filter((e) => e.format === 'exim').length).toBeGreaterThan(150);
  });

  it('--format pins the parser: no detection, no re-detection', () => {
    const { p } = pipeline({ format: 'exim' });
    for (const l of SAMPLES.postfix) p.line(l, 's');
    const s = p.stats();
    expect(s.sources.s).toBe('exim');
    expect(s.redetections).toBe(0);
    expect(s.perFormat.exim.lines).toBe(585);
    // Postfix's tags are other programs to the Exim parser.
    expect(s.ignored).toBe(585);
  });

  it('routes syslog lines by their tag, so one source can carry Postfix and Exim hosts', () => {
    const { p } = pipeline();
    const exim = SAMPLES.exim.map((l) => `Nov 23 18:29:03 mx2 exim[9030]: ${l}`);
    const n = Math.max(SAMPLES.postfix.length, exim.length);
    for (let i = 0; i < n; i++) {
      if (i < exim.length) p.line(exim[i]!, 'aggregator');
      if (i < SAMPLES.postfix.length) p.line(SAMPLES.postfix[i]!, 'aggregator');
    }
    const s = p.stats();
    expect(s.unparsed).toBe(0);
    expect(s.perFormat.postfix).toMatchObject({ lines: 585, events: 199 });
    expect(s.perFormat.exim).toMatchObject({ lines: 291, events: 199 });
  });
});

describe('pipeline accounting', () => {
  it('counts a throwing sink instead of failing the line, and empty lines as ignored', () => {
    const p = createPipeline(config(), () => {
      throw new Error('hub bug');
    });
    for (const l of SAMPLES.json) p.line(l, 's');
    p.line('', 's');
    expect(p.stats()).toMatchObject({ events: 3, sinkErrors: 3, eventLines: 3, ignored: 1 });
  });

  it('keeps per-format totals after a source ends, and close() is safe twice', () => {
    const { p } = pipeline();
    for (const l of SAMPLES.postfix) p.line(l, 'a');
    p.endSource('a');
    p.endSource('a');
    expect(p.stats().sources).toEqual({});
    expect(p.stats().perFormat.postfix).toMatchObject({ lines: 585, events: 199 });
    for (const l of SAMPLES.postfix.slice(0, 5)) p.line(l, 'a');
    expect(p.stats().perFormat.postfix.lines).toBe(590);
    p.close();
    p.close();
    expect(p.stats().correlation.size).toBe(0);
  });

  it('stats() returns a snapshot, not live counters', () => {
    const { p } = pipeline();
    const before = p.stats();
    for (const l of SAMPLES.json) p.line(l, 's');
    expect(before.lines).toBe(0);
    expect(before.byKind).toEqual([0, 0, 0, 0, 0]);
    expect(p.stats().byKind).toEqual([1, 1, 0, 1, 0]);
  });

  it('hands out a fresh event object each time', () => {
    const { p, events } = pipeline();
    for (const l of SAMPLES.postfix) p.line(l, 's');
    expect(new Set(events).size).toBe(events.length);
  });
});
