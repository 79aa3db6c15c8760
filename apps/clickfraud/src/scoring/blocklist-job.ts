import { chQuery, rawSql, sql, type ClickHouseClient, type Publisher } from '@streambid/adapters';
import type { BlockKind, BlocklistEntry, TopicDef } from '@streambid/contracts';
import {
  blocklistEntries,
  DEFAULT_BLOCK_POLICY,
  type BlockPolicy,
  type EntityScore,
} from '../domain/blocklist.js';
import type { ModelTables } from '../schema/names.js';

/** Column (and row filter) holding each entity kind in the scores table. */
const ENTITY: Record<BlockKind, { column: string; where: string }> = {
  ip: { column: 'ip', where: '1' },
  subnet: { column: 'subnet', where: '1' },
  cookie: { column: 'user_id', where: '1' },
  site: { column: 'inventory', where: 'is_app = 0' },
  app: { column: 'inventory', where: 'is_app = 1' },
  publisher: { column: 'publisher', where: '1' },
};

/** Rolled-up scores of every entity with at least one invalid click in the window. */
export async function entityScores(
  ch: ClickHouseClient,
  t: ModelTables,
  window: { fromMs: number; toMs: number },
): Promise<EntityScore[]> {
  const out: EntityScore[] = [];
  for (const [kind, e] of Object.entries(ENTITY) as [BlockKind, (typeof ENTITY)[BlockKind]][]) {
    const rows = await chQuery<{ value: string; clicks: string; bad: string; reasons: string[] }>(
      ch,
      sql`SELECT ${rawSql(e.column)} AS value, count() AS clicks, sum(invalid) AS bad,
                 groupUniqArrayArray(reasons) AS reasons
          FROM ${rawSql(t.clickScores)}
          WHERE ts >= ${new Date(window.fromMs)} AND ts < ${new Date(window.toMs)} AND ${rawSql(e.where)}
          GROUP BY value HAVING bad > 0`,
    );
    for (const r of rows)
      out.push({
        kind,
        value: r.value,
        clicks: Number(r.clicks),
        invalidClicks: Number(r.bad),
        reasons: r.reasons,
      });
  }
  return out;
}

/** Scores entities over the window and publishes those over the line to the compacted blocklist. */
export async function publishBlocklist(
  ch: ClickHouseClient,
  t: ModelTables,
  window: { fromMs: number; toMs: number },
  sink: { publisher: Publisher; topic: TopicDef },
  opts: { now?: number; policy?: BlockPolicy } = {},
): Promise<BlocklistEntry[]> {
  const entries = blocklistEntries(
    await entityScores(ch, t, window),
    opts.now ?? Date.now(),
    opts.policy ?? DEFAULT_BLOCK_POLICY,
  );
  for (let i = 0; i < entries.length; i += 1000)
    await sink.publisher.publish(sink.topic, entries.slice(i, i + 1000));
  return entries;
}
