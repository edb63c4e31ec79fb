// Generator commands (demo, replay) stop on Ctrl-C or SIGTERM by aborting
// their pacing loop, so what was written is flushed and the socket closed
// cleanly instead of the process dying mid-line.

/** Runs `work` with a signal that aborts on the first SIGINT or SIGTERM; the handlers go when it ends. */
export async function untilInterrupted<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await work(abort.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
