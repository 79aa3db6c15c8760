import type { ClickHouseClient } from '@streambid/adapters';
import type { ModelTables } from '../schema/names.js';
import { apportionSpend } from './apportion.js';
import { deliveryQuery, type DeliveryPart, type DeliveryScope } from './delivery-query.js';
import { pacing, plannedMicros, type CampaignPlan } from './pacing.js';

/** One row of a delivery report. Money in integer micros of the campaigns' currency. */
export interface DeliveryRow {
  key: string;
  bids: number;
  wins: number;
  /** wins / bids (0..1), 0 without bids. */
  win_rate: number;
  /** Loss notices (no placement: under '' for publisher, site and country). */
  losses: number;
  impressions: number;
  clicks: number;
  /** clicks / impressions, 0 without impressions. */
  ctr: number;
  /** Distinct billed bids. */
  billed: number;
  /** Whole micros, exact: the rows of a campaign add up to floor(Σ cpm / 1000) (`apportion.ts`). */
  spend_micros: number;
  /** Spend per thousand impressions (micros), null without impressions. */
  ecpm_micros: number | null;
  /** Spend per click (micros), null without clicks. */
  ecpc_micros: number | null;
  /** Even-delivery plan for the row's time in the window (campaign and hour rows), else null. */
  plan_micros: number | null;
  /** spend / plan, null without a plan. */
  pacing: number | null;
}

/** A delivery report: its rows (at most `limit`) and the totals over every row. */
export interface DeliveryReport {
  by: DeliveryScope['by'];
  window: { from_ms: number | null; to_ms: number | null };
  rows: DeliveryRow[];
  /** Rows before the limit. */
  total_rows: number;
  totals: { bids: number; wins: number; impressions: number; clicks: number; spend_micros: number };
  /** Why pacing is missing, when it is. */
  pacing_note?: string;
}

const HOUR = 3_600_000;

/** Exact integer micros as a JSON number (a run's spend is far below 2^53 micros). */
function safe(n: bigint): number {
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError(`${String(n)} micros is over 2^53`);
  return Number(n);
}

const ratio = (a: number, b: number): number => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : 0);

/**
 * Folds the query's (key, campaign) parts into report rows: counts summed, spend apportioned per
 * campaign so that rows add up exactly, rates and pacing computed, sorted (hours by time, the rest
 * by spend, then bids, then key), cut to `limit`.
 */
export function assembleDelivery(
  parts: readonly DeliveryPart[],
  scope: DeliveryScope,
  plans: ReadonlyMap<string, CampaignPlan> | null,
  limit: number,
): DeliveryReport {
  const hourKey = (k: string): string =>
    scope.by === 'hour' && /^\d+$/.test(k) ? new Date(Number(k) * 1000).toISOString() : k;
  const spend = apportionSpend(
    parts.map((p) => ({ key: hourKey(p.key), campaign: p.cid, cpm: BigInt(p.spend_cpm) })),
  );
  const rows = new Map<string, DeliveryRow & { hourMs?: number }>();
  for (const p of parts) {
    const key = hourKey(p.key);
    let r = rows.get(key);
    if (!r) {
      r = {
        key,
        bids: 0,
        wins: 0,
        win_rate: 0,
        losses: 0,
        impressions: 0,
        clicks: 0,
        ctr: 0,
        billed: 0,
        spend_micros: safe(spend.get(key) ?? 0n),
        ecpm_micros: null,
        ecpc_micros: null,
        plan_micros: null,
        pacing: null,
      };
      rows.set(key, r);
    }
    r.bids += Number(p.bids);
    r.wins += Number(p.wins);
    r.losses += Number(p.losses);
    r.impressions += Number(p.impressions);
    r.clicks += Number(p.clicks);
    r.billed += Number(p.billed);
  }
  // An hour's plan is that of the campaigns the report covers (those with any row).
  const reported = new Set(parts.map((p) => p.cid));
  const from = scope.fromMs ?? Number.NEGATIVE_INFINITY;
  const to = scope.toMs ?? Number.POSITIVE_INFINITY;
  for (const r of rows.values()) {
    r.win_rate = ratio(r.wins, r.bids);
    r.ctr = ratio(r.clicks, r.impressions);
    if (r.impressions > 0) r.ecpm_micros = Math.round((r.spend_micros * 1000) / r.impressions);
    if (r.clicks > 0) r.ecpc_micros = Math.round(r.spend_micros / r.clicks);
    let plan: bigint | null = null;
    if (plans && scope.by === 'campaign') {
      const c = plans.get(r.key);
      if (c) plan = plannedMicros(c, Math.max(from, c.flight.start), Math.min(to, c.flight.end));
    } else if (plans && scope.by === 'hour') {
      const h = Date.parse(r.key);
      plan = 0n;
      for (const id of reported) {
        const c = plans.get(id);
        if (c) plan += plannedMicros(c, h, h + HOUR);
      }
    }
    if (plan !== null) {
      r.plan_micros = safe(plan);
      r.pacing = pacing(BigInt(r.spend_micros), plan);
    }
  }
  const all = [...rows.values()].sort((a, b) =>
    scope.by === 'hour'
      ? a.key.localeCompare(b.key)
      : b.spend_micros - a.spend_micros || b.bids - a.bids || a.key.localeCompare(b.key),
  );
  const sum = (f: (r: DeliveryRow) => number): number => all.reduce((n, r) => n + f(r), 0);
  return {
    by: scope.by,
    window: { from_ms: scope.fromMs, to_ms: scope.toMs },
    rows: all.slice(0, limit),
    total_rows: all.length,
    totals: {
      bids: sum((r) => r.bids),
      wins: sum((r) => r.wins),
      impressions: sum((r) => r.impressions),
      clicks: sum((r) => r.clicks),
      spend_micros: sum((r) => r.spend_micros),
    },
    ...(plans === null
      ? { pacing_note: 'no campaign budgets (campaigns topic not read): pacing left out' }
      : scope.by === 'campaign' || scope.by === 'hour'
        ? {}
        : { pacing_note: 'pacing is per campaign or hour: the plan is by time, not by inventory' }),
  };
}

/** The hours a window touches: the rollups are hourly, so every figure covers whole hours. */
export function wholeHours(
  fromMs: number | null,
  toMs: number | null,
): [number | null, number | null] {
  return [
    fromMs === null ? null : Math.floor(fromMs / HOUR) * HOUR,
    toMs === null ? null : Math.ceil(toMs / HOUR) * HOUR,
  ];
}

/** Runs the delivery query (ClickHouse settings such as `readonly` as given) and assembles the report. */
export async function runDelivery(
  ch: ClickHouseClient,
  t: ModelTables,
  spendTable: string,
  scope: DeliveryScope,
  plans: ReadonlyMap<string, CampaignPlan> | null,
  limit: number,
  settings: Record<string, string | number> = {},
): Promise<DeliveryReport> {
  const rs = await ch.query({
    query: deliveryQuery(t, spendTable, scope).text,
    format: 'JSONEachRow',
    clickhouse_settings: settings,
  });
  return assembleDelivery(await rs.json<DeliveryPart>(), scope, plans, limit);
}
