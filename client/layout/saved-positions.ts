// Dragged node positions, remembered across reloads in localStorage as
// fractions of the viewport. Storage can be missing or full (private windows,
// quotas): then positions simply last for the session.

import type { Overrides } from './layout.js';

const KEY = 'mtaviz.layout.v1';

export class SavedPositions {
  private map: Record<string, { fx: number; fy: number }> = {};
  /** Changes whenever the overrides do, so the scene knows to re-layout. */
  version = 0;

  constructor(private readonly storage: Storage | undefined) {
    try {
      const raw = storage?.getItem(KEY);
      const parsed: unknown = raw ? JSON.parse(raw) : {};
      if (parsed && typeof parsed === 'object') {
        for (const [id, v] of Object.entries(parsed as Record<string, unknown>)) {
          const o = v as { fx?: unknown; fy?: unknown };
          if (Number.isFinite(o?.fx) && Number.isFinite(o?.fy)) this.map[id] = { fx: Number(o.fx), fy: Number(o.fy) };
        }
      }
    } catch {
      this.map = {};
    }
  }

  get overrides(): Overrides {
    return this.map;
  }

  get count(): number {
    return Object.keys(this.map).length;
  }

  set(id: string, pos: { fx: number; fy: number }): void {
    this.map = { ...this.map, [id]: pos };
    this.version++;
  }

  save(): void {
    try {
      this.storage?.setItem(KEY, JSON.stringify(this.map));
    } catch {
      // Quota or disabled storage: keep the in-memory positions.
    }
  }

  reset(): void {
    this.map = {};
    this.version++;
    try {
      this.storage?.removeItem(KEY);
    } catch {
      // As above.
    }
  }
}
