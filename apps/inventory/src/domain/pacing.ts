/**
 * Even delivery over a flight. Pure: time is always passed in.
 *
 * Pacing works on cumulative targets rather than instantaneous rates: the amount released by time
 * `t` is what an even spend would have reached by `t` (plus a short look-ahead). Spend that was not
 * made in a quiet period stays released, so delivery catches up when traffic returns, and the whole
 * budget is released by the end of the flight.
 */

export const DAY_MS = 86_400_000;

/** What pacing needs to know about a campaign. */
export interface PacingPlan {
  totalMicros: number;
  /** At most this much per UTC day. @default unlimited */
  dailyMicros?: number | undefined;
  flight: { start: number; end: number };
}

/** Spend seen so far, globally. */
export interface SpendSoFar {
  totalMicros: number;
  /** Spend in the UTC day that contains `now`. */
  todayMicros: number;
}

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

/** Start of the UTC day containing `t`. */
export function utcDayStart(t: number): number {
  return Math.floor(t / DAY_MS) * DAY_MS;
}

/** Cumulative spend an even delivery reaches by time `t`. */
export function flightTarget(plan: PacingPlan, t: number): number {
  const { start, end } = plan.flight;
  return Math.floor(plan.totalMicros * clamp01((t - start) / (end - start)));
}

/** Spend an even delivery reaches by `t` within the UTC day of `now` (flight-clipped). */
export function dailyTarget(plan: PacingPlan, now: number, t: number): number {
  if (plan.dailyMicros === undefined) return Number.POSITIVE_INFINITY;
  const dayStart = Math.max(utcDayStart(now), plan.flight.start);
  const dayEnd = Math.min(utcDayStart(now) + DAY_MS, plan.flight.end);
  if (dayEnd <= dayStart) return 0;
  return Math.floor(plan.dailyMicros * clamp01((t - dayStart) / (dayEnd - dayStart)));
}

/**
 * Budget that may be spent from now on, globally: the even-delivery target `lookaheadMs` ahead,
 * minus what is already spent, never more than what is left of the total or of today's budget.
 */
export function releasable(
  plan: PacingPlan,
  spent: SpendSoFar,
  now: number,
  lookaheadMs: number,
): number {
  if (now < plan.flight.start || now >= plan.flight.end) return 0;
  const t = now + lookaheadMs;
  const byFlight = flightTarget(plan, t) - spent.totalMicros;
  const byDay = dailyTarget(plan, now, t) - spent.todayMicros;
  const left = plan.totalMicros - spent.totalMicros;
  return Math.max(0, Math.min(byFlight, byDay, left));
}

/**
 * Global spend rate (micros/s) for even delivery of what is left over the rest of the flight,
 * never faster than today's remaining daily budget over the rest of the day.
 */
export function paceRate(plan: PacingPlan, spent: SpendSoFar, now: number): number {
  if (now < plan.flight.start || now >= plan.flight.end) return 0;
  const left = Math.max(0, plan.totalMicros - spent.totalMicros);
  let rate = left / ((plan.flight.end - now) / 1000);
  if (plan.dailyMicros !== undefined) {
    const dayEnd = Math.min(utcDayStart(now) + DAY_MS, plan.flight.end);
    const leftToday = Math.max(0, plan.dailyMicros - spent.todayMicros);
    rate = Math.min(rate, leftToday / Math.max(0.001, (dayEnd - now) / 1000));
  }
  return rate;
}
