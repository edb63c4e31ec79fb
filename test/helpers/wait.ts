// Tests wait on conditions, never on fixed sleeps: poll until the predicate
// holds or the deadline passes, then fail with the last observed value.

export interface WaitOptions {
  timeoutMs?: number;
  intervalMs?: number;
  message?: string;
}

export async function waitFor<T>(
  probe: () => T | Promise<T>,
  accept: (value: T) => boolean = Boolean,
  { timeoutMs = 15_000, intervalMs = 20, message = 'condition' }: WaitOptions = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  for (;;) {
    try {
      last = await probe();
      if (accept(last)) return last;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const seen = lastError ? `error ${String(lastError)}` : `last value ${safeJson(last)}`;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${message}; ${seen}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function safeJson(v: unknown): string {
  try {
    return JSON.stringify(v)?.slice(0, 500) ?? String(v);
  } catch {
    return String(v);
  }
}
