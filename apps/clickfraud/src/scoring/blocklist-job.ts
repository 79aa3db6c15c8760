import {
  chQuery,
  rawSql,
  sql,
  type ClickHouseClient,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import type { BlockKind, BlocklistEntry, TOPICS } from '@streambid/contracts';
import { blocklistValueKey } from '@streambid/reference-data';
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

/** Where the blocklist goes. */
export interface BlocklistSink {
  publisher: Publisher;
  topic: (typeof TOPICS)['fraudBlocklist'];
}

/** What a publish did: the entries sent, and how many were left out as invalid. */
export interface BlocklistPublishResult {
  published: BlocklistEntry[];
  skipped: number;
}

/** Entries per produce request: ~400 bytes each, far below the broker's 1 MiB. */
const PUBLISH_CHUNK = 1000;

/**
 * Publishes entries that pass the topic schema, each value under its normalised key (the one the
 * bidder checks requests under); one that does not pass is left out, counted and logged rather
 * than failing the whole batch (the publisher refuses a batch holding one invalid value).
 */
export async function publishEntries(
  entries: readonly BlocklistEntry[],
  sink: BlocklistSink,
  logger: Logger,
  alreadySkipped = 0,
): Promise<BlocklistPublishResult> {
  const published: BlocklistEntry[] = [];
  let skipped = alreadySkipped;
  for (const raw of entries) {
    const value = blocklistValueKey(raw.kind, raw.value);
    const e = value === raw.value ? raw : { ...raw, value };
    const res = sink.topic.schema.safeParse(e);
    if (res.success) published.push(e);
    else {
      skipped++;
      logger.warn(
        {
          module: 'blocklist',
          kind: e.kind,
          value: e.value.slice(0, 64),
          valueLength: e.value.length,
          reason: res.error.issues[0]?.message,
          path: res.error.issues[0]?.path.join('.'),
        },
        'blocklist entry left out: invalid',
      );
    }
  }
  for (let i = 0; i < published.length; i += PUBLISH_CHUNK)
    await sink.publisher.publish(sink.topic, published.slice(i, i + PUBLISH_CHUNK));
  if (skipped > 0)
    logger.warn(
      { module: 'blocklist', skipped, published: published.length },
      'blocklist published without the entries left out',
    );
  return { published, skipped };
}

/** Scores entities over the window and publishes those over the line to the compacted blocklist. */
export async function publishBlocklist(
  ch: ClickHouseClient,
  t: ModelTables,
  window: { fromMs: number; toMs: number },
  sink: BlocklistSink,
  opts: { now?: number; policy?: BlockPolicy; logger: Logger },
): Promise<BlocklistPublishResult> {
  let skipped = 0;
  const entries = blocklistEntries(
    await entityScores(ch, t, window),
    opts.now ?? Date.now(),
    opts.policy ?? DEFAULT_BLOCK_POLICY,
    (s, reason) => {
      skipped++;
      opts.logger.warn(
        { module: 'blocklist', kind: s.kind, value: s.value.slice(0, 64), reason },
        'blocklist entity left out',
      );
    },
  );
  return publishEntries(entries, sink, opts.logger, skipped);
}
