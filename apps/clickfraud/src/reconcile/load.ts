import type { Kafka } from 'kafkajs';
import type { ClickHouseClient, Logger } from '@streambid/adapters';
import { remoteTopicName, TOPICS, type Region } from '@streambid/contracts';
import { replay } from '../replay/replayer.js';
import type { ModelTables } from '../schema/names.js';
import type { Window } from './facts.js';

/** What a load of a namespace needs: where ClickHouse is, the clusters, how to say what it does. */
export interface LoadDeps {
  ch: ClickHouseClient;
  logger: Logger;
  say: (line: string) => void;
  /** The analytics region: its cluster holds the MirrorMaker copies of the other regions. */
  analytics: Region;
  /** Every region's own cluster (bids are never replicated: each is read where it was written). */
  kafkas: ReadonlyMap<Region, Kafka>;
  batchRows: number;
  lanes: number;
  lingerMs: number;
}

/** The topics of `names` that exist in a cluster; the others are said and skipped. */
async function existing(deps: LoadDeps, kafka: Kafka, names: readonly string[], where: Region) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const all = new Set(await admin.listTopics());
    for (const t of names)
      if (!all.has(t)) deps.say(`note: ${t} does not exist in ${where}; nothing to load from it`);
    return names.filter((t) => all.has(t));
  } finally {
    await admin.disconnect();
  }
}

/** The analytics cluster's name for a region's topic: its own, or MirrorMaker's copy. */
function copyName(analytics: Region, region: Region, local: string): string {
  return region === analytics ? local : remoteTopicName(region, local);
}

/**
 * Replays the spend topics present in the analytics cluster into the spend table, up to their
 * current ends. Resumable and idempotent (positions beside the rows, dedupe by bid id), so loading
 * what is already loaded reads nothing.
 */
export async function loadSpend(
  deps: LoadDeps,
  tables: ModelTables,
  spendTable: string,
  topics: readonly string[],
  window: Window,
): Promise<number> {
  const kafka = deps.kafkas.get(deps.analytics) as Kafka;
  const found = await existing(deps, kafka, topics, deps.analytics);
  if (found.length === 0) return 0;
  const p = await replay({
    ...replayBase(deps, tables, window),
    kafka,
    spendTable,
    topics: { clicks: [], impressions: [], spend: found },
  });
  return p.written;
}

/**
 * Replays a namespace's delivery streams into a model version, up to their current ends: wins,
 * losses, impressions and clicks of every region from the analytics cluster (its own and the
 * MirrorMaker copies), and each region's bids from its own cluster (stored as `<region>.bids`
 * outside the analytics region, the name a copy would have). Resumable and idempotent like the
 * spend load. Returns the rows written.
 */
export async function loadDelivery(
  deps: LoadDeps,
  tables: ModelTables,
  namespace: string,
  regions: readonly Region[],
  window: Window,
): Promise<number> {
  const kafka = deps.kafkas.get(deps.analytics) as Kafka;
  const names = (logical: string): string[] =>
    regions.map((r) => copyName(deps.analytics, r, `${namespace}${logical}`));
  const [wins, losses, impressions, clicks] = await Promise.all(
    [TOPICS.wins, TOPICS.losses, TOPICS.impressions, TOPICS.clicks].map((t) =>
      existing(deps, kafka, names(t.name), deps.analytics),
    ),
  );
  let written = 0;
  if ([wins, losses, impressions, clicks].some((l) => (l ?? []).length > 0))
    written += (
      await replay({
        ...replayBase(deps, tables, window),
        kafka,
        topics: {
          clicks: clicks ?? [],
          impressions: impressions ?? [],
          wins: wins ?? [],
          losses: losses ?? [],
        },
      })
    ).written;
  const bids = `${namespace}${TOPICS.bids.name}`;
  for (const r of regions) {
    const own = deps.kafkas.get(r);
    if (own === undefined || (await existing(deps, own, [bids], r)).length === 0) continue;
    const stored = copyName(deps.analytics, r, bids);
    written += (
      await replay({
        ...replayBase(deps, tables, window),
        kafka: own,
        topics: { clicks: [], impressions: [], bids: [bids] },
        srcTopicOf: new Map([[bids, stored]]),
      })
    ).written;
  }
  return written;
}

function replayBase(deps: LoadDeps, tables: ModelTables, window: Window) {
  return {
    ch: deps.ch,
    tables,
    fromMs: window.fromMs,
    toMs: null,
    batchRows: deps.batchRows,
    lanes: deps.lanes,
    lingerMs: deps.lingerMs,
    logger: deps.logger,
  };
}
