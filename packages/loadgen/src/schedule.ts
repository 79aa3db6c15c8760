/**
 * Open-model scheduling math (wrk2 style). Request `i` is due at `start + i / rate`, whatever
 * happened to earlier requests; latency is measured from that intended time, so a server that
 * stalls is charged for every request it delayed (no coordinated omission).
 */

/** Intended send time of request `i` (same clock and unit as `startMs`). */
export function intendedTime(startMs: number, i: number, ratePerSec: number): number {
  return startMs + (i * 1000) / ratePerSec;
}

/** How many requests are due by `elapsedMs` after the start (request 0 is due at once), capped at `total`. */
export function dueCount(elapsedMs: number, ratePerSec: number, total: number): number {
  if (elapsedMs < 0) return 0;
  return Math.min(total, Math.floor((elapsedMs * ratePerSec) / 1000) + 1);
}

/** Requests in a run of `durationS` seconds at `ratePerSec`. */
export function totalRequests(ratePerSec: number, durationS: number): number {
  return Math.max(0, Math.round(ratePerSec * durationS));
}

/** Latency charged to a request: completion minus intended time (never negative). */
export function latencyFrom(intendedMs: number, completedMs: number): number {
  return Math.max(0, completedMs - intendedMs);
}

/** Timeline bucket (whole seconds since the start) of an intended send time. */
export function secondOf(startMs: number, intendedMs: number): number {
  return Math.max(0, Math.floor((intendedMs - startMs) / 1000));
}

/**
 * Rates for a step-up search: from `start`, multiplying by `factor` until `max` (inclusive).
 */
export function rateSteps(start: number, max: number, factor: number): number[] {
  if (!(start > 0 && factor > 1 && max >= start)) return start > 0 ? [start] : [];
  const out: number[] = [];
  for (let r = start; r <= max * 1.0001; r *= factor) out.push(Math.round(r));
  return out;
}
