// `npm run bench -- NAME`: the runner finds the benchmarks in dist/bench and
// refuses a name it does not have, listing those it has, before running any.

import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const RUN = resolve(import.meta.dirname, '../../dist/bench/run.js');

describe('bench runner', () => {
  it('refuses an unknown benchmark with the list of known ones', () => {
    const r = spawnSync(process.execPath, [RUN, 'ingest', 'no-such-bench'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const have = /^mtaviz bench: no benchmark no-such-bench \(have: (.*)\)\n$/.exec(r.stderr)?.[1]?.split(', ');
    expect(have).toEqual(expect.arrayContaining(['client', 'demo', 'fanout', 'federation', 'ingest', 'parse']));
    expect(have).not.toContain('run');
  });
});
