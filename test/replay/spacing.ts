// Judges a replay's pacing from arrival times. A replay schedules every line
// from one origin (logged time / speed), so a line can arrive late when some
// process on a busy 2-core machine is descheduled, but the next one is back
// on schedule; it must never arrive early. The verdict therefore is: no wave
// early, the typical wave on time, and only a few waves late.

export interface Wave {
  /** Logged time, ms. */
  logged: number;
  /** Arrival time, ms (any clock). */
  arrived: number;
}

export interface SpacingVerdict {
  /** Per wave: arrival minus schedule, relative to the wave closest to its schedule. */
  lateness: number[];
  early: number;
  late: number;
  median: number;
  problems: string[];
}

export function judgeSpacing(waves: Wave[], speed: number, toleranceMs: number, maxLateShare = 0.3): SpacingVerdict {
  // The wave least behind its schedule anchors the rest (its own lateness is 0).
  const offsets = waves.map((w) => w.arrived - w.logged / speed);
  const anchor = Math.min(...offsets);
  const lateness = offsets.map((o) => o - anchor);
  // Early: closer to the previous wave than the logged gap allows.
  let early = 0;
  for (let i = 1; i < waves.length; i++) {
    const gap = (waves[i]!.logged - waves[i - 1]!.logged) / speed;
    if (waves[i]!.arrived - waves[i - 1]!.arrived < gap - toleranceMs && lateness[i - 1]! <= toleranceMs) early++;
  }
  const late = lateness.filter((l) => l > toleranceMs).length;
  const sorted = [...lateness].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  const problems: string[] = [];
  if (early > 0) problems.push(`${early} wave(s) arrived early: the replay ran ahead of the logged pacing`);
  if (median > toleranceMs) problems.push(`the typical wave was ${median.toFixed(0)} ms behind schedule`);
  if (late > Math.floor(waves.length * maxLateShare)) problems.push(`${late} of ${waves.length} waves were more than ${toleranceMs} ms late`);
  return { lateness, early, late, median, problems };
}

/** The verdict as one text: "ok", or the problems followed by every wave's lateness. */
export function describeSpacing(waves: Wave[], verdict: SpacingVerdict): string {
  if (verdict.problems.length === 0) return 'ok';
  const rows = waves.map((w, i) => `  logged +${w.logged - waves[0]!.logged} ms, late ${verdict.lateness[i]!.toFixed(1)} ms`);
  return [...verdict.problems, ...rows].join('\n');
}
