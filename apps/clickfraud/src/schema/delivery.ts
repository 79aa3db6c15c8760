import { sqlIdent } from '@streambid/adapters';
import type { ModelTables } from './names.js';

/**
 * Delivery models of a model version: raw bids, wins and losses beside the raw impressions and
 * clicks (`migrations.ts`), and their hourly rollups. Spend is the spend ledger (`ledger.ts`):
 * it is deduplicated by bid id at query time, so no view sums it (a view would count every copy of
 * a bid). Runs on ClickHouse 18.16 and current releases (no TTL, DateTime64, query parameters,
 * Nullable in keys, SimpleAggregateFunction).
 */

// The Kafka position of each row lives in the row: a replay resumes from max(src_offset) + 1.
const SOURCE = `
  src_topic String,
  src_partition UInt32,
  src_offset UInt64`;

const NOTICE = `
  ts DateTime,
  ts_ms UInt64,
  region String,
  event_id String,
  bid_id String,
  request_id String,
  imp_id String,
  campaign_id String,
  creative_id String`;

/** Where a row was bought: publisher, site domain or app bundle (`is_app`), country. */
const PLACE = `
  publisher String,
  inventory String,
  is_app UInt8,
  country String`;

/** Measures of `delivery_hourly`, in order; each view sets all of them. */
const MEASURES = [
  'bids',
  'bid_cpm_micros',
  'wins',
  'win_cpm_micros',
  'losses',
  'impressions',
  'clicks',
] as const;
type Measure = (typeof MEASURES)[number];

/** Dimensions of `delivery_hourly` (its sorting key after `hour`). */
const DIMENSIONS =
  'campaign_id, region, creative_id, publisher, inventory, is_app, deal_id, country';

/** Name of the materialized view that feeds `target` from the raw table `source`. */
function view(target: string, source: string): string {
  const [db, table] = target.split('.');
  return `${sqlIdent(db ?? '')}.${sqlIdent(`${table ?? ''}_from_${source}`)}`;
}

/**
 * One view per source into `delivery_hourly`. A source sets the dimensions it has and '' / 0 for
 * the others: only bids carry the deal, losses carry no placement. Reports attribute wins,
 * impressions, clicks and spend to a deal through the bid (`report/delivery-query.ts`).
 */
function deliveryViews(t: ModelTables): string[] {
  const measures = (set: Partial<Record<Measure, string>>): string =>
    MEASURES.map((m) => `${set[m] ?? 'toUInt64(0)'} AS ${m}`).join(', ');
  const place = 'publisher, inventory, is_app';
  const sources: { name: 'bids' | 'wins' | 'losses' | 'impressions' | 'clicks'; select: string }[] =
    [
      {
        name: 'bids',
        select: `${place}, deal_id, country, ${measures({ bids: 'count()', bid_cpm_micros: 'sum(cpm_micros)' })}
          FROM ${t.bids} WHERE test = 0`,
      },
      {
        name: 'wins',
        select: `${place}, '' AS deal_id, country, ${measures({ wins: 'count()', win_cpm_micros: 'sum(clearing_cpm_micros)' })}
          FROM ${t.wins} WHERE test = 0`,
      },
      {
        name: 'losses',
        select: `'' AS publisher, '' AS inventory, toUInt8(0) AS is_app, '' AS deal_id, '' AS country,
          ${measures({ losses: 'count()' })} FROM ${t.losses} WHERE test = 0`,
      },
      {
        name: 'impressions',
        select: `${place}, '' AS deal_id, country, ${measures({ impressions: 'count()' })} FROM ${t.impressions}`,
      },
      {
        name: 'clicks',
        select: `${place}, '' AS deal_id, country, ${measures({ clicks: 'count()' })} FROM ${t.clicks}`,
      },
    ];
  return sources.map(
    (s) =>
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view(t.deliveryHourly, s.name)} TO ${t.deliveryHourly} AS
       SELECT toStartOfHour(ts) AS hour, campaign_id, region, creative_id, ${s.select}
       GROUP BY hour, ${DIMENSIONS}`,
  );
}

/** Migrations 6 and 7 of every model version (`MIGRATIONS` in migrations.ts). */
// Typed structurally (not as `Migration`): migrations.ts imports this file, not the other way round.
export const DELIVERY_MIGRATIONS: readonly {
  id: number;
  name: string;
  statements: (t: ModelTables) => string[];
}[] = [
  {
    id: 6,
    name: 'raw bids, wins and losses (delivery)',
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.bids} (${NOTICE},
         deal_id String,
         cpm_micros UInt64,${PLACE},
         device_type UInt8,
         test UInt8,${SOURCE}
       ) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (ts, bid_id)`,
      `CREATE TABLE IF NOT EXISTS ${t.wins} (${NOTICE},
         exchange String,
         clearing_cpm_micros UInt64,
         currency String,${PLACE},
         test UInt8,${SOURCE}
       ) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (ts, bid_id)`,
      // reason -1: the exchange did not fill the loss-reason macro.
      `CREATE TABLE IF NOT EXISTS ${t.losses} (${NOTICE},
         exchange String,
         reason Int64,
         clearing_cpm_micros UInt64,
         test UInt8,${SOURCE}
       ) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (ts, bid_id)`,
    ],
  },
  {
    id: 7,
    name: 'delivery rollups: campaign, creative, publisher, site/app, deal, country, region, hour',
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.deliveryHourly} (hour DateTime, campaign_id String,
         region String, creative_id String, publisher String, inventory String, is_app UInt8,
         deal_id String, country String,
         ${MEASURES.map((m) => `${m} UInt64`).join(', ')}
       ) ENGINE = SummingMergeTree((${MEASURES.join(', ')})) PARTITION BY toYYYYMM(hour)
         ORDER BY (hour, ${DIMENSIONS})`,
      `CREATE TABLE IF NOT EXISTS ${t.lossReasonsHourly} (hour DateTime, campaign_id String,
         region String, creative_id String, reason Int64, losses UInt64
       ) ENGINE = SummingMergeTree(losses) PARTITION BY toYYYYMM(hour)
         ORDER BY (hour, campaign_id, region, creative_id, reason)`,
      ...deliveryViews(t),
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${view(t.lossReasonsHourly, 'losses')} TO ${t.lossReasonsHourly} AS
       SELECT toStartOfHour(ts) AS hour, campaign_id, region, creative_id, reason,
              toUInt64(count()) AS losses
       FROM ${t.losses} WHERE test = 0 GROUP BY hour, campaign_id, region, creative_id, reason`,
    ],
  },
];
