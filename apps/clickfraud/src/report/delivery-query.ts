import { rawSql, sql, type Sql } from '@streambid/adapters';
import type { ModelTables } from '../schema/names.js';
import type { DeliveryDimension } from './delivery-params.js';

/** What one delivery query covers; every value is validated before it gets here. */
export interface DeliveryScope {
  by: DeliveryDimension;
  /** Whole hours (the rollups are hourly), or null for no bound. */
  fromMs: number | null;
  toMs: number | null;
  /** Only these campaigns (`--campaign`, or a run's), or null for all. */
  campaigns: readonly string[] | null;
  /** Only spend rows read from these topics (a run's namespace), or null for all. */
  spendTopics: readonly string[] | null;
}

/** One row of the query: a key's part of one campaign (spend is apportioned per campaign). */
export interface DeliveryPart {
  key: string;
  cid: string;
  bids: string;
  wins: string;
  losses: string;
  impressions: string;
  clicks: string;
  spend_cpm: string;
  billed: string;
}

/** Rollup key per dimension (`delivery_hourly`); hours as unix seconds, formatted by the caller. */
const ROLLUP_KEY: Record<DeliveryDimension, string> = {
  campaign: 'campaign_id',
  creative: 'creative_id',
  publisher: 'publisher',
  site: 'inventory',
  deal: 'deal_id',
  country: 'country',
  region: 'region',
  hour: 'toString(toUnixTimestamp(hour))',
};

/**
 * The spend ledger holds campaign, creative, region and time; the place comes from the bid's win
 * (replicated to the analytics region, so every region's is there) and the deal from the bid.
 */
const SPEND_KEY: Record<DeliveryDimension, { expr: string; via?: 'wins' | 'bids'; col?: string }> =
  {
    campaign: { expr: 'cid' },
    creative: { expr: 'crid' },
    region: { expr: 'first_region' },
    hour: { expr: 'toString(toUnixTimestamp(toStartOfHour(toDateTime(intDiv(first_ms, 1000)))))' },
    publisher: { expr: 'attr', via: 'wins', col: 'publisher' },
    site: { expr: 'attr', via: 'wins', col: 'inventory' },
    country: { expr: 'attr', via: 'wins', col: 'country' },
    deal: { expr: 'attr', via: 'bids', col: 'deal_id' },
  };

const and = (parts: readonly Sql[]): Sql =>
  rawSql(parts.length === 0 ? '1' : parts.map((p) => `(${p.text})`).join(' AND '));

function campaignFilter(s: DeliveryScope): Sql[] {
  // An empty array literal has no element type in 18.16: no campaign means no row.
  if (s.campaigns === null) return [];
  return [s.campaigns.length === 0 ? rawSql('0') : sql`has(${s.campaigns}, campaign_id)`];
}

function timeFilter(s: DeliveryScope, col: 'hour' | 'ts' | 'ts_ms', slackMs = 0): Sql[] {
  const out: Sql[] = [];
  const at = (ms: number): Sql => (col === 'ts_ms' ? sql`${ms}` : sql`${new Date(ms)}`);
  if (s.fromMs !== null) out.push(sql`${rawSql(col)} >= ${at(s.fromMs - slackMs)}`);
  if (s.toMs !== null) out.push(sql`${rawSql(col)} < ${at(s.toMs)}`);
  return out;
}

const ZERO = 'toUInt64(0)';
/** Every part has these columns, in this order (UNION ALL matches them by position in 18.16). */
function part(
  key: string,
  m: { b?: string; w?: string; l?: string; i?: string; c?: string; s?: string; n?: string },
): string {
  return `toString(${key}) AS key, cid, ${m.b ?? ZERO} AS b, ${m.w ?? ZERO} AS w, ${m.l ?? ZERO} AS l, ${m.i ?? ZERO} AS i, ${m.c ?? ZERO} AS c, ${m.s ?? ZERO} AS s, ${m.n ?? ZERO} AS n`;
}

/**
 * Bids, wins, losses, impressions and clicks from the hourly rollup, grouped by key and campaign.
 * For deals only bids and losses: the rest reach a deal through their bid ({@link dealParts}).
 */
function rollupPart(t: ModelTables, s: DeliveryScope, dealless: boolean): string {
  const where = and([...timeFilter(s, 'hour'), ...campaignFilter(s)]);
  const b = 'toUInt64(sum(bids))';
  const l = 'toUInt64(sum(losses))';
  const m = dealless
    ? { b, l }
    : {
        b,
        l,
        w: 'toUInt64(sum(wins))',
        i: 'toUInt64(sum(impressions))',
        c: 'toUInt64(sum(clicks))',
      };
  return `SELECT ${part('k0', m)} FROM (SELECT ${ROLLUP_KEY[s.by]} AS k0, campaign_id AS cid, bids, wins, losses, impressions, clicks FROM ${t.deliveryHourly} WHERE ${where.text}) GROUP BY key, cid`;
}

