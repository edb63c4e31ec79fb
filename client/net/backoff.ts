// Reconnect delays: exponential with jitter, so a restarted daemon is not hit
// by every open page in the same millisecond, and capped, so a page left open
// over a long outage still comes back within a few seconds of the daemon.

export interface BackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const BACKOFF: BackoffOptions = { baseMs: 250, maxMs: 5000 };

/** Delay before attempt number `attempt` (0 = first retry); `random` in [0, 1). */
export function backoffDelay(attempt: number, random: number, opts: BackoffOptions = BACKOFF): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (ceiling / 2) * random);
}
