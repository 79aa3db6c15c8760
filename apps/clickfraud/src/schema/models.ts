import { chExec, chQuery, rawSql, sql, type ClickHouseClient } from '@streambid/adapters';
import { metaTables } from './names.js';

/** Default version when nothing was ever switched. */
export const INITIAL_VERSION = 'v1';

/** The model version reports read, or null before any replay completed. */
export async function currentVersion(ch: ClickHouseClient, db: string): Promise<string | null> {
  const meta = metaTables(db);
  const rows = await chQuery<{ v: string; n: string }>(
    ch,
    sql`SELECT argMax(version, switched_ms) AS v, count() AS n FROM ${rawSql(meta.current)} WHERE name = 'current'`,
  );
  const r = rows[0];
  return r && Number(r.n) > 0 ? r.v : null;
}

/** Points reports at `version` (one row; the newest switch wins). */
export async function switchCurrent(
  ch: ClickHouseClient,
  db: string,
  version: string,
): Promise<void> {
  const meta = metaTables(db);
  await chExec(
    ch,
    sql`INSERT INTO ${rawSql(meta.current)} (name, version, switched_ms) VALUES ('current', ${version}, ${Date.now()})`,
  );
}

export type VersionState = 'building' | 'complete';

export async function markVersion(
  ch: ClickHouseClient,
  db: string,
  version: string,
  state: VersionState,
  window: { fromMs: number; toMs: number },
): Promise<void> {
  const meta = metaTables(db);
  await chExec(
    ch,
    sql`INSERT INTO ${rawSql(meta.versions)} (version, state, from_ms, to_ms, updated_ms) VALUES (${version}, ${state}, ${window.fromMs}, ${window.toMs}, ${Date.now()})`,
  );
}
