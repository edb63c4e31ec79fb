// The insight views drawn in the scene: edges weighted by share and the
// lens's flags, edges pulsing for holding alarms, the bounce floor's bins
// with their exact windowed counts, and each egress's deferral pen. Redrawn
// only when the insight, the layout or the alarms change (at most a few
// times a second); per frame only the pulse's alpha moves.

import * as Phaser from 'phaser';
import { FAILURE_CLASSES, FAILURE_LABELS, type TopoNode } from '../../server/protocol/index.js';
import { alarmEdgeIds } from '../insight/alarm-targets.js';
import { dotUnit } from '../insight/dot-unit.js';
import type { Insight } from '../insight/insight.js';
import type { Layout, Point } from '../layout/layout.js';
import type { SettingsValues } from '../state/settings.js';
import type { Store } from '../state/store.js';
import { ALARM, FLAG, KIND_COLOR, LABEL, LABEL_DIM, LENS_EDGE, css } from '../theme.js';

/** Most dots a pen shows; beyond it each dot stands for more deferrals. */
const PEN_DOTS = 48;
const PEN_ROW = 8;
const PULSE_MS = 1200;


export class InsightLayer {
  private readonly weighted: Phaser.GameObjects.Graphics;
  private readonly pulse: Phaser.GameObjects.Graphics;
  private readonly marks: Phaser.GameObjects.Graphics;
  private readonly badges: Phaser.GameObjects.Graphics;
  private readonly binLabels: Phaser.GameObjects.Text[] = [];
  private readonly penLabels = new Map<string, Phaser.GameObjects.Text>();
  private readonly flagLabels = new Map<string, Phaser.GameObjects.Text>();
  private seen = { insight: -1, alarms: -1, layout: undefined as Layout | undefined, lens: false };
  /** Pens' dot unit, shared so piles compare across egresses. */
  penUnit = 1;
  /** Edges pulsing now for holding alarms (ids as in alarmEdgeIds). */
  pulsing: string[] = [];

  constructor(private readonly scene: Phaser.Scene) {
    this.weighted = scene.add.graphics().setDepth(1.5);
    this.pulse = scene.add.graphics().setDepth(1.6);
    this.marks = scene.add.graphics().setDepth(3);
    this.badges = scene.add.graphics().setDepth(22);
  }

  /** Redraws what changed; cheap when nothing did. */
  sync(layout: Layout, insight: Insight, store: Store, settings: Readonly<SettingsValues>): void {
    const s = this.seen;
    const layoutChanged = s.layout !== layout;
    const insightChanged = s.insight !== insight.version || s.lens !== settings.lens;
    const alarmsChanged = s.alarms !== store.alarmsVersion;
    if (!layoutChanged && !insightChanged && !alarmsChanged) return;
    s.layout = layout;
    s.insight = insight.version;
    s.lens = settings.lens;
    s.alarms = store.alarmsVersion;
    if (layoutChanged || insightChanged) {
      this.drawLens(layout, insight, store.topology.nodes, settings.lens);
      this.drawFloor(layout, insight);
      this.drawPens(layout, insight);
    }
    this.drawAlarms(layout, store);
  }

  /** Per frame: the alarm pulse breathes. */
  frame(now: number): void {
    if (!this.pulse.visible) return;
    this.pulse.setAlpha(0.3 + 0.7 * (0.5 + 0.5 * Math.sin((2 * Math.PI * now) / PULSE_MS)));
  }

  private drawLens(layout: Layout, insight: Insight, nodes: ReadonlyMap<string, TopoNode>, on: boolean): void {
    const g = this.weighted.clear();
    const b = this.badges.clear();
    const flagged = on ? insight.flaggedNodes : new Set<string>();
    for (const [id, t] of this.flagLabels) {
      if (!flagged.has(id)) {
        t.destroy();
        this.flagLabels.delete(id);
      }
    }
    if (!on) return;
    const s = layout.scale;
    for (const [id, share] of insight.edgeShare) {
      if (!(share > 0)) continue;
      const [a, z] = this.ends(layout, id);
      if (!a || !z) continue;
      const hot = insight.flaggedEdges.has(id);
      g.lineStyle(Math.max(1, share * 14 * s), hot ? FLAG : LENS_EDGE, hot ? 0.95 : 0.55);
      g.lineBetween(a.x, a.y, z.x, z.y);
    }
    for (const id of flagged) {
      const p = layout.nodes.get(id);
      if (!p || !nodes.has(id)) continue;
      b.lineStyle(3 * s, FLAG, 1).strokeCircle(p.x, p.y, layout.nodeRadius * 1.55);
      let t = this.flagLabels.get(id);
      if (!t) {
        t = this.scene.add
          .text(0, 0, 'skewed', { fontFamily: 'system-ui, sans-serif', color: css(FLAG), fontStyle: 'bold', fontSize: `${layout.fontPx}px` })
          .setOrigin(0.5, 1)
          .setDepth(22);
        this.flagLabels.set(id, t);
      }
      t.setFontSize(layout.fontPx).setPosition(p.x, p.y - layout.nodeRadius * 1.6);
    }
  }

