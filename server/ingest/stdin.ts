// Standard input ('-'), so `tail -F /var/log/mail.log | mtaviz serve -` works.
// When the writer goes away the daemon keeps serving the other inputs and the
// picture it has; end of input is logged, not fatal.

import type { Readable } from 'node:stream';
import type { Logger } from '../log.js';
import { LineFramer } from './line-framer.js';
import { newCounters, type LineHandler, type Source } from './source.js';

export class StdinSource implements Source {
  readonly kind = 'stdin' as const;
  readonly id = 'stdin';
  readonly counters = newCounters();
  private readonly framer: LineFramer;
  private ended = false;

  constructor(
    maxLine: number,
    onLine: LineHandler,
    private readonly log: Logger,
    private readonly input: Readable = process.stdin,
  ) {
    this.framer = new LineFramer(maxLine, (line, bytes, at) => onLine(line, this, bytes, at), this.counters);
  }

  /** True once the input reached its end. */
  get done(): boolean {
    return this.ended;
  }

  async start(): Promise<void> {
    this.input.on('data', (chunk: Buffer) => {
      this.counters.bytes += chunk.length;
      this.framer.push(chunk);
    });
    this.input.on('end', () => this.finish());
    this.input.on('error', (err) => {
      this.counters.errors++;
      this.log.error({ source: this.id, err }, 'read error');
      this.finish();
    });
  }

  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.framer.end();
    this.log.info({ source: this.id, lines: this.counters.lines }, 'end of input');
  }

  async close(): Promise<void> {
    this.input.pause();
    this.finish();
    // A pipe or TTY on fd 0 would otherwise keep the process alive.
    this.input.destroy();
  }
}
