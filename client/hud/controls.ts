// Buttons and keyboard shortcuts for the switches. Each button shows its key;
// the same switches come from the URL (state/settings.ts).

import type { SavedPositions } from '../layout/saved-positions.js';
import type { Settings } from '../state/settings.js';

export const SHORTCUTS = {
  e: 'errors',
  p: 'paused',
  ' ': 'paused',
  l: 'legend',
  r: 'reset',
  i: 'lens',
  d: 'lanes',
  c: 'palette',
} as const;

/** What the legend says the right edge is. */
const RIGHT_EDGE = {
  meter: "right edge: destination IP's first octet, 10–256, IPv6 on top",
  provider: 'right edge: one lane per mailbox provider (by recipient domain or MX address; the rest in "other")',
} as const;

type Action = (typeof SHORTCUTS)[keyof typeof SHORTCUTS];

export function bindControls(root: ParentNode, settings: Settings, positions: SavedPositions): void {
  const act = (action: Action) => {
    const s = settings.current;
    if (action === 'reset') positions.reset();
    else if (action === 'lanes') settings.set('lanes', s.lanes === 'provider' ? 'meter' : 'provider');
    else if (action === 'palette') settings.set('palette', s.palette === 'contrast' ? 'standard' : 'contrast');
    else settings.toggle(action);
  };
  root.querySelectorAll<HTMLButtonElement>('button[data-action]').forEach((b) => {
    b.addEventListener('click', () => act(b.dataset.action as Action));
  });
  window.addEventListener('keydown', (e) => {
    if (e.ctrlKey || e.metaKey || e.altKey || e.repeat) return;
    const target = e.target as HTMLElement | null;
    if (target && /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) return;
    const action = SHORTCUTS[e.key.toLowerCase() as keyof typeof SHORTCUTS];
    if (!action) return;
    e.preventDefault();
    act(action);
  });

  const reflect = () => {
    const s = settings.current;
    root.querySelectorAll<HTMLButtonElement>('button[data-action]').forEach((b) => {
      const a = b.dataset.action;
      if (a === 'errors' || a === 'paused' || a === 'legend' || a === 'lens') b.setAttribute('aria-pressed', String(s[a]));
      if (a === 'lanes') b.setAttribute('aria-pressed', String(s.lanes === 'provider'));
    });
    const legend = root.querySelector<HTMLElement>('#legend');
    if (legend) legend.hidden = !s.legend;
    const edge = root.querySelector<HTMLElement>('#legend-edge');
    if (edge) edge.textContent = s.lanes === 'provider' ? RIGHT_EDGE.provider : RIGHT_EDGE.meter;
  };
  settings.subscribe(reflect);
  reflect();
}
