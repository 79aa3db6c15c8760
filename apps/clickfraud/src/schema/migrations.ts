import { chExec, chQuery, rawSql, sql, sqlIdent, type ClickHouseClient } from '@streambid/adapters';
import { DELIVERY_MIGRATIONS } from './delivery.js';
import { metaTables, modelTables, type ModelTables } from './names.js';

/**
 * Versioned, idempotent schema migrations. Every statement is `IF NOT EXISTS` and each applied
 * migration is recorded per model version, so running them again (or from two processes) changes
 * nothing. The SQL avoids what ClickHouse 18.16 lacks (TTL, DateTime64, window functions,
 * SimpleAggregateFunction, query parameters) and runs unchanged on current releases.
 */
export interface Migration<T = ModelTables> {
  id: number;
  name: string;
  /** `has(table, column)` tells what the database holds, for statements without IF EXISTS. */
  statements: (t: T, has: (table: string, column: string) => boolean) => string[];
}

const RAW_COMMON = `
  ts DateTime,
  ts_ms UInt64,
  region String,
  event_id String,
  bid_id String,
  campaign_id String,
  creative_id String,
  user_id String,
  ip String,
  subnet String,
  ua String,
  inventory String,
  is_app UInt8,
  publisher String,
  placement String,
  country String,
  device_type UInt8`;
// The Kafka position of each row lives in the row: a replay resumes from max(src_offset) + 1.
const SOURCE = `
  src_topic String,
  src_partition UInt32,
  src_offset UInt64`;

/** Name of the materialized view that feeds `target` from `source` ("clicks"/"impressions"). */
function mv(target: string, source: 'clicks' | 'impressions'): string {
  const [db, table] = target.split('.');
  return `${sqlIdent(db ?? '')}.${sqlIdent(`${table ?? ''}_from_${source}`)}`;
}

/** One MV per source table; a click counts 1 in `clicks`, an impression 1 in `impressions`. */
function rollupViews(t: ModelTables): string[] {
  const out: string[] = [];
  for (const src of ['clicks', 'impressions'] as const) {
    const from = src === 'clicks' ? t.clicks : t.impressions;
    const c = src === 'clicks' ? 1 : 0;
    const i = 1 - c;
    const counts = `sumState(toUInt64(${String(c)})) AS clicks, sumState(toUInt64(${String(i)})) AS impressions`;
    out.push(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv(t.ipHourly, src)} TO ${t.ipHourly} AS
       SELECT toStartOfHour(ts) AS hour, ip, ${counts}, uniqExactState(user_id) AS cookies
       FROM ${from} GROUP BY hour, ip`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv(t.subnetHourly, src)} TO ${t.subnetHourly} AS
       SELECT toStartOfHour(ts) AS hour, subnet, ${counts}, uniqExactState(ip) AS ips,
              uniqExactState(user_id) AS cookies
       FROM ${from} GROUP BY hour, subnet`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv(t.cookieDaily, src)} TO ${t.cookieDaily} AS
       SELECT toDate(ts) AS day, user_id, ${counts}, uniqExactState(ip) AS ips,
              uniqExactState(inventory) AS sites
       FROM ${from} GROUP BY day, user_id`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv(t.placementHourly, src)} TO ${t.placementHourly} AS
       SELECT toStartOfHour(ts) AS hour, region, publisher, inventory, is_app, placement,
              toUInt64(count() * ${String(c)}) AS clicks, toUInt64(count() * ${String(i)}) AS impressions
       FROM ${from} GROUP BY hour, region, publisher, inventory, is_app, placement`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv(t.campaignHourly, src)} TO ${t.campaignHourly} AS
       SELECT toStartOfHour(ts) AS hour, region, campaign_id,
              toUInt64(count() * ${String(c)}) AS clicks, toUInt64(count() * ${String(i)}) AS impressions
       FROM ${from} GROUP BY hour, region, campaign_id`,
    );
  }
  return out;
}

/**
 * The subnet and cookie rollups without the states nothing reads (cookies per subnet; addresses
 * and sites per cookie). Those unique-set states were built for every group of every insert and
 * cost more than the raw insert itself; scoring and reports read only what is left.
 */
function leanViews(t: ModelTables, has: (table: string, column: string) => boolean): string[] {
  const out: string[] = [];
  for (const src of ['clicks', 'impressions'] as const)
    out.push(
      `DROP TABLE IF EXISTS ${mv(t.subnetHourly, src)}`,
      `DROP TABLE IF EXISTS ${mv(t.cookieDaily, src)}`,
    );
  if (has(t.subnetHourly, 'cookies')) out.push(`ALTER TABLE ${t.subnetHourly} DROP COLUMN cookies`);
  for (const c of ['ips', 'sites'])
    if (has(t.cookieDaily, c)) out.push(`ALTER TABLE ${t.cookieDaily} DROP COLUMN ${c}`);
  for (const src of ['clicks', 'impressions'] as const) {
    const from = src === 'clicks' ? t.clicks : t.impressions;
    const counts = viewCounts(src);
    out.push(
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv(t.subnetHourly, src)} TO ${t.subnetHourly} AS
       SELECT toStartOfHour(ts) AS hour, subnet, ${counts}, uniqExactState(ip) AS ips
       FROM ${from} GROUP BY hour, subnet`,
      `CREATE MATERIALIZED VIEW IF NOT EXISTS ${mv(t.cookieDaily, src)} TO ${t.cookieDaily} AS
       SELECT toDate(ts) AS day, user_id, ${counts}
       FROM ${from} GROUP BY day, user_id`,
    );
  }
  return out;
}

