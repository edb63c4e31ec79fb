// Replay inside a running daemon (`mtaviz serve --replay FILE`, and
// `mtaviz replay FILE` without --to-socket): the capture is written into the
// daemon's own Unix stream socket, the path real shippers use. By default it
// waits for the first browser, so an incident is watched from its start.

import { setTimeout as sleep } from 'node:timers/promises';
import type { Embedded } from '../demo/embedded.js';
import { socketOutput } from '../demo/output.js';
import type { Logger } from '../log.js';
import type { ParseConfig } from '../parse/options.js';
import { lineClock } from './clock.js';
import type { ReplaySettings } from './options.js';
import { replay } from './replayer.js';

/** How often the viewer count is looked at while waiting. */
const VIEWER_POLL_MS = 100;

export async function startEmbeddedReplay(
  socketPath: string,
  settings: ReplaySettings,
  parse: ParseConfig,
  viewers: () => number,
  log: Logger,
): Promise<Embedded> {
  const out = await socketOutput(socketPath);
  const abort = new AbortController();
  const { waitForViewer, ...opts } = settings;
  const running = (async () => {
    if (waitForViewer) {
      log.info({ file: settings.file }, 'replay waits for the first browser');
      while (viewers() === 0 && !abort.signal.aborted) await sleep(VIEWER_POLL_MS, undefined, { signal: abort.signal }).catch(() => undefined);
      if (abort.signal.aborted) return undefined;
    }
    log.info({ socket: socketPath, ...opts }, 'replay started');
    const result = await replay(out, lineClock(parse), { ...opts, signal: abort.signal });
    // A finished replay leaves the daemon up, so the last picture stays on screen.
    log.info({ ...result }, 'replay finished');
    await out.close();
    return result;
  })().catch((err: unknown) => {
    log.error({ err, file: settings.file }, 'replay failed');
    return undefined;
  });
  let closing: Promise<void> | undefined;
  return {
    close: () =>
      (closing ??= (async () => {
        abort.abort();
        await running;
        await out.close();
      })()),
  };
}
