// The imbalance lens's markup: MTA x egress and egress x destination tables,
// each cell the row's share going to that column, coloured by how far that
// is from what was expected (orange above, blue below: a diverging pair that
// colour-blind viewers tell apart), flagged cells and rows marked, and a
// legend stating the test, the thresholds and the window.

import type { Lens } from '../insight/insight.js';
import type { ShareMatrix } from '../insight/matrix.js';

const pct = new Intl.NumberFormat('en', { style: 'percent', maximumFractionDigits: 0 });

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** "mta:mx1" -> "mx1". */
function short(id: string): string {
  const i = id.indexOf(':');
  return i >= 0 && /^(ingress|mta|egress):/.test(id) ? id.slice(i + 1) : id;
}

/** Background for a cell: log2 of the ratio to what was expected, saturating at 4x either way. */
export function cellColour(ratio: number): string {
  if (!Number.isFinite(ratio)) return 'transparent';
  const t = Math.max(-1, Math.min(1, Math.log2(Math.max(ratio, 1e-3)) / 2));
  const a = (0.12 + 0.68 * Math.abs(t)).toFixed(2);
  return t >= 0 ? `rgba(255, 140, 30, ${a})` : `rgba(70, 150, 255, ${a})`;
}

export function formatP(p: number | undefined): string {
  if (p === undefined) return 'not tested (too few events)';
  if (p < 1e-300) return 'p < 1e-300';
  return p < 0.001 ? `p = ${p.toExponential(1)}` : `p = ${p.toFixed(3)}`;
}

function table(m: ShareMatrix, caption: string, rowLabel: string): string {
  if (m.rows.length === 0 || m.cols.length === 0) return `<p class="empty">${esc(caption)}: no traffic in the window</p>`;
  // Column heads wrap ("192–" over "223", long provider names), so nine destination columns fit the panel.
  const head = m.cols.map((c) => `<th scope="col">${esc(short(c)).replace(/^(\d+–)(\d+)$/, '$1<br>$2')}</th>`).join('');
  const expect =
    m.expectation === 'even'
      ? `<tr class="expect"><th scope="row">even share</th>${m.cols.map(() => `<td>${pct.format(1 / m.cols.length)}</td>`).join('')}<td></td></tr>`
      : `<tr class="expect"><th scope="row">all together</th>${m.expected.map((e) => `<td>${pct.format(e)}</td>`).join('')}<td></td></tr>`;
  const rows = m.rows
    .map((r, i) => {
      const v = m.verdicts[i]!;
      const cells = m.cols
        .map((c, j) => {
          const n = m.counts[i]![j]!;
          const flagged = v.flaggedCells.includes(j);
          const ratio = v.ratios[j]!;
          const title = `${short(r)} → ${short(c)}: ${n} of ${v.total} (${Number.isFinite(ratio) ? ratio.toFixed(2) : '–'}× expected)`;
          return (
            `<td data-row="${esc(r)}" data-col="${esc(c)}" data-count="${n}"${flagged ? ' data-flagged="1" class="flagged"' : ''}` +
            ` style="background:${cellColour(ratio)}" title="${esc(title)}">${v.total > 0 ? pct.format(n / v.total) : '–'}</td>`
          );
        })
        .join('');
      return (
        `<tr><th scope="row" data-node="${esc(r)}"${v.flagged ? ' data-flagged="1" class="flagged"' : ''} title="${esc(formatP(v.p))}">` +
        `${v.flagged ? '⚑ ' : ''}${esc(short(r))}</th>${cells}<td class="total">${v.total}</td></tr>`
      );
    })
    .join('');
  return (
    `<table><caption>${esc(caption)}</caption><thead><tr><th scope="col">${esc(rowLabel)}</th>${head}<th scope="col">events</th></tr></thead>` +
    `<tbody>${rows}${expect}</tbody></table>`
  );
}

export function lensHtml(lens: Lens): string {
  const t = lens.thresholds;
  const secs = Math.round(lens.spanMs / 1000);
  return (
    `<h2>Imbalance lens <small>last ${secs} s, exact counts</small></h2>` +
    table(lens.mtaEgress, 'MTA → egress: share of each MTA’s traffic', 'MTA') +
    table(
      lens.egressDest,
      lens.destKind === 'providers' ? 'egress → mailbox provider' : 'egress → destination IP (first octet)',
      'egress',
    ) +
    `<p class="legend">Each cell is the share of the row’s events that went to that column over the last ${secs} s, from the daemon’s exact ` +
    `counters (never from sampled balls). Colour: orange above what was expected, blue below (MTA → egress: an even spread; ` +
    `egress → destination: the mix of all egresses together). ⚑ flagged when the row’s χ² goodness of fit gives p &lt; ${t.alpha.toExponential(0)} ` +
    `(tested only when every expected count is at least ${t.minExpected}; thinner cells are pooled) and a cell holds at least ` +
    `${t.ratio}× its expected share with its own excess p &lt; ${t.alpha.toExponential(0)}. On a balanced feed the chance of a false ` +
    `flag is below one in a billion per row and window. Key <kbd>I</kbd> hides the lens; <code>lensWindow</code>, <code>lensRatio</code>, ` +
    `<code>lensAlpha</code>, <code>lensMin</code> in the URL change it.</p>`
  );
}

