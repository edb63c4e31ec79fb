// The imbalance lens beside the scene (markup in lens-html.ts), rebuilt only
// when the insight changes: at most twice a second, in practice once per
// stats snapshot.

import type { Insight } from '../insight/insight.js';
import { lensHtml } from './lens-html.js';

export function startLensPanel(el: HTMLElement, insight: Insight): () => void {
  let seen = -1;
  const refresh = () => {
    if (insight.version === seen) return;
    seen = insight.version;
    const lens = insight.lens;
    el.hidden = lens === undefined;
    if (lens) el.innerHTML = lensHtml(lens);
  };
  const timer = setInterval(refresh, 250);
  refresh();
  return () => clearInterval(timer);
}
