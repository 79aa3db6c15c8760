import { chQuery, rawSql, sql, type ClickHouseClient } from '@streambid/adapters';
import type { ModelTables } from '../schema/names.js';

/** Stored records of a window by the privacy rule they were kept under ('' = before the field). */
export interface PrivacyLineage {
  clicks: Record<string, number>;
  impressions: Record<string, number>;
}

/**
 * Why every record of the window was allowed: the count of clicks and impressions per privacy
 * basis (the rule the bidder applied, docs/privacy.md). Row by row, `privacy_basis` and
 * `privacy_p` say it for each record; this is the replay's summary of them.
 */
export async function privacyLineage(
  ch: ClickHouseClient,
  t: ModelTables,
  window: { fromMs: number; toMs: number },
): Promise<PrivacyLineage> {
  const out: PrivacyLineage = { clicks: {}, impressions: {} };
  for (const kind of ['clicks', 'impressions'] as const) {
    const rows = await chQuery<{ basis: string; n: string }>(
      ch,
      sql`SELECT privacy_basis AS basis, count() AS n FROM ${rawSql(t[kind])}
          WHERE ts_ms >= ${window.fromMs} AND ts_ms < ${window.toMs} GROUP BY basis ORDER BY basis`,
    );
    for (const r of rows) out[kind][r.basis] = Number(r.n);
  }
  return out;
}
