import { chQuery, rawSql, sql, type ClickHouseClient, type Sql } from '@streambid/adapters';
import type { ChTotals, ClickHouseSide, Window } from './facts.js';

/**
 * The spend ledger as ClickHouse holds it: distinct bids of the window, from rows read off the
 * given physical topics (`src_topic`: the namespace's local spend topic and its MirrorMaker copies
 * in the analytics region). Copies of a bid count once whether merged away yet or not: every
 * figure groups by `bid_id` first, and a bid's earliest row stands for it. Money is
 * `intDiv(sum(cpm_micros), 1000)`, exact. Plain SQL that 18.16 and current releases both run.
 */
export async function readClickHouse(
  ch: ClickHouseClient,
  table: string,
  topics: readonly string[],
  window: Window,
  loaded: number | null,
): Promise<ClickHouseSide> {
  const bids = perBid(table, topics, window);
  const [total] = await chQuery<TotalsRow>(ch, totalsQuery(bids, false));
  const regions = await chQuery<TotalsRow & { first_region: string }>(ch, totalsQuery(bids, true));
  const [stored] = await chQuery<{ n: string }>(
    ch,
    sql`SELECT count() AS n FROM ${rawSql(table)} WHERE ${where(topics, window)}`,
  );
  const side: ClickHouseSide = {
    table,
    topics: [...topics],
    total: totals(total),
    byRegion: new Map(regions.map((r) => [r.first_region, totals(r)])),
    bids: new Map(),
    rows: Number(stored?.n ?? 0),
    loaded,
  };
  const rs = await ch.query({ query: bids.text, format: 'JSONEachRow' });
  for await (const rows of rs.stream<{ bid_id: string; cpm: string; first_region: string }>())
    for (const row of rows) {
      const r = row.json();
      side.bids.set(r.bid_id, { cpm: Number(r.cpm), region: r.first_region });
    }
  return side;
}

interface TotalsRow {
  bids: string;
  cpm_sum: string;
  micros: string;
  whole_sum: string;
}

function totals(r: TotalsRow | undefined): ChTotals {
  return {
    bids: Number(r?.bids ?? 0),
    cpm: BigInt(r?.cpm_sum ?? 0),
    micros: Number(r?.micros ?? 0),
    wholeMicros: Number(r?.whole_sum ?? 0),
  };
}

/** Rows of the namespace's spend topics whose event time lies in the window. */
function where(topics: readonly string[], window: Window): Sql {
  // An empty array literal has no element type in 18.16; no topic means no row.
  const parts = [topics.length === 0 ? rawSql('0') : sql`has(${topics}, src_topic)`];
  if (window.fromMs !== null) parts.push(sql`ts_ms >= ${window.fromMs}`);
  if (window.toMs !== null) parts.push(sql`ts_ms < ${window.toMs}`);
  return rawSql(parts.map((p) => p.text).join(' AND '));
}

/**
 * One row per distinct bid: the CPM, whole micros and region of its earliest row. No alias repeats
 * a column name (`argMin(region, …) AS region` reads differently across ClickHouse releases).
 */
export function perBid(table: string, topics: readonly string[], window: Window): Sql {
  return sql`SELECT bid_id, argMin(cpm_micros, ts_ms) AS cpm, argMin(amount_micros, ts_ms) AS whole, argMin(region, ts_ms) AS first_region FROM ${rawSql(table)} WHERE ${where(topics, window)} GROUP BY bid_id`;
}

function totalsQuery(bids: Sql, byRegion: boolean): Sql {
  // Aliases are global in ClickHouse: `sum(cpm) AS cpm` would turn the next `sum(cpm)` into a nested sum.
  const cols =
    'count() AS bids, sum(cpm) AS cpm_sum, intDiv(sum(cpm), 1000) AS micros, sum(whole) AS whole_sum';
  return byRegion
    ? rawSql(
        `SELECT first_region, ${cols} FROM (${bids.text}) GROUP BY first_region ORDER BY first_region`,
      )
    : rawSql(`SELECT ${cols} FROM (${bids.text})`);
}
