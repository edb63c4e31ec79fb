// One WebSocket peer: which stream it is on, what it missed, whether it is
// keeping up. Sends never wait: a frame either fits under the backlog cap or
// is dropped and counted here.

import { WebSocket } from 'ws';
import type { Frame, Stream } from './stream.js';

export type DisconnectReason = 'slow' | 'timeout';

const TEXT = { binary: false } as const;

export class Client {
  framesSent = 0;
  eventsSent = 0;
  framesDropped = 0;
  eventsDropped = 0;
  /** Answered the last ping (or said anything) since it was sent. */
  alive = true;
  /** Missed a topology delta; gets the full topology once it has room again. */
  topologyStale = false;
  /** Set once the hub has decided to drop this peer, so it is counted once. */
  disconnecting: DisconnectReason | undefined;
  private stuckSince = -1;

  constructor(
    readonly ws: WebSocket,
    public stream: Stream,
  ) {}

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN && this.disconnecting === undefined;
  }

  /** Bytes handed to ws and not yet taken by the kernel. */
  get backlog(): number {
    return this.ws.bufferedAmount;
  }

  /** Sends an events frame, or drops and counts it when the backlog is above `cap`. */
  sendFrame(frame: Frame, cap: number): boolean {
    if (!this.open) return false;
    if (this.ws.bufferedAmount > cap) {
      this.framesDropped++;
      this.eventsDropped += frame.events;
      return false;
    }
    this.ws.send(frame.data, TEXT);
    this.framesSent++;
    this.eventsSent += frame.events;
    return true;
  }

  /** Sends a frame that a later one supersedes (stats, topology); skipped when the backlog is above `cap`. */
  sendIfRoom(data: Buffer | string, cap: number): boolean {
    if (!this.open || this.ws.bufferedAmount > cap) return false;
    this.ws.send(data, TEXT);
    return true;
  }

  /** Sends regardless of backlog; for the few small frames of a fresh connection. */
  sendNow(data: Buffer | string): void {
    if (this.open) this.ws.send(data, TEXT);
  }

  /** True once the backlog has stayed above `cap` for longer than `timeoutMs`. */
  stuck(now: number, cap: number, timeoutMs: number): boolean {
    if (this.ws.bufferedAmount <= cap) {
      this.stuckSince = -1;
      return false;
    }
    if (this.stuckSince < 0) this.stuckSince = now;
    return now - this.stuckSince > timeoutMs;
  }
}
