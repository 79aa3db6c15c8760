import { sqlIdent, type ClickHouseClient } from '@streambid/adapters';
import { applyMigrations, ensureMetaTables, type Migration } from './migrations.js';

/** Tables of the spend ledger: one per database, shared by every model version. */
export interface LedgerTables {
  spend: string;
}

export function ledgerTables(db: string): LedgerTables {
  return { spend: `${sqlIdent(db)}.spend` };
}

/**
 * Key of the ledger's migrations in `schema_migrations`. A model version cannot be named so (no
 * `-` in version names), so the two never share migration ids.
 */
export const LEDGER_MODEL = 'spend-ledger';

/**
 * The spend ledger. One row per spend record read (a bid billed in one region is read from the
 * region's own topic and from MirrorMaker copies in other clusters; a cross-region double bill is
 * two records of one bid), deduplicated by bid id:
 * - ReplacingMergeTree ordered by `bid_id` and not partitioned, so every copy of a bid can meet
 *   every other in a merge (a partition by time would keep copies with different times apart);
 * - merges are eventual, so every query that counts groups by `bid_id` (or uses `uniqExact`), and
 *   a copy not merged yet never counts twice;
 * - a bid's earliest record stands for it, merged or not: queries take `argMin(…, ts_ms)`, and the
 *   merge keeps the row of highest `earliest_first` (computed by ClickHouse, 2^63 − ts_ms), the
 *   same row. Without the version a merge keeps the last row inserted, and a bid billed twice at
 *   two prices would change price when its parts merged.
 * Like the click tables, each row carries its Kafka position (`src_*`): a replay resumes from
 * max(src_offset) + 1 per partition. A merge that drops a partition's highest row in favour of a
 * copy from another topic lowers that maximum; the next replay then reads a few records again,
 * and the dedupe absorbs them. Runs on ClickHouse 18.16 and current releases.
 */
export const LEDGER_MIGRATIONS: readonly Migration<LedgerTables>[] = [
  {
    id: 1,
    name: 'spend ledger, deduplicated by bid id',
    statements: (t) => [
      `CREATE TABLE IF NOT EXISTS ${t.spend} (
         bid_id String,
         event_id String,
         ts DateTime,
         ts_ms UInt64,
         region String,
         campaign_id String,
         creative_id String,
         request_id String,
         cpm_micros UInt64,
         amount_micros UInt64,
         currency String,
         notice String,
         exchange String,
         src_topic String,
         src_partition UInt32,
         src_offset UInt64,
         earliest_first UInt64 MATERIALIZED toUInt64(9223372036854775807) - ts_ms
       ) ENGINE = ReplacingMergeTree(earliest_first) ORDER BY bid_id`,
    ],
  },
];

/** Creates the database, the service tables and the spend ledger (idempotent). */
export async function migrateLedger(ch: ClickHouseClient, db: string): Promise<LedgerTables> {
  await ensureMetaTables(ch, db);
  const t = ledgerTables(db);
  await applyMigrations(ch, db, LEDGER_MODEL, LEDGER_MIGRATIONS, t);
  return t;
}
