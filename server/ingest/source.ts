// The ingest stage's interface: every input (socket, datagram, tail, stdin,
// TCP syslog, the demo generator, replay) is a Source that hands complete
// lines, without their terminator, to one LineHandler.

import type { SourceStats } from '../protocol/index.js';

export type SourceKind = SourceStats['kind'];

/** Counters every source keeps; exported on /metrics and in stats frames. */
export interface SourceCounters {
  /** Lines handed on (oversize lines count here too, cut to the cap). */
  lines: number;
  bytes: number;
  /** Lines longer than the cap: cut, counted, never buffered beyond the cap. */
  oversize: number;
  /** Framing errors, failed reads, refused connections. */
  errors: number;
}

export interface Source {
  /** Unique within a daemon, e.g. "unix-stream:/run/mtaviz.sock". */
  readonly id: string;
  readonly kind: SourceKind;
  readonly counters: SourceCounters;
  /** Where it listens, when the id does not say (a TCP listener asked for port 0). */
  readonly address?: string;
  /** Resolves once the source is listening or open. */
  start(): Promise<void>;
  /** Stops accepting input, hands on what was already read, releases files. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Receives every line from every source, synchronously, in arrival order per
 * source; with its bytes when the source read them (see LineSink).
 */
export type LineHandler = (line: string, source: Source, bytes?: Uint8Array, at?: number) => void;

export function newCounters(): SourceCounters {
  return { lines: 0, bytes: 0, oversize: 0, errors: 0 };
}