/** A click counts 1 in `clicks`, an impression 1 in `impressions`. */
function viewCounts(src: 'clicks' | 'impressions'): string {
  const c = src === 'clicks' ? 1 : 0;
  return `sumState(toUInt64(${String(c)})) AS clicks, sumState(toUInt64(${String(1 - c)})) AS impressions`;
}

const AGG_COUNTS = `clicks AggregateFunction(sum, UInt64), impressions AggregateFunction(sum, UInt64)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    id: 1,
    name: 'raw clicks and impressions',
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.clicks} (${RAW_COMMON},
         impression_ts_ms UInt64,
         ctit_ms Int64,
         dc_provider String,
         bot_ua UInt8,${SOURCE}
       ) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (ts, event_id)`,
      `CREATE TABLE IF NOT EXISTS ${t.impressions} (${RAW_COMMON},${SOURCE}
       ) ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (ts, bid_id)`,
    ],
  },
  {
    id: 2,
    name: 'rollups: ip/hour, subnet/hour, cookie/day, placement/hour, campaign/hour',
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.ipHourly} (hour DateTime, ip String, ${AGG_COUNTS},
         cookies AggregateFunction(uniqExact, String)
       ) ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(hour) ORDER BY (hour, ip)`,
      `CREATE TABLE IF NOT EXISTS ${t.subnetHourly} (hour DateTime, subnet String, ${AGG_COUNTS},
         ips AggregateFunction(uniqExact, String), cookies AggregateFunction(uniqExact, String)
       ) ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(hour) ORDER BY (hour, subnet)`,
      `CREATE TABLE IF NOT EXISTS ${t.cookieDaily} (day Date, user_id String, ${AGG_COUNTS},
         ips AggregateFunction(uniqExact, String), sites AggregateFunction(uniqExact, String)
       ) ENGINE = AggregatingMergeTree PARTITION BY toYYYYMM(day) ORDER BY (day, user_id)`,
      `CREATE TABLE IF NOT EXISTS ${t.placementHourly} (hour DateTime, region String,
         publisher String, inventory String, is_app UInt8, placement String,
         clicks UInt64, impressions UInt64
       ) ENGINE = SummingMergeTree((clicks, impressions)) PARTITION BY toYYYYMM(hour)
         ORDER BY (hour, region, publisher, inventory, is_app, placement)`,
      `CREATE TABLE IF NOT EXISTS ${t.campaignHourly} (hour DateTime, region String,
         campaign_id String, clicks UInt64, impressions UInt64
       ) ENGINE = SummingMergeTree((clicks, impressions)) PARTITION BY toYYYYMM(hour)
         ORDER BY (hour, region, campaign_id)`,
      ...rollupViews(t),
    ],
  },
  {
    id: 3,
    name: 'click scores',
    statements: (t) => [
      // Partitioned by day: a rescore replaces whole days atomically (REPLACE PARTITION).
      `CREATE TABLE IF NOT EXISTS ${t.clickScores} (
         ts DateTime, region String, event_id String, campaign_id String, inventory String,
         is_app UInt8, publisher String, placement String, ip String, subnet String,
         user_id String, score Float32, reasons Array(String), invalid UInt8
       ) ENGINE = MergeTree PARTITION BY toYYYYMMDD(ts) ORDER BY ts`,
      `CREATE TABLE IF NOT EXISTS ${t.scoreStage} AS ${t.clickScores}`,
    ],
  },
  {
    id: 4,
    name: 'lean subnet and cookie rollups (drop unread unique-set states)',
    statements: leanViews,
  },
  {
    id: 5,
    name: 'privacy basis of every click and impression (docs/privacy.md)',
    // ADD COLUMN IF NOT EXISTS came after 18.16: `has` asks the database instead.
    statements: (t, has) =>
      [t.clicks, t.impressions].flatMap((table) => [
        ...(has(table, 'privacy_basis')
          ? []
          : [`ALTER TABLE ${table} ADD COLUMN privacy_basis String AFTER device_type`]),
        ...(has(table, 'privacy_p')
          ? []
          : [`ALTER TABLE ${table} ADD COLUMN privacy_p UInt16 AFTER privacy_basis`]),
      ]),
  },
  ...DELIVERY_MIGRATIONS,
];

/** Creates the database and the service tables migrations and model versions are recorded in. */
export async function ensureMetaTables(ch: ClickHouseClient, db: string): Promise<void> {
  const meta = metaTables(db);
  await chExec(ch, rawSql(`CREATE DATABASE IF NOT EXISTS ${sqlIdent(db)}`));
  await chExec(
    ch,
    rawSql(`CREATE TABLE IF NOT EXISTS ${meta.migrations} (model String, id UInt32, name String,
      applied_ms UInt64) ENGINE = ReplacingMergeTree(applied_ms) ORDER BY (model, id)`),
  );
  await chExec(
    ch,
    rawSql(`CREATE TABLE IF NOT EXISTS ${meta.versions} (version String, state String,
      from_ms Int64, to_ms Int64, updated_ms UInt64)
      ENGINE = ReplacingMergeTree(updated_ms) ORDER BY version`),
  );
  await chExec(
    ch,
    rawSql(`CREATE TABLE IF NOT EXISTS ${meta.current} (name String, version String,
      switched_ms UInt64) ENGINE = ReplacingMergeTree(switched_ms) ORDER BY name`),
  );
}

/**
 * Applies the migrations of `model` (a model version, or `ledger`) not yet recorded for it in
 * `schema_migrations`, in order, recording each. The meta tables must exist.
 */
export async function applyMigrations<T>(
  ch: ClickHouseClient,
  db: string,
  model: string,
  migrations: readonly Migration<T>[],
  tables: T,
): Promise<void> {
  const meta = metaTables(db);
  const applied = new Set(
    (
      await chQuery<{ id: number }>(
        ch,
        sql`SELECT DISTINCT id FROM ${rawSql(meta.migrations)} WHERE model = ${model}`,
      )
    ).map((r) => Number(r.id)),
  );
  for (const m of migrations) {
    if (applied.has(m.id)) continue;
    const columns = new Set(
      (
        await chQuery<{ t: string; c: string }>(
          ch,
          sql`SELECT table AS t, name AS c FROM system.columns WHERE database = ${db}`,
        )
      ).map((r) => `${r.t}.${r.c}`),
    );
    const has = (table: string, column: string): boolean =>
      columns.has(`${table.split('.')[1] ?? ''}.${column}`); // names are plain sqlIdent
    for (const s of m.statements(tables, has)) await chExec(ch, rawSql(s));
    await chExec(
      ch,
      sql`INSERT INTO ${rawSql(meta.migrations)} (model, id, name, applied_ms) VALUES (${model}, ${m.id}, ${m.name}, ${Date.now()})`,
    );
  }
}

/** Creates the database and service tables, then applies missing migrations of `version`. */
export async function migrate(
  ch: ClickHouseClient,
  db: string,
  version: string,
): Promise<ModelTables> {
  await ensureMetaTables(ch, db);
  const t = modelTables(db, version);
  await applyMigrations(ch, db, t.version, MIGRATIONS, t);
  return t;
}
