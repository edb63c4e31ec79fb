// The alarm banner: every alarm the daemon says holds now, each with its
// rule, its target and the windowed value; it clears itself when the daemon
// reports the condition over.

import type { ActiveAlarm } from '../../server/protocol/index.js';
import type { Store } from '../state/store.js';

export function describeAlarm(a: ActiveAlarm): string {
  const value = a.unit === 'share' ? `${(a.value * 100).toFixed(1)}%` : `${a.value.toFixed(1)}/s`;
  const target = a.target === 'all' ? 'all traffic' : a.target.replace(':', ' ');
  return `${target}: ${value} (${a.rule})`;
}

export function startAlarmBanner(el: HTMLElement, store: Store): () => void {
  let seen = -1;
  const refresh = () => {
    if (store.alarmsVersion === seen) return;
    seen = store.alarmsVersion;
    const active = store.alarms?.active ?? [];
    el.hidden = active.length === 0;
    el.replaceChildren(
      ...active.map((a) => {
        const line = document.createElement('div');
        line.dataset.target = a.target;
        line.dataset.rule = a.rule;
        line.textContent = `ALARM ${describeAlarm(a)}`;
        return line;
      }),
    );
  };
  const timer = setInterval(refresh, 250);
  refresh();
  return () => clearInterval(timer);
}
