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

/** One stage of a ramping arrival rate: the rate moves linearly to `target` over `durationS`. */
export interface RateStage {
  durationS: number;
  /** Arrival rate (requests/s) at the end of the stage. */
  target: number;
}

/**
 * A rate that changes over time (k6's ramping-arrival-rate): no arrivals for `offsetS`, then from
 * `startRate` each stage ramps linearly to its target. Request `i` is intended at the moment the
 * integral of the rate reaches `i` (request 0 at the first moment the rate is positive), so the
 * spacing follows the rate and latency is still charged from that intended time.
 */
export interface RateProfile {
  /** Seconds before the first stage. @default 0 */
  offsetS?: number;
  /** Rate at the start of the first stage. @default the first stage's target (a constant rate) */
  startRate?: number;
  stages: readonly RateStage[];
}

/** A profile's arrivals: how many, when each is intended, and how many are due by a time. */
export interface RateSchedule {
  /** Requests in the whole profile. */
  total: number;
  /** Seconds from the start to the end of the last stage (offset included). */
  durationS: number;
  /** Intended send time of request `i`, ms after the start. */
  intendedMs: (i: number) => number;
  /** Requests due by `elapsedMs` after the start, capped at `total`. */
  dueCount: (elapsedMs: number) => number;
}

interface Segment {
  t0: number;
  d: number;
  a: number;
  b: number;
  /** Arrivals before the segment. */
  c0: number;
}

/** Builds the schedule of a profile; a constant rate `r` for `d` s is `{ stages: [{durationS: d, target: r}] }`. */
export function rateSchedule(p: RateProfile): RateSchedule {
  const offset = p.offsetS ?? 0;
  const segs: Segment[] = [];
  let t = offset;
  let c = 0;
  let prev = p.startRate ?? p.stages[0]?.target ?? 0;
  for (const s of p.stages) {
    if (!(s.durationS >= 0) || !(s.target >= 0) || !(prev >= 0))
      throw new Error('stage durations and rates must be non-negative');
    segs.push({ t0: t, d: s.durationS, a: prev, b: s.target, c0: c });
    c += ((prev + s.target) / 2) * s.durationS;
    t += s.durationS;
    prev = s.target;
  }
  // Round the total so a constant rate × duration keeps its exact count (as totalRequests does).
  const total = Math.max(0, Math.round(c + 1e-9));
  /** Time (s) at which the integral of the rate reaches `n`. */
  const timeOf = (n: number): number => {
    for (const g of segs) {
      const inSeg = ((g.a + g.b) / 2) * g.d;
      if (inSeg <= 0 || n > g.c0 + inSeg + 1e-9) continue;
      const x = Math.max(0, n - g.c0);
      const k = (g.b - g.a) / (2 * g.d);
      // Root of k t² + a t − x = 0 in the form that stays exact as k → 0 and for a = 0.
      const dt = x === 0 ? 0 : (2 * x) / (g.a + Math.sqrt(g.a * g.a + 4 * k * x));
      return g.t0 + Math.min(g.d, dt);
    }
    return t;
  };
  const countBy = (s: number): number => {
    let n = 0;
    for (const g of segs) {
      if (s <= g.t0) break;
      const dt = Math.min(g.d, s - g.t0);
      n = g.c0 + g.a * dt + ((g.b - g.a) / (2 * g.d || 1)) * dt * dt;
    }
    return n;
  };
  // The first moment the rate is positive: request 0 is due there.
  const first = timeOf(0);
  return {
    total,
    durationS: t,
    intendedMs: (i) => timeOf(i) * 1000,
    dueCount: (elapsedMs) => {
      const s = elapsedMs / 1000;
      if (s < first - 1e-9) return 0;
      // 1e-9 keeps a request due exactly now (floating point of the integral) from waiting a tick.
      return Math.min(total, Math.floor(countBy(s) + 1e-9) + 1);
    },
  };
}
