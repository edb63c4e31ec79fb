// Details of what the pointer is on: a ball or a node while paused, a bin of
// the bounce floor any time. Counts shown here come from the daemon's exact
// stats; a ball's fields are its event's (addresses arrive masked unless the
// daemon was started with --show-addresses).

import { FAILURE_CLASSES, FAILURE_LABELS, KINDS, destBucket, failureClass, type MailEvent } from '../../server/protocol/index.js';
import type { Insight } from '../insight/insight.js';
import type { Selection, SelectionState } from '../state/selection.js';
import type { Settings } from '../state/settings.js';
import { delta } from '../state/stats-history.js';
import type { Store } from '../state/store.js';

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function row(field: string, label: string, value: string | undefined): string {
  return `<dt>${esc(label)}</dt><dd data-field="${field}">${value === undefined || value === '' ? '–' : esc(value)}</dd>`;
}

function delay(ms: number | undefined): string | undefined {
  if (ms === undefined) return undefined;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 2 * 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  return `${(ms / 3_600_000).toFixed(1)} h`;
}

export function ballHtml(ev: MailEvent, store: Store): string {
  const failure = ev.kind === 'deferral' || ev.kind === 'bounce' || ev.kind === 'rejection';
  const provider = ev.kind === 'injection' || ev.kind === 'rejection' ? undefined : store.providers.names[store.providers.match(ev.domain, ev.destIp)];
  const bucket = destBucket(ev.destIp);
  return (
    `<h2>${esc(ev.kind)}</h2><dl>` +
    row('kind', 'kind', ev.kind) +
    row('mta', 'MTA', ev.mta) +
    row('ingress', 'ingress', ev.ingress) +
    row('egress', 'egress', ev.egress) +
    row('domain', 'domain', ev.domain) +
    row('destination', 'destination', ev.destIp === undefined ? undefined : `${ev.destIp}${bucket !== undefined ? ` (first octet ${bucket})` : ''}`) +
    row('provider', 'provider', provider) +
    row('dsn', 'DSN', ev.dsn) +
    row('delay', 'delay', delay(ev.delayMs)) +
    row('reason', 'reason', ev.reason) +
    (failure ? row('class', 'failure class', FAILURE_LABELS[FAILURE_CLASSES[failureClass(ev.dsn, ev.reason)]!]) : '') +
    row('queueId', 'queue ID', ev.queueId) +
    row('time', 'logged', Number.isFinite(ev.ts) ? new Date(ev.ts).toISOString() : undefined) +
    row('format', 'format', ev.format) +
    `</dl>`
  );
}

export function nodeHtml(id: string, store: Store, settings: Settings): string {
  const node = store.topology.nodes.get(id);
  const latest = store.history.latest?.stats;
  const windowMs = settings.current.lensWindow * 1000;
  const base = store.history.base(windowMs)?.stats;
  const counts = latest?.nodes[id];
  const secs = latest && base ? Math.round((latest.at - base.at) / 1000) : 0;
  let out = `<h2>${esc(node?.tier ?? '')} ${esc(node?.name ?? id)}</h2><dl>`;
  out += row('rate', 'now', `${Math.round(store.nodeRates.perNode.get(id) ?? 0)} events/s`);
  KINDS.forEach((k, i) => {
    const all = counts?.[i] ?? 0;
    const recent = latest && base && base !== latest ? delta(counts, base.nodes[id], [i]) : undefined;
    out += row(k, k, `${all}${recent !== undefined ? ` (${recent} in the last ${secs} s)` : ''}`);
  });
  out += `</dl>`;
  // Where this node's traffic went over the window.
  if (latest && base && base !== latest) {
    const prefix = `${id}>`;
    const outs: [string, number][] = [];
    let sum = 0;
    for (const [e, c] of Object.entries(latest.edges)) {
      if (!e.startsWith(prefix) || e.includes('>dest:')) continue;
      const n = delta(c, base.edges[e]);
      outs.push([e.slice(prefix.length), n]);
      sum += n;
    }
    if (outs.length > 1 && sum > 0) {
      out += `<p class="shares">last ${secs} s: ` + outs.map(([to, n]) => `${esc(to.replace(/^\w+:/, ''))} ${Math.round((100 * n) / sum)}%`).join(' · ') + `</p>`;
    }
  }
  const alarms = store.alarms?.active.filter((a) => a.target === id) ?? [];
  for (const a of alarms) out += `<p class="alarm">ALARM ${esc(a.rule)}</p>`;
  return out;
}

export function binHtml(cls: number, store: Store, insight: Insight): string {
  const c = FAILURE_CLASSES[cls]!;
  const n = insight.floor[cls] ?? 0;
  const total = store.stats?.failures?.[c];
  const all = total ? total[3] + total[4] : 0;
  const secs = Math.round(insight.floorSpanMs / 1000);
  const examples = store.reasons.latest(cls).slice(0, 5);
  const clip = (t: string) => (t.length > 140 ? `${t.slice(0, 139)}…` : t);
  return (
    `<h2>${esc(FAILURE_LABELS[c])}</h2>` +
    `<p><b data-field="binCount">${n}</b> bounced or rejected in the last ${secs} s (${all} since the daemon started; exact counts)</p>` +
    (examples.length
      ? `<p class="sub">latest seen here (examples from the live stream${store.showAddresses ? '' : ', addresses masked'}):</p><ul class="reasons">` +
        examples
          .map((e) => `<li><span class="k">${esc(e.kind)}</span> ${esc(e.dsn ?? '')} ${esc(e.domain ?? '')}: ${esc(clip(e.reason ?? '(no reason logged)'))}</li>`)
          .join('') +
        `</ul>`
      : `<p class="sub">no examples received yet</p>`)
  );
}

function html(sel: Selection, store: Store, settings: Settings, insight: Insight): string {
  switch (sel.kind) {
    case 'ball':
      return ballHtml(sel.ev, store);
    case 'node':
      return nodeHtml(sel.id, store, settings);
    case 'bin':
      return binHtml(sel.cls, store, insight);
  }
}

export function startInspectPanel(el: HTMLElement, selection: SelectionState, store: Store, settings: Settings, insight: Insight): () => void {
  let shown = -1;
  let insightSeen = -1;
  const render = () => {
    const sel = selection.current;
    el.hidden = sel === undefined;
    if (!sel) return;
    el.dataset.kind = sel.kind;
    el.classList.toggle('pinned', selection.pinned);
    el.innerHTML = html(sel, store, settings, insight);
    // Beside the pointer, kept inside the window.
    const pad = 14;
    const w = el.offsetWidth;
    const h = el.offsetHeight;
    const x = selection.at.x + pad + w > innerWidth ? selection.at.x - pad - w : selection.at.x + pad;
    const y = Math.min(innerHeight - h - 4, Math.max(4, selection.at.y - h / 2));
    el.style.left = `${Math.max(4, x)}px`;
    el.style.top = `${y}px`;
  };
  const unsubscribe = selection.subscribe(() => {
    shown = selection.version;
    render();
  });
  // Counts behind a node or a bin move on while it is shown.
  const timer = setInterval(() => {
    if (selection.current && selection.current.kind !== 'ball' && (insight.version !== insightSeen || shown !== selection.version)) {
      insightSeen = insight.version;
      shown = selection.version;
      render();
    }
  }, 500);
  return () => {
    unsubscribe();
    clearInterval(timer);
  };
}
