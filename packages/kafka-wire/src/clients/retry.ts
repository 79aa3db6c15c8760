import { setTimeout as sleep } from 'node:timers/promises';

/** Exponential backoff between attempts: `firstMs`, doubling, at most `maxMs`. */
export interface Backoff {
  firstMs: number;
  maxMs: number;
}

/** The wait before attempt `attempt + 1`, after `attempt` (1-based) failed. */
export function backoffMs(attempt: number, b: Backoff): number {
  return Math.min(b.firstMs * 2 ** (attempt - 1), b.maxMs);
}

/** Waits {@link backoffMs} after failed attempt `attempt`. */
export function pause(attempt: number, b: Backoff): Promise<void> {
  return sleep(backoffMs(attempt, b));
}

/** Options of {@link retrying}. */
export interface RetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  backoff: Backoff;
  /** Whether another attempt may succeed after `err`. */
  retriable: (err: unknown) => boolean;
  /** Runs after each failure, before the backoff; `again` says whether another attempt follows. */
  onFailure?: (err: unknown, again: boolean) => Promise<void> | void;
}

/** Runs `op` until it succeeds, retrying retriable failures with backoff; rethrows the last one. */
export async function retrying<T>(op: () => Promise<T>, opts: RetryOptions): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await op();
    } catch (err) {
      const again = attempt < opts.attempts && opts.retriable(err);
      await opts.onFailure?.(err, again);
      if (!again) throw err;
      await pause(attempt, opts.backoff);
    }
  }
}
