// The node sprites (load balancers, MTAs, egress proxies) with their labels
// and live rates. Every node can be dragged; the scene turns a drag into a
// saved position and a new layout.

import * as Phaser from 'phaser';
import type { BoxStats, Tier, TopoNode } from '../../server/protocol/index.js';
import type { Layout, Point } from '../layout/layout.js';
import { LABEL, RATE } from '../theme.js';
import { nodeTexture } from './textures.js';

interface NodeSprite {
  node: TopoNode;
  image: Phaser.GameObjects.Image;
  name: Phaser.GameObjects.Text;
  rate: Phaser.GameObjects.Text;
  rateText: string;
}

export interface DragHandlers {
  drag(id: string, p: Point): void;
  dragEnd(id: string): void;
}

export function formatRate(perSec: number): string {
  if (perSec >= 9999.5) return `${(perSec / 1000).toFixed(0)}k/s`;
  if (perSec >= 999.5) return `${(perSec / 1000).toFixed(1)}k/s`;
  if (perSec >= 9.95 || perSec === 0) return `${perSec.toFixed(0)}/s`;
  return `${perSec.toFixed(1)}/s`;
}

export class NodeLayer {
  private readonly sprites = new Map<string, NodeSprite>();
  private fontPx = 0;

  constructor(
    private readonly scene: Phaser.Scene,
    handlers: DragHandlers,
  ) {
    scene.input.on('drag', (_p: Phaser.Input.Pointer, obj: Phaser.GameObjects.GameObject, x: number, y: number) => {
      const id = obj.getData('nodeId') as string | undefined;
      if (id !== undefined) handlers.drag(id, { x, y });
    });
    scene.input.on('dragend', (_p: Phaser.Input.Pointer, obj: Phaser.GameObjects.GameObject) => {
      const id = obj.getData('nodeId') as string | undefined;
      if (id !== undefined) handlers.dragEnd(id);
    });
  }

  /** Matches the sprites to the topology and puts them where the layout says. */
  sync(nodes: ReadonlyMap<string, TopoNode>, layout: Layout): void {
    for (const [id, s] of this.sprites) {
      if (!nodes.has(id)) {
        s.image.destroy();
        s.name.destroy();
        s.rate.destroy();
        this.sprites.delete(id);
      }
    }
    const restyle = layout.fontPx !== this.fontPx;
    this.fontPx = layout.fontPx;
    for (const node of nodes.values()) {
      const p = layout.nodes.get(node.id);
      if (!p) continue;
      let s = this.sprites.get(node.id);
      const key = nodeTexture(this.scene, node.tier, layout.nodeRadius);
      if (!s) {
        s = this.create(node, key, layout);
        this.sprites.set(node.id, s);
      } else {
        if (s.image.texture.key !== key) s.image.setTexture(key);
        if (restyle) {
          s.name.setFontSize(layout.fontPx);
          s.rate.setFontSize(Math.round(layout.fontPx * 0.92));
        }
      }
      this.place(s, p, layout);
    }
  }

  /** Live per-node rates from the daemon's stats; only changed labels are redrawn. */
  updateRates(rates: ReadonlyMap<string, number>): void {
    for (const [id, s] of this.sprites) {
      const text = formatRate(rates.get(id) ?? 0);
      if (text !== s.rateText) {
        s.rateText = text;
        s.rate.setText(text);
      }
    }
  }

  /** Dims the nodes of federated boxes the daemon reports stale. */
  dimBoxes(boxes: Readonly<Record<string, BoxStats>> | undefined): void {
    for (const s of this.sprites.values()) {
      const box = s.node.box === undefined ? undefined : boxes?.[s.node.box];
      const alpha = box?.state === 'stale' ? 0.35 : 1;
      if (s.image.alpha !== alpha) for (const o of [s.image, s.name, s.rate]) o.setAlpha(alpha);
    }
  }

  /** Node centres in canvas pixels. */
  positions(): Map<string, { tier: Tier; name: string; x: number; y: number }> {
    const out = new Map<string, { tier: Tier; name: string; x: number; y: number }>();
    for (const [id, s] of this.sprites) out.set(id, { tier: s.node.tier, name: s.node.name, x: s.image.x, y: s.image.y });
    return out;
  }

  private create(node: TopoNode, key: string, layout: Layout): NodeSprite {
    const image = this.scene.add.image(0, 0, key).setDepth(20).setData('nodeId', node.id);
    image.setInteractive({ draggable: true, useHandCursor: true });
    const style = { fontFamily: 'system-ui, sans-serif', color: LABEL, fontSize: `${layout.fontPx}px` };
    const name = this.scene.add.text(0, 0, node.name, style).setOrigin(0.5, 0).setDepth(21);
    const rate = this.scene.add
      .text(0, 0, '0/s', { ...style, color: RATE, fontSize: `${Math.round(layout.fontPx * 0.92)}px` })
      .setOrigin(0.5, 0)
      .setDepth(21);
    return { node, image, name, rate, rateText: '0/s' };
  }

  private place(s: NodeSprite, p: Point, layout: Layout): void {
    s.image.setPosition(p.x, p.y);
    const below = p.y + layout.nodeRadius * 1.2 + 2;
    s.name.setPosition(p.x, below);
    s.rate.setPosition(p.x, below + layout.fontPx * 1.15);
  }
}
