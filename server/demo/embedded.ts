// The generator inside a running daemon (`mtaviz serve --demo`): it connects
// to the daemon's own Unix stream socket like any external writer would, so a
// demo exercises exactly the production path, socket framing included.

import type { Logger } from '../log.js';
import { Generator } from './generator.js';
import type { GeneratorSettings } from './options.js';
import { socketOutput } from './output.js';
import { pace } from './pace.js';

export interface Embedded {
  /** Stops writing and closes the connection; the daemon then drains what was sent. Safe to call twice. */
  close(): Promise<void>;
}

/** Connects to `socketPath` and writes generated traffic paced by the wall clock until closed. */
export async function startEmbeddedDemo(socketPath: string, settings: GeneratorSettings, log: Logger): Promise<Embedded> {
  const out = await socketOutput(socketPath);
  const start = Date.now();
  const gen = new Generator({ ...settings, start });
  const abort = new AbortController();
  const running = pace(gen, out, { start, durationMs: 0, maxLines: 0, fast: false, signal: abort.signal }).then(
    (result) => {
      if (result.reason === 'closed') log.warn({ socket: socketPath, error: out.error?.message }, 'demo generator: the socket closed');
      return result;
    },
    (err: unknown) => {
      log.error({ err }, 'demo generator failed');
      return undefined;
    },
  );
  log.info({ socket: socketPath, rate: settings.rate, seed: settings.seed }, 'demo generator started');
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        abort.abort();
        const result = await running;
        await out.close();
        log.info({ lines: result?.lines, messages: gen.counters.messages }, 'demo generator stopped');
      })()),
  };
}
