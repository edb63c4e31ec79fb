// The flow picture. It reads the store in update() and draws: it never talks
// to the network. Layout is recomputed only when the topology, the viewport or
// a dragged position changes.

import * as Phaser from 'phaser';
import { KIND_INDEX, type MailEvent } from '../../server/protocol/index.js';
import { computeLayout, toOverride, type Layout, type Point } from '../layout/layout.js';
import { newFlight, planFlight } from '../layout/paths.js';
import type { SavedPositions } from '../layout/saved-positions.js';
import type { Insight } from '../insight/insight.js';
import type { Drift } from '../hud/drift.js';
import type { SelectionState, Selection } from '../state/selection.js';
import type { Settings } from '../state/settings.js';
import { ERROR_KINDS } from '../state/kinds.js';
import type { Store } from '../state/store.js';
import { Backdrop } from './backdrop.js';
import { BallLayer } from './ball-layer.js';
import { BlitterView } from './blitter-view.js';
import { FrameClock } from './frame-clock.js';
import { GOVERNOR_DEFAULTS, Governor } from './governor.js';
import { InsightLayer } from './insight-layer.js';
import { NodeLayer } from './node-layer.js';
import { PixelView } from './pixel-view.js';

export interface SceneDeps {
  store: Store;
  settings: Settings;
  positions: SavedPositions;
  /** Device pixels per CSS pixel the canvas is currently sized for. */
  dpr: () => number;
  insight: Insight;
  selection: SelectionState;
  /** Slow offset of everything static, against burn-in (CSS pixels). */
  drift: Drift;
  /** Called once the scene can draw (the page connects only then, so no event waits on Phaser's boot). */
  onReady: () => void;
}

/** Events that waited longer than this are stale news: dropped, not shown late. */
export const MAX_EVENT_AGE_MS = 1000;
/** Balls spawned in one frame are spread back over at most this much, so they do not clump. */
const SUBFRAME_SPREAD_MS = 50;

export class FlowScene extends Phaser.Scene {
  readonly frames = new FrameClock(600);
  layout!: Layout;
  balls!: BallLayer;
  nodes!: NodeLayer;
  insightLayer!: InsightLayer;
  private view!: BlitterView | PixelView;
  private governor!: Governor;
  private lastFrame = -1;
  private backdrop!: Backdrop;
  private topoVersion = -1;
  private posVersion = -1;
  private sizeDirty = false;
  private simNow = 0;
  private ratesVersion = -1;
  private lanesKey = '';
  private readonly flight = newFlight();
  private readonly deps: SceneDeps;

  constructor(deps: SceneDeps) {
    super({ key: 'flow' });
    this.deps = deps;
  }

  create(): void {
    const { settings } = this.deps;
    this.backdrop = new Backdrop(this);
    this.layout = this.computeLayout();
    const cap = settings.current.maxBalls;
    this.view =
      this.game.config.renderType === Phaser.CANVAS
        ? new PixelView(this, this.layout.ballRadius, 10)
        : new BlitterView(this, cap, this.layout.ballRadius, 10);
    this.balls = new BallLayer(cap, this.view);
    this.governor = new Governor({ ...GOVERNOR_DEFAULTS, ceiling: cap });
    this.nodes = new NodeLayer(this, {
      drag: (id, p) => this.onDrag(id, p),
      dragEnd: () => this.deps.positions.save(),
    });
    this.insightLayer = new InsightLayer(this);
    this.relayout(true);
    this.scale.on(Phaser.Scale.Events.RESIZE, this.markResized, this);
    const unsubscribe = settings.subscribe((s, changed) => {
      if (changed === 'errors' && !s.errors) this.balls.clearKinds(ERROR_KINDS);
      if (changed === 'speed') this.applyTiming();
      if (changed === 'paused' && !s.paused) this.deps.selection.clearInspection();
    });
    this.input.on('pointermove', (p: Phaser.Input.Pointer) => this.deps.selection.hover(this.pick(p), this.pagePoint(p)));
    this.input.on('pointerdown', (p: Phaser.Input.Pointer) => this.deps.selection.click(this.pick(p), this.pagePoint(p)));
    this.events.once(Phaser.Scenes.Events.SHUTDOWN, () => {
      unsubscribe();
      this.scale.off(Phaser.Scale.Events.RESIZE, this.markResized, this);
    });
    this.deps.onReady();
  }

  override update(): void {
    const now = performance.now();
    const { store, settings, positions } = this.deps;
    this.frames.tick(now);
    // Phaser's own delta is smoothed and under-reports long frames, which would
    // stretch flights (and the population) exactly when frames are slow.
    const delta = this.lastFrame >= 0 ? now - this.lastFrame : 0;
    this.lastFrame = now;
    this.balls.limit = settings.current.shed ? this.governor.frame(now, delta, this.balls.liveTotal) : this.balls.cap;
    const { insight } = this.deps;
    insight.update(store, settings.current, now);
    if (
      this.sizeDirty ||
      store.topology.version !== this.topoVersion ||
      positions.version !== this.posVersion ||
      this.lanesKey !== this.currentLanesKey()
    ) {
      this.relayout(this.sizeDirty);
    }
    this.insightLayer.sync(this.layout, insight, store, settings.current);
    this.insightLayer.frame(now);
    const drift = this.deps.drift.offset(now);
    const dpr = this.deps.dpr();
    this.cameras.main.setScroll(-drift.x * dpr, -drift.y * dpr);
    if (store.nodeRates.version !== this.ratesVersion) {
      this.ratesVersion = store.nodeRates.version;
      this.nodes.updateRates(store.nodeRates.perNode);
      this.nodes.dimBoxes(store.stats?.bus?.boxes);
    }
    if (settings.current.paused) return;
    // A long stall (debugger, background) must not make balls jump.
    this.simNow += Math.min(delta, 100);
    store.queue.take(now, MAX_EVENT_AGE_MS, this.spawn);
    this.balls.update(this.simNow);
  }

