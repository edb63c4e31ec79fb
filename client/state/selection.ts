// What the pointer is on, for the inspect panel and the bounce floor's
// tooltips: a ball or a node (inspected while paused), or a floor bin
// (any time). Hovering sets it; a click pins it until the next click.

import type { MailEvent } from '../../server/protocol/index.js';

export type Selection =
  | { kind: 'ball'; ev: MailEvent }
  | { kind: 'node'; id: string }
  | { kind: 'bin'; cls: number };

export interface ScreenPoint {
  /** Page (CSS pixel) coordinates of the pointer, where a panel can go. */
  x: number;
  y: number;
}

function same(a: Selection | undefined, b: Selection | undefined): boolean {
  if (!a || !b) return a === b;
  if (a.kind === 'ball' && b.kind === 'ball') return a.ev === b.ev;
  if (a.kind === 'node' && b.kind === 'node') return a.id === b.id;
  if (a.kind === 'bin' && b.kind === 'bin') return a.cls === b.cls;
  return false;
}

export class SelectionState {
  current: Selection | undefined;
  at: ScreenPoint = { x: 0, y: 0 };
  pinned = false;
  version = 0;
  private readonly listeners = new Set<() => void>();

  hover(sel: Selection | undefined, at: ScreenPoint): void {
    if (this.pinned) return;
    this.set(sel, at);
  }

  /** A click pins what is under the pointer, or unpins (and shows what is under it now). */
  click(sel: Selection | undefined, at: ScreenPoint): void {
    if (this.pinned) {
      this.pinned = false;
      this.set(sel, at, true);
      return;
    }
    this.pinned = sel !== undefined;
    this.set(sel, at, true);
  }

  /** Forgets a ball or node selection (resuming): balls move on, their details go stale. */
  clearInspection(): void {
    if (this.current?.kind === 'bin') return;
    this.pinned = false;
    this.set(undefined, this.at, true);
  }

  subscribe(l: () => void): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private set(sel: Selection | undefined, at: ScreenPoint, force = false): void {
    if (!force && same(sel, this.current)) return;
    this.current = sel;
    this.at = at;
    this.version++;
    for (const l of this.listeners) l();
  }
}