/** The deal of each bid of the window (an hour earlier too: a win or click follows its bid). */
function dealOfBid(t: ModelTables, s: DeliveryScope): string {
  const where = and([...timeFilter(s, 'ts', 3_600_000), ...campaignFilter(s)]);
  return `SELECT bid_id, any(deal_id) AS attr FROM ${t.bids} WHERE ${where.text} GROUP BY bid_id`;
}

/** Wins, impressions and clicks by the deal of their bid (only bids carry the deal). */
function dealParts(t: ModelTables, s: DeliveryScope): string[] {
  const where = (extra: string): string =>
    and([...timeFilter(s, 'ts'), ...campaignFilter(s), rawSql(extra)]).text;
  const sources = [
    { table: t.wins, m: 'w', test: 'test = 0' },
    { table: t.impressions, m: 'i', test: '1' },
    { table: t.clicks, m: 'c', test: '1' },
  ] as const;
  return sources.map(
    ({ table, m, test }) =>
      `SELECT ${part('attr', { [m]: 'toUInt64(count())' })} FROM (SELECT bid_id, campaign_id AS cid FROM ${table} WHERE ${where(test)}) AS events ANY LEFT JOIN (${dealOfBid(t, s)}) AS deals USING bid_id GROUP BY key, cid`,
  );
}

/**
 * Spend from the ledger: one row per distinct bid (its earliest row stands for it, as in
 * `reconcile`), its CPM summed per key and campaign; whole micros are apportioned by the caller.
 */
function spendPart(t: ModelTables, spendTable: string, s: DeliveryScope): string {
  const topics =
    s.spendTopics === null
      ? []
      : [s.spendTopics.length === 0 ? rawSql('0') : sql`has(${s.spendTopics}, src_topic)`];
  const where = and([...timeFilter(s, 'ts_ms'), ...campaignFilter(s), ...topics]);
  // No alias repeats a column name (`argMin(region, …) AS region` reads differently across releases).
  const perBid = `SELECT bid_id, argMin(campaign_id, ts_ms) AS cid, argMin(creative_id, ts_ms) AS crid,
    argMin(region, ts_ms) AS first_region, min(ts_ms) AS first_ms, argMin(cpm_micros, ts_ms) AS cpm
    FROM ${spendTable} WHERE ${where.text} GROUP BY bid_id`;
  const k = SPEND_KEY[s.by];
  const m = { s: 'toUInt64(sum(cpm))', n: 'toUInt64(count())' };
  if (k.via === undefined) return `SELECT ${part(k.expr, m)} FROM (${perBid}) GROUP BY key, cid`;
  const lookup =
    k.via === 'bids'
      ? dealOfBid(t, s)
      : `SELECT bid_id, any(${k.col ?? ''}) AS attr FROM ${t.wins} WHERE ${and([...timeFilter(s, 'ts', 3_600_000), ...campaignFilter(s)]).text} GROUP BY bid_id`;
  return `SELECT ${part(k.expr, m)} FROM (${perBid}) AS billed ANY LEFT JOIN (${lookup}) AS via USING bid_id GROUP BY key, cid`;
}

/**
 * Joined subqueries are named (`AS events`, `AS billed`): current releases refuse an unnamed one
 * (`joined_subquery_requires_alias`), 18.16 accepts both.
 *
 * The delivery query: per key and campaign, bids, wins, impressions and clicks (the hourly
 * rollup; for deals, wins, impressions and clicks through their bid) and spend (the ledger,
 * deduplicated by bid). Identifiers come from fixed maps; every value (times, campaigns, topics) is
 * validated and rendered by the literal formatter. Plain SQL that 18.16 and current releases run.
 */
export function deliveryQuery(t: ModelTables, spendTable: string, s: DeliveryScope): Sql {
  const parts = [
    rollupPart(t, s, s.by === 'deal'),
    ...(s.by === 'deal' ? dealParts(t, s) : []),
    spendPart(t, spendTable, s),
  ];
  return rawSql(`SELECT key, cid, sum(b) AS bids, sum(w) AS wins, sum(l) AS losses, sum(i) AS impressions,
  sum(c) AS clicks, sum(s) AS spend_cpm, sum(n) AS billed
FROM (${parts.join('\nUNION ALL\n')})
GROUP BY key, cid ORDER BY key, cid`);
}