  private drawFloor(layout: Layout, insight: Insight): void {
    const g = this.marks.clear();
    const s = layout.scale;
    const counts = insight.floor;
    let max = 10;
    for (const n of counts) max = Math.max(max, n);
    const px = Math.round(layout.fontPx * 0.85);
    FAILURE_CLASSES.forEach((c, i) => {
      const bin = layout.floorBins[i];
      if (!bin) return;
      const n = counts[i]!;
      g.lineStyle(1 * s, KIND_COLOR.bounce, 0.5).lineBetween(bin.x0, layout.floorY, bin.x0, layout.floorY - 10 * s);
      if (n > 0) {
        const h = 34 * s * Math.sqrt(n / max);
        g.fillStyle(KIND_COLOR.bounce, 0.35).fillRect(bin.x0 + 6 * s, layout.floorY - h, bin.x1 - bin.x0 - 12 * s, h);
      }
      let t = this.binLabels[i];
      if (!t) {
        t = this.scene.add.text(0, 0, '', { fontFamily: 'system-ui, sans-serif', color: LABEL_DIM }).setOrigin(0.5, 1).setDepth(4);
        this.binLabels[i] = t;
      }
      const text = `${FAILURE_LABELS[c]}: ${n}`;
      if (t.text !== text) t.setText(text);
      t.setColor(n > 0 ? LABEL : LABEL_DIM).setFontSize(px).setPosition(bin.cx, layout.floorY - 3 * s);
    });
  }

  private drawPens(layout: Layout, insight: Insight): void {
    const g = this.marks;
    let max = 0;
    for (const n of insight.pen.values()) max = Math.max(max, n);
    this.penUnit = dotUnit(max, PEN_DOTS);
    const dot = Math.max(2, layout.ballRadius * 1.6);
    const gap = dot * 1.35;
    for (const [id, t] of this.penLabels) {
      if (!insight.pen.has(id) || !layout.pens.has(id)) {
        t.destroy();
        this.penLabels.delete(id);
      }
    }
    for (const [id, n] of insight.pen) {
      const pen = layout.pens.get(id);
      if (!pen) continue;
      const dots = Math.ceil(n / this.penUnit);
      g.fillStyle(KIND_COLOR.deferral, 0.85);
      for (let i = 0; i < dots; i++) {
        const col = i % PEN_ROW;
        const row = Math.floor(i / PEN_ROW);
        g.fillRect(pen.x + col * gap, pen.y - row * gap - dot, dot, dot);
      }
      let t = this.penLabels.get(id);
      if (n === 0) {
        t?.setVisible(false);
        continue;
      }
      if (!t) {
        t = this.scene.add
          .text(0, 0, '', { fontFamily: 'system-ui, sans-serif', color: css(KIND_COLOR.deferral) })
          .setOrigin(0, 0)
          .setDepth(4);
        this.penLabels.set(id, t);
      }
      const text = `${n} deferred`;
      if (t.text !== text) t.setText(text);
      t.setVisible(true).setFontSize(Math.round(layout.fontPx * 0.8)).setPosition(pen.x, pen.y + 2 * layout.scale);
    }
  }

  private drawAlarms(layout: Layout, store: Store): void {
    const g = this.pulse.clear();
    const active = store.alarms?.active ?? [];
    g.setVisible(active.length > 0);
    this.pulsing = [];
    if (active.length === 0) return;
    const s = layout.scale;
    const providerEdges = Object.keys(store.stats?.providerEdges ?? {});
    g.lineStyle(6 * s, ALARM, 1);
    for (const a of active) {
      for (const id of alarmEdgeIds(a.target, store.topology.edges, providerEdges)) {
        const [p, q] = this.ends(layout, id);
        if (!p || !q) continue;
        g.lineBetween(p.x, p.y, q.x, q.y);
        this.pulsing.push(id);
      }
      const node = layout.nodes.get(a.target);
      if (node) g.strokeCircle(node.x, node.y, layout.nodeRadius * 1.9);
    }
  }

  /** An edge's two ends on screen: nodes, a provider's lane (or the Internet without lanes). */
  private ends(layout: Layout, id: string): [Point | undefined, Point | undefined] {
    const sep = id.indexOf('>');
    const from = layout.nodes.get(id.slice(0, sep));
    const to = id.slice(sep + 1);
    if (to.startsWith('provider:')) {
      const y = layout.lanes?.get(to.slice(9));
      return [from, y === undefined ? layout.internet : { x: layout.meter.x, y }];
    }
    return [from, layout.nodes.get(to)];
  }
}
