// Where generated or replayed lines go: stdout, or a daemon's Unix stream
// socket, as any log shipper would write them. Writes are batched and honour
// backpressure: a slow reader slows the writer, nothing piles up here.

import { once } from 'node:events';
import { createConnection, type Socket } from 'node:net';
import type { Writable } from 'node:stream';

export interface LineOutput {
  /** Resolves when the batch is handed to the OS or buffered below the high-water mark. */
  write(text: string): Promise<void>;
  /** Flushes and closes (the stream, not stdout). */
  close(): Promise<void>;
  /** Set once the reader went away (EPIPE, connection reset). */
  readonly closed: boolean;
}

class StreamOutput implements LineOutput {
  closed = false;
  private failure: Error | undefined;

  constructor(
    private readonly stream: Writable,
    private readonly owned: boolean,
  ) {
    stream.on('error', (err) => {
      this.closed = true;
      this.failure = err;
    });
    stream.on('close', () => {
      this.closed = true;
    });
  }

  async write(text: string): Promise<void> {
    if (this.closed) return;
    if (this.stream.write(text)) return;
    // Wait for the reader; a reader that goes away ends the wait too. Both
    // listeners go when either fires: a long run waits millions of times.
    const stream = this.stream;
    await new Promise<void>((resolve) => {
      const done = () => {
        stream.off('drain', done);
        stream.off('close', done);
        resolve();
      };
      stream.on('drain', done);
      stream.on('close', done);
    });
  }

  async close(): Promise<void> {
    if (!this.owned || this.closed) return;
    this.stream.end();
    await once(this.stream, 'close').catch(() => undefined);
  }

  /** The error that closed the output, if any. */
  get error(): Error | undefined {
    return this.failure;
  }
}

export function stdoutOutput(): LineOutput & { error: Error | undefined } {
  return new StreamOutput(process.stdout, false);
}

/** Connects to a daemon's Unix stream socket; rejects with a readable message if nobody listens. */
export async function socketOutput(path: string): Promise<LineOutput & { error: Error | undefined }> {
  const socket: Socket = createConnection({ path });
  try {
    await once(socket, 'connect');
  } catch (err) {
    socket.destroy();
    const code = (err as NodeJS.ErrnoException).code ?? String(err);
    throw new Error(`cannot connect to ${path}: ${code}${code === 'ENOENT' || code === 'ECONNREFUSED' ? ' (is `mtaviz serve` running with --socket there?)' : ''}`);
  }
  // Lines are small and batched already; Nagle does not apply to Unix sockets.
  return new StreamOutput(socket, true);
}
