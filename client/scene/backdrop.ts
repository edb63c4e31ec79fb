// Everything static behind the balls: edges between nodes, the Internet ball,
// the first-octet meter on the right edge and the floor. Redrawn only when the
// layout changes (topology, resize, drag), never per frame.

import * as Phaser from 'phaser';
import { METER_TICKS, meterY, type Layout, type Point } from '../layout/layout.js';
import { EDGE, FLOOR, INTERNET, INTERNET_RIM, LABEL, LABEL_DIM, METER } from '../theme.js';

export class Backdrop {
  private readonly edges: Phaser.GameObjects.Graphics;
  private readonly fixtures: Phaser.GameObjects.Graphics;
  private readonly texts: Phaser.GameObjects.Text[] = [];

  constructor(private readonly scene: Phaser.Scene) {
    this.fixtures = scene.add.graphics().setDepth(0);
    this.edges = scene.add.graphics().setDepth(1);
  }

  /** Fixtures depend on the viewport only; edges on node positions too. */
  drawFixtures(layout: Layout): void {
    const g = this.fixtures.clear();
    const s = layout.scale;
    const { internet, meter, floorY, viewport } = layout;

    g.fillStyle(INTERNET, 0.9).fillCircle(internet.x, internet.y, internet.r);
    g.lineStyle(2 * s, INTERNET_RIM, 0.9).strokeCircle(internet.x, internet.y, internet.r);

    g.lineStyle(2 * s, METER, 1).lineBetween(meter.x, meter.top, meter.x, meter.bottom);
    if (layout.lanes) {
      for (const y of layout.lanes.values()) g.lineBetween(meter.x - 6 * s, y, meter.x + 6 * s, y);
    } else {
      for (const t of METER_TICKS) {
        const y = meterY(meter, t);
        g.lineBetween(meter.x - 6 * s, y, meter.x + 6 * s, y);
      }
      g.fillStyle(METER, 1).fillCircle(meter.v6.x, meter.v6.y, 4 * s);
    }

    g.lineStyle(3 * s, FLOOR, 1).lineBetween(0, floorY, viewport.width, floorY);

    for (const t of this.texts) t.destroy();
    this.texts.length = 0;
    const px = layout.fontPx;
    const label = (x: number, y: number, text: string, ox: number, oy: number, color = LABEL_DIM, size = px) =>
      this.texts.push(
        this.scene.add
          .text(x, y, text, { fontFamily: 'system-ui, sans-serif', color, fontSize: `${size}px` })
          .setOrigin(ox, oy)
          .setDepth(2),
      );
    if (layout.lanes) {
      // Lane names sit left of the edge, where the meter's numbers would not fit a name.
      for (const [name, y] of layout.lanes) label(meter.x - 9 * s, y, name, 1, 0.5, LABEL, Math.round(px * 0.9));
      label(meter.x, meter.v6.y - 14 * s, 'mailbox\nprovider', 0.5, 1, LABEL_DIM, Math.round(px * 0.85));
    } else {
      for (const t of METER_TICKS) label(meter.x + 9 * s, meterY(meter, t), String(t), 0, 0.5);
      label(meter.v6.x + 9 * s, meter.v6.y, 'IPv6', 0, 0.5, LABEL);
      label(meter.x, meter.v6.y - 14 * s, 'dest IP\n1st octet', 0.5, 1, LABEL_DIM, Math.round(px * 0.85));
    }
    label(internet.x, internet.y, 'Internet', 0.5, 0.5, '#3b1d00', Math.round(px * 1.4));
    const head = layout.top + 2 * s;
    label(layout.tierX.ingress, head, 'ingress', 0.5, 0, LABEL);
    label(layout.tierX.mta, head, 'MTAs', 0.5, 0, LABEL);
    label(layout.tierX.egress, head, 'egress proxies', 0.5, 0, LABEL);
  }

  drawEdges(layout: Layout, edges: Iterable<string>): void {
    const g = this.edges.clear();
    g.lineStyle(Math.max(1, layout.scale), EDGE, 1);
    for (const e of edges) {
      const sep = e.indexOf('>');
      if (sep < 0) continue;
      const a: Point | undefined = layout.nodes.get(e.slice(0, sep));
      const b: Point | undefined = layout.nodes.get(e.slice(sep + 1));
      if (a && b) g.lineBetween(a.x, a.y, b.x, b.y);
    }
  }
}
