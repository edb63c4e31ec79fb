// The 3-minute soak in CI: `npm run soak -- --minutes 3` (bench/soak/), the
// built daemon at about 1000 events/s with 10 ws clients and a real Chromium
// page. It fails on a clear leak (bench/soak/verdict.ts says what that is and
// why), on a client that lost its connection or its stream, and on a run
// too short to fit a trend. The 60-minute run is the release check (README).

import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SoakSummary } from '../../bench/soak/soak.js';

const SOAK = resolve(import.meta.dirname, '../../dist/bench/soak/main.js');

describe('soak (3 minutes)', () => {
  it('keeps daemon and page memory flat and every client streaming', async () => {
    const child = spawn(process.execPath, [SOAK, '--minutes', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    const [code] = (await once(child, 'exit')) as [number | null];
    const line = out.trim().split('\n').at(-1) ?? '';
    if (!line.startsWith('{')) throw new Error(`the soak printed no summary (exit ${code}):\n${err.slice(-4000)}`);
    const summary = JSON.parse(line) as SoakSummary;
    console.log(JSON.stringify(summary));
    expect(summary.verdict.failures).toEqual([]);
    expect(summary.samples).toBe(18);
    expect(summary.input.eventsPerSec).toBeGreaterThan(800);
    expect(code).toBe(0);
  }, 360_000);
});