  /** Canvas pixels to page (CSS) pixels, for the test hook. */
  toPage(p: Point): Point {
    const rect = this.game.canvas.getBoundingClientRect();
    const cam = this.cameras.main;
    return {
      x: rect.left + window.scrollX + ((p.x - cam.scrollX) * rect.width) / this.scale.width,
      y: rect.top + window.scrollY + ((p.y - cam.scrollY) * rect.height) / this.scale.height,
    };
  }

  /**
   * What the pointer is on: a floor bin any time; while paused, a ball or a
   * node (balls first: they are drawn over the nodes).
   */
  private pick(p: Phaser.Input.Pointer): Selection | undefined {
    const x = p.worldX;
    const y = p.worldY;
    const l = this.layout;
    if (y >= l.floorY - 40 * l.scale && y <= l.viewport.height) {
      const cls = l.floorBins.findIndex((b) => x >= b.x0 && x < b.x1);
      if (cls >= 0) return { kind: 'bin', cls };
    }
    if (!this.deps.settings.current.paused) return undefined;
    // A ball right under the pointer wins; then a node's body; then a ball merely near.
    const hit = this.balls.nearest(x, y, l.ballRadius * 1.5);
    if (hit) return { kind: 'ball', ev: hit.ev };
    for (const [id, n] of this.nodes.positions()) {
      if (Math.hypot(n.x - x, n.y - y) <= l.nodeRadius * 1.3) return { kind: 'node', id };
    }
    const near = this.balls.nearest(x, y, Math.max(6 * l.scale, l.ballRadius * 2.5));
    return near ? { kind: 'ball', ev: near.ev } : undefined;
  }

  private pagePoint(p: Phaser.Input.Pointer): { x: number; y: number } {
    const e = p.event as MouseEvent | undefined;
    return { x: e?.pageX ?? 0, y: e?.pageY ?? 0 };
  }

  private currentLanesKey(): string {
    return this.deps.settings.current.lanes === 'provider' ? this.deps.insight.lanes.join('\n') : '';
  }

  private readonly spawn = (ev: MailEvent, lateMs: number, frameAt: number): void => {
    const k = KIND_INDEX[ev.kind];
    planFlight(ev, this.layout, Math.random, this.flight, this.deps.store.providers);
    const t0 = this.simNow - Math.min(lateMs, SUBFRAME_SPREAD_MS);
    if (this.balls.spawn(k, this.flight, t0, Math.random(), ev)) this.deps.store.noteShown(k, frameAt);
    else if (this.balls.liveTotal < this.balls.cap) this.deps.store.drops.overload++;
    else this.deps.store.drops.pool++;
  };

  private markResized(): void {
    this.sizeDirty = true;
  }

  private onDrag(id: string, p: Point): void {
    this.deps.positions.set(id, toOverride(p, this.layout.viewport));
  }

  private computeLayout(): Layout {
    const topo = this.deps.store.topology;
    const tiers = {
      ingress: topo.tier('ingress').map((n) => n.id),
      mta: topo.tier('mta').map((n) => n.id),
      egress: topo.tier('egress').map((n) => n.id),
    };
    const lanes = this.deps.settings.current.lanes === 'provider' ? this.deps.insight.lanes : undefined;
    return computeLayout(
      tiers,
      { width: this.scale.width, height: this.scale.height, dpr: this.deps.dpr() },
      this.deps.positions.overrides,
      { lanes },
    );
  }

  private relayout(resized: boolean): void {
    const { store, positions } = this.deps;
    const before = this.layout;
    this.layout = this.computeLayout();
    this.topoVersion = store.topology.version;
    this.posVersion = positions.version;
    this.sizeDirty = false;
    const lanesKey = this.currentLanesKey();
    const lanesChanged = lanesKey !== this.lanesKey;
    this.lanesKey = lanesKey;
    if (resized || lanesChanged || !before || before.scale !== this.layout.scale) this.backdrop.drawFixtures(this.layout);
    this.backdrop.drawEdges(this.layout, store.topology.edges);
    this.nodes.sync(store.topology.nodes, this.layout);
    this.view.resize(this, this.layout.ballRadius);
    this.applyTiming();
  }

  private applyTiming(): void {
    const { width, height } = this.layout.viewport;
    const speed = this.deps.settings.current.speed;
    this.balls.setTiming({
      // About 0.7 screen widths a second at speed 1: a delivery crosses in under a second.
      speed: (width * 0.7 * speed) / 1000,
      minFlightMs: 450 / speed,
      maxFlightMs: 2600 / speed,
      // A fall from mid-screen takes about 0.65 s at speed 1.
      gravity: ((2 * 0.5 * height) / (650 * 650)) * speed * speed,
      floorY: this.layout.floorY,
    });
  }
}
