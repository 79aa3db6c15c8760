/**
 * Budget pacing against the even-delivery plan: a campaign that delivers evenly spends its budget
 * in proportion to the time of its flight that has passed. A row's plan is the budget share of
 * the time it covers inside the flight; pacing is spend / plan (1 = on plan, > 1 ahead).
 */

/** What pacing needs of a campaign (from the `campaigns` topic). */
export interface CampaignPlan {
  id: string;
  budgetMicros: number;
  flight: { start: number; end: number };
}

/** Whole micros the even-delivery plan spends in [fromMs, toMs): budget × overlap / flight. */
export function plannedMicros(c: CampaignPlan, fromMs: number, toMs: number): bigint {
  const len = c.flight.end - c.flight.start;
  const overlap = Math.min(toMs, c.flight.end) - Math.max(fromMs, c.flight.start);
  if (len <= 0 || overlap <= 0) return 0n;
  // Integer arithmetic: budgets up to 2^53 micros times ms spans would overflow a double's precision.
  return (BigInt(c.budgetMicros) * BigInt(overlap)) / BigInt(len);
}

/** spend / plan, rounded to 4 places; null when nothing was planned. */
export function pacing(spendMicros: bigint, planMicros: bigint): number | null {
  if (planMicros === 0n) return null;
  return Math.round(Number((spendMicros * 100_000n) / planMicros) / 10) / 10_000;
}
