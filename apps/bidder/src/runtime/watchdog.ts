/**
 * Stall detection for worker threads. The worker bumps a counter in shared memory from a timer;
 * the main thread reads it directly. Shared memory rather than a message: a message queued while
 * the main thread itself was busy would arrive late and make a healthy worker look stalled.
 */

/** Worker side: bumps `heartbeat` every `intervalMs` while this thread's event loop turns. */
export function startHeartbeat(heartbeat: SharedArrayBuffer, intervalMs: number): () => void {
  const beats = new Int32Array(heartbeat);
  const timer = setInterval(() => Atomics.add(beats, 0, 1), intervalMs);
  // The heartbeat alone must not keep a stopping thread alive.
  timer.unref();
  return () => clearInterval(timer);
}

/** Main side: reads one worker's heartbeat. */
export function readHeartbeat(heartbeat: SharedArrayBuffer): number {
  return Atomics.load(new Int32Array(heartbeat), 0);
}

/**
 * Decides from successive readings of one heartbeat whether its worker stalled. Armed by the
 * first beat (module loading and start-up before it are not watched). A check that itself ran
 * late (the main thread or the whole machine was paused) restarts the clock instead of blaming
 * the worker, whose timer was held up too.
 */
export class StallDetector {
  private count = 0;
  private since: number;
  private checkedAt: number;

  constructor(
    private readonly limitMs: number,
    now: number,
  ) {
    this.since = now;
    this.checkedAt = now;
  }

  /** True when the heartbeat has not moved for the limit; never when the limit is 0 (off). */
  stalled(count: number, now: number): boolean {
    const late = now - this.checkedAt > this.limitMs / 2;
    this.checkedAt = now;
    if (count !== this.count || late) {
      this.count = count;
      this.since = now;
      return false;
    }
    return this.limitMs > 0 && count > 0 && now - this.since >= this.limitMs;
  }
}

/** First replacement at once; then doubling from 250 ms up to `maxMs` while a slot keeps failing. */
export function restartDelayMs(consecutiveFailures: number, maxMs = 30_000): number {
  if (consecutiveFailures <= 1) return 0;
  return Math.min(maxMs, 250 * 2 ** Math.min(consecutiveFailures - 2, 20));
}
