import { rawSql, sql, type ClickHouseClient, type Sql } from '@streambid/adapters';
import type { ModelTables } from '../schema/names.js';
import type { ReportDimension, ReportParams } from './params.js';

/** One row of a fraud report. */
export interface ReportRow {
  key: string;
  clicks: number;
  invalid_clicks: number;
  /** Share of invalid clicks (0..1): the entity's rolled-up score. */
  score: number;
  avg_click_score: number;
  impressions: number;
  ctr: number;
  reasons: string[];
}

/**
 * Per dimension: its key column (the same in the scores table and in the rollup), the hourly rollup
 * its impressions come from, and whether that rollup's rows need merging.
 */
const DIMENSIONS = {
  site: { key: 'inventory', rollup: 'placementHourly', merge: false },
  publisher: { key: 'publisher', rollup: 'placementHourly', merge: false },
  ip: { key: 'ip', rollup: 'ipHourly', merge: true },
  subnet: { key: 'subnet', rollup: 'subnetHourly', merge: true },
  campaign: { key: 'campaign_id', rollup: 'campaignHourly', merge: false },
  region: { key: 'region', rollup: 'campaignHourly', merge: false },
} as const satisfies Record<
  ReportDimension,
  { key: string; rollup: keyof ModelTables; merge: boolean }
>;

/** Key column in the scores table, and where its impressions come from (hourly rollups). */
function dimension(
  t: ModelTables,
  by: ReportDimension,
): { key: string; imp: string; impKey: string; merge: boolean } {
  const d = DIMENSIONS[by];
  return { key: d.key, imp: t[d.rollup], impKey: d.key, merge: d.merge };
}

/**
 * The report query. Identifiers come from a fixed map; every user value (times, filters, score,
 * limit) is zod-validated and rendered by the literal formatter. Impressions (for CTR) come from the
 * hourly rollups, so they are counted over whole hours touching the window. The joined subqueries
 * are named: current releases refuse unnamed ones (`joined_subquery_requires_alias`).
 */
export function reportQuery(t: ModelTables, p: ReportParams): Sql {
  const d = dimension(t, p.by);
  const from = new Date(p.from);
  const to = new Date(p.to);
  const filters: Sql[] = [sql`ts >= ${from} AND ts < ${to}`];
  if (p.campaign !== undefined) filters.push(sql`campaign_id = ${p.campaign}`);
  if (p.site !== undefined) filters.push(sql`inventory = ${p.site}`);
  if (p.publisher !== undefined) filters.push(sql`publisher = ${p.publisher}`);
  if (p.region !== undefined) filters.push(sql`region = ${p.region}`);
  const where = rawSql(filters.map((f) => f.text).join(' AND '));
  const impressions = d.merge ? 'sumMerge(impressions)' : 'sum(impressions)';
  return sql`
SELECT key, clicks, invalid_clicks, share AS score, avg_click_score, impressions,
       if(impressions > 0, round(clicks / impressions, 4), 0) AS ctr, reasons
FROM (
  SELECT ${rawSql(d.key)} AS key, count() AS clicks, sum(invalid) AS invalid_clicks,
         round(invalid_clicks / clicks, 4) AS share, round(avg(score), 4) AS avg_click_score,
         groupUniqArrayArray(reasons) AS reasons
  FROM ${rawSql(t.clickScores)} WHERE ${where}
  GROUP BY key
  HAVING share >= ${p['min-score']}
) AS scored ANY LEFT JOIN (
  SELECT ${rawSql(d.impKey)} AS key, ${rawSql(impressions)} AS impressions
  FROM ${rawSql(d.imp)} WHERE hour >= toStartOfHour(${from}) AND hour < ${to}
  GROUP BY key
) AS shown USING key
ORDER BY invalid_clicks DESC, clicks DESC, key
LIMIT ${p.limit}`;
}

/** ClickHouse settings of a report's query (the HTTP reports': `readonly`, `max_execution_time`). */
export type ClickHouseSettings = Record<string, string | number>;

/** Runs a report; `rowsRead` is ClickHouse's own count of rows scanned. */
export async function runReport(
  ch: ClickHouseClient,
  t: ModelTables,
  p: ReportParams,
  settings: ClickHouseSettings = {},
): Promise<{ rows: ReportRow[]; rowsRead: number; elapsedMs: number }> {
  const rs = await ch.query({
    query: reportQuery(t, p).text,
    format: 'JSON',
    clickhouse_settings: settings,
  });
  const body = await rs.json<Record<string, unknown>>();
  const rows = body.data.map((r) => ({
    key: String(r['key']),
    clicks: Number(r['clicks']),
    invalid_clicks: Number(r['invalid_clicks']),
    score: Number(r['score']),
    avg_click_score: Number(r['avg_click_score']),
    impressions: Number(r['impressions']),
    ctr: Number(r['ctr']),
    reasons: (r['reasons'] as string[]).slice().sort(),
  }));
  return {
    rows,
    rowsRead: Number(body.statistics?.rows_read ?? 0),
    elapsedMs: Math.round((body.statistics?.elapsed ?? 0) * 1000),
  };
}
