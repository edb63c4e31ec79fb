// The federated boxes a view merges (server/bus), as the heads-up line shows
// them: how many, which are stale, and what was lost on the way. Pure, from
// the latest stats message.

import type { BoxStats } from '../../server/protocol/index.js';
import { count, seconds } from './format.js';

export interface BoxesSummary {
  /** Empty when the daemon merges no boxes. */
  text: string;
  /** One line per box, for the tooltip. */
  detail: string;
  /** Something to look at: a stale box or lost batches. */
  warn: boolean;
}

export function boxesSummary(boxes: Readonly<Record<string, BoxStats>> | undefined): BoxesSummary {
  const entries = Object.entries(boxes ?? {}).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) return { text: '', detail: '', warn: false };
  const stale = entries.filter(([, b]) => b.state === 'stale').length;
  const lost = entries.reduce((n, [, b]) => n + b.lost.batches, 0);
  const parts = [`${entries.length} ${entries.length === 1 ? 'box' : 'boxes'}`];
  if (stale) parts.push(`${stale} stale`);
  if (lost) parts.push(`${count(lost)} batches lost`);
  const detail = entries
    .map(([name, b]) => {
      const state = b.state === 'stale' ? `STALE, silent ${seconds(b.silentMs)}` : `${count(b.eventsPerSec)} events/s`;
      const gaps = b.lost.batches ? `; lost ${count(b.lost.batches)} batches (${count(b.lost.events)} events, ${count(b.dropped.events)} dropped by the box)` : '';
      const restarts = b.restarts ? `; restarted ${b.restarts}x` : '';
      return `${name}: ${state}, ${count(b.events)} events in all${gaps}${restarts}`;
    })
    .join('\n');
  return { text: parts.join(' · '), detail, warn: stale > 0 || lost > 0 };
}
