// `npm run bench:compare`: two bench outputs, figure by figure, flagged when
// worse beyond the threshold in the direction the unit says is bad.

import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { better, compare, parseFigures } from '../../bench/compare/compare.js';
import type { Figure } from '../../bench/lib/figure.js';

const CLI = resolve(import.meta.dirname, '../../dist/bench/compare/main.js');
const dir = mkdtempSync(join(tmpdir(), 'mtaviz-compare-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fig = (name: string, value: number, unit: string): Figure => ({ name, value, unit, conditions: 'test' });
const lines = (figs: Figure[]) => figs.map((f) => JSON.stringify(f)).join('\n') + '\n';

describe('bench compare', () => {
  it('knows which way is better for every unit the benchmarks use', () => {
    for (const u of ['lines/s', 'MB/s', 'events/s (slowest client)', 'lines per daemon CPU second', 'fps', 'balls']) expect(better(u), u).toBe('higher');
    for (const u of ['ms', 'ns/event', '% of one core', 'MB', 'bytes', 'bytes/event']) expect(better(u), u).toBe('lower');
    expect(better('widgets')).toBeUndefined();
  });

  it('flags a change for the worse beyond the threshold, in either direction of better', () => {
    const old = [fig('a.rate', 1000, 'lines/s'), fig('b.p99', 20, 'ms'), fig('c.rate', 1000, 'lines/s'), fig('d.p99', 20, 'ms'), fig('e', 5, 'widgets'), fig('gone', 1, 'ms')];
    const now = [fig('a.rate', 800, 'lines/s'), fig('b.p99', 25, 'ms'), fig('c.rate', 1050, 'lines/s'), fig('d.p99', 10, 'ms'), fig('e', 50, 'widgets'), fig('new', 1, 'ms')];
    const rows = compare(old, now, 15);
    expect(rows.map((r) => [r.name, r.changePct, r.verdict])).toEqual([
      ['a.rate', -20, 'worse'],
      ['b.p99', 25, 'worse'],
      ['c.rate', 5, 'same'],
      ['d.p99', -50, 'better'],
      ['e', 900, 'unknown'],
      ['gone', undefined, 'gone'],
      ['new', undefined, 'new'],
    ]);
  });

  it('compares repeated figures by their median and skips lines that are not figures', () => {
    const text = ['npm warn something', lines([fig('x', 10, 'fps'), fig('x', 100, 'fps'), fig('x', 12, 'fps')]), '{"not":"a figure"}'].join('\n');
    const figs = parseFigures(text);
    expect(figs).toHaveLength(3);
    expect(compare(figs, [fig('x', 12, 'fps')], 15)[0]).toMatchObject({ old: 12, new: 12, verdict: 'same' });
  });

  it('runs as a command: a table, JSON lines, exit 1 when something got worse', () => {
    const a = join(dir, 'old.jsonl');
    const b = join(dir, 'new.jsonl');
    writeFileSync(a, lines([fig('ingest.rate', 1_000_000, 'lines/s'), fig('latency.p99', 16, 'ms')]));
    writeFileSync(b, lines([fig('ingest.rate', 1_050_000, 'lines/s'), fig('latency.p99', 30, 'ms')]));
    const worse = spawnSync(process.execPath, [CLI, a, b], { encoding: 'utf8' });
    expect(worse.status).toBe(1);
    expect(worse.stdout).toMatch(/latency\.p99\s+16\s+30\s+\+87\.5%\s+ms \(lower is better\)\s+WORSE/);
    expect(worse.stdout).toMatch(/ingest\.rate\s+1000000\s+1050000\s+\+5%\s+lines\/s \(higher is better\)\s+same/);
    const json = execFileSync(process.execPath, [CLI, a, a, '--json'], { encoding: 'utf8' });
    expect(json.trim().split('\n').map((l) => JSON.parse(l).verdict)).toEqual(['same', 'same']);
    const usage = spawnSync(process.execPath, [CLI, a], { encoding: 'utf8' });
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/^mtaviz bench:compare: usage/);
  });
});
