// The spacing verdict the replay tests rely on must tell a replay at the
// wrong speed from one that was merely descheduled for a moment.

import { describe, expect, it } from 'vitest';
import { judgeSpacing, type Wave } from './spacing.js';

const logged = [0, 1000, 3000, 4000, 7000, 10_000, 13_000, 15_000, 18_000, 20_000, 24_000];
const at = (speed: number, jitter = (_i: number) => 0): Wave[] => logged.map((l, i) => ({ logged: l, arrived: 5000 + l / speed + jitter(i) }));

describe('judgeSpacing', () => {
  it('passes a replay on schedule, jitter included', () => {
    expect(judgeSpacing(at(10, (i) => (i % 3) * 15), 10, 60).problems).toEqual([]);
  });

  it('passes a replay with one stall it recovered from', () => {
    expect(judgeSpacing(at(10, (i) => (i === 4 ? 250 : 0)), 10, 60).problems).toEqual([]);
  });

  it('fails a replay that runs too slow or too fast', () => {
    expect(judgeSpacing(at(5), 10, 60).problems).not.toEqual([]);
    expect(judgeSpacing(at(20), 10, 60).problems).not.toEqual([]);
    expect(judgeSpacing(at(12), 10, 60).problems).not.toEqual([]);
  });

  it('fails a replay that sends everything at once', () => {
    expect(judgeSpacing(logged.map((l) => ({ logged: l, arrived: 5000 })), 10, 60).problems).not.toEqual([]);
  });
});
