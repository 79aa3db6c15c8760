import type { Region } from '@streambid/contracts';
import { paceRate, releasable, type PacingPlan } from './pacing.js';

/**
 * The "banker" split of a global budget into regional blocks. Pure: the caller passes the global
 * picture as it sees it (spend per region rebuilt from every region's spend stream) and the time.
 */

/** The service's allocator settings; the pacing simulation uses the same. */
export const DEFAULT_ALLOCATION = {
  /** How often allowances are recomputed (published when changed, and all every second). */
  intervalMs: 250,
  /** Time constant of the recent spend rate that weights the regional shares. */
  rateTauMs: 5000,
  floorShare: 0.05,
  lookaheadMs: 2000,
} as const;

/** Tuning of the allocator. */
export interface AllocationOptions {
  /** Share every region gets at least, so a quiet region can start spending. @default 0.05 */
  floorShare?: number;
  /** How far ahead of the even-delivery curve budget is released. @default 2000 */
  lookaheadMs?: number;
}

/** Everything the allocator needs about one campaign, as seen from the allocating region. */
export interface AllocationInput {
  plan: PacingPlan;
  /** Maximum bid CPM: one impression costs at most this / 1000. */
  bidCpmMicros: number;
  /** The campaign may spend now (status active). Paused and archived campaigns get no headroom. */
  active: boolean;
  /** Regions that receive an allowance. */
  regions: readonly Region[];
  /** Cumulative spend seen per region (missing = 0). */
  spendByRegion: Partial<Record<Region, number>>;
  /** Global spend seen in the UTC day of `now`. */
  spentTodayMicros: number;
  /** Recent spend rate per region, micros/s (missing = 0): the traffic signal for the shares. */
  recentRateByRegion: Partial<Record<Region, number>>;
  now: number;
}

/** One region's allowance, as published to the `budget` topic (without eventId/ts). */
export interface RegionAllowance {
  region: Region;
  capMicros: number;
  paceMicrosPerSec: number;
  exhausted: boolean;
}

/** Shares per region summing to 1: each at least `floor`, the rest by recent spend rate. */
export function shares(
  regions: readonly Region[],
  rates: Partial<Record<Region, number>>,
  floorShare: number,
): Map<Region, number> {
  const n = regions.length;
  const out = new Map<Region, number>();
  if (n === 0) return out;
  const floor = Math.min(Math.max(0, floorShare), 1 / n);
  const total = regions.reduce((s, r) => s + Math.max(0, rates[r] ?? 0), 0);
  for (const r of regions) {
    const weight = total > 0 ? Math.max(0, rates[r] ?? 0) / total : 1 / n;
    out.set(r, floor + (1 - n * floor) * weight);
  }
  return out;
}

/** Smallest cost of one impression: below this much left, nothing more can be bought safely. */
export function impressionCostCeil(bidCpmMicros: number): number {
  return Math.max(1, Math.ceil(bidCpmMicros / 1000));
}

/**
 * Caps per region: its spend so far plus its share of what pacing releases now. The caps sum to at
 * most the budget, so regions that each stop at their cap cannot overspend together. When less
 * than one impression's cost is left the campaign is exhausted and every cap equals the region's
 * spend (no headroom anywhere).
 */
export function allocate(input: AllocationInput, opts: AllocationOptions = {}): RegionAllowance[] {
  const { plan, regions, now } = input;
  const spendOf = (r: Region): number => input.spendByRegion[r] ?? 0;
  // Spend from regions outside `regions` still counts against the global budget.
  const totalSpent = Object.values(input.spendByRegion).reduce<number>((s, v) => s + (v ?? 0), 0);
  const left = plan.totalMicros - totalSpent;
  const exhausted = left < impressionCostCeil(input.bidCpmMicros);
  const frozen = (): RegionAllowance[] =>
    regions.map((region) => ({
      region,
      capMicros: spendOf(region),
      paceMicrosPerSec: 0,
      exhausted,
    }));
  if (exhausted || !input.active) return frozen();

  const spent = { totalMicros: totalSpent, todayMicros: input.spentTodayMicros };
  const release = releasable(plan, spent, now, opts.lookaheadMs ?? DEFAULT_ALLOCATION.lookaheadMs);
  const pace = paceRate(plan, spent, now);
  const share = shares(
    regions,
    input.recentRateByRegion,
    opts.floorShare ?? DEFAULT_ALLOCATION.floorShare,
  );
  return regions.map((region) => {
    const s = share.get(region) ?? 0;
    return {
      region,
      capMicros: spendOf(region) + Math.floor(release * s),
      paceMicrosPerSec: Math.floor(pace * s),
      exhausted: false,
    };
  });
}
