import { setTimeout as sleep } from 'node:timers/promises';
import { TimeoutError } from './errors.js';

/** Polls `cond` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  opts: { timeoutMs: number; intervalMs?: number; what?: string },
): Promise<NonNullable<T>> {
  const deadline = Date.now() + opts.timeoutMs;
  for (;;) {
    const v = await cond();
    if (v !== undefined && v !== null && v !== false) return v;
    if (Date.now() >= deadline) throw new TimeoutError(opts.what ?? 'condition', opts.timeoutMs);
    await sleep(opts.intervalMs ?? 25);
  }
}
