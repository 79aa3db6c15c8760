import type { Kafka } from 'kafkajs';
import type { ClickHouseClient, Logger, Publisher } from '@streambid/adapters';
import type { TopicDef } from '@streambid/contracts';
import type { ReferenceAtTime } from '@streambid/reference-data';
import { FeatureExtractor } from '../domain/features.js';
import { Lane, type LaneContext, type ReplayKind } from './lane.js';
import type { ReplayProgress } from './plan.js';

export type { ReplayProgress } from './plan.js';
import type { ModelTables } from '../schema/names.js';
import { planTopic, storedOffsets, type PartitionPlan } from './plan.js';

const KINDS: readonly ReplayKind[] = ['clicks', 'impressions', 'spend', 'bids', 'wins', 'losses'];

/** Physical topics to replay, grouped by the stream they carry. */
export interface ReplayTopics {
  clicks: string[];
  impressions: string[];
  /** Spend topics (local and MirrorMaker copies), loaded into `spendTable`. @default [] */
  spend?: string[];
  /** Bids, wins and losses (delivery), loaded into the model version's tables. @default [] */
  bids?: string[];
  wins?: string[];
  losses?: string[];
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  kafka: Kafka;
  ch: ClickHouseClient;
  tables: ModelTables;
  /** The spend ledger table; required when `topics.spend` is not empty. */
  spendTable?: string;
  topics: ReplayTopics;
  /**
   * The `src_topic` stored for a physical topic, when it differs: a topic read from another
   * region's own cluster (bids, never replicated) is stored under its would-be copy's name
   * (`us.bids`). @default the physical name
   */
  srcTopicOf?: ReadonlyMap<string, string>;
  /** Event-time window start (ms), or null for the earliest retained message. */
  fromMs: number | null;
  /** Event-time window end (ms, exclusive), or null for "now" / open in follow mode. */
  toMs: number | null;
  /** Keep consuming live traffic instead of stopping at the end offsets. @default false */
  follow?: boolean;
  /** Rows per ClickHouse insert. @default 100000 */
  batchRows?: number;
  /** @default 1000 */
  lingerMs?: number;
  /**
   * Partition fetchers (each with its own partitions and ClickHouse sinks) running side by side,
   * so one decodes while another waits on an insert. @default 2
   */
  lanes?: number;
  /** Upper bound on messages per second (protects a busy ClickHouse). @default unlimited */
  maxRate?: number;
  /** Invalid messages go here with the reason. */
  deadLetter?: { publisher: Publisher; topic: TopicDef };
  /**
   * The bot rules and data-centre ranges in force at each event's time (`scoring/reference.ts`).
   * @default the built-in lists at every time
   */
  reference?: ReferenceAtTime;
  /** Called about twice a second. */
  onProgress?: (p: ReplayProgress) => void;
  /** Stops a follow (or an unfinished replay) cleanly: buffered rows are inserted first. */
  signal?: AbortSignal;
  logger: Logger;
}

/**
 * Replays clicks and impressions from Kafka into a model version's raw tables (the materialized
 * views build the rollups), and spend into the spend ledger. Partitions start at the offset for the window start, or right after
 * the highest offset the table already holds: rows and their offsets are stored in the same insert,
 * so a crash anywhere resumes exactly once, with no duplicates and no gaps. The partitions are
 * shared out among `lanes` partition fetchers, each with its own sinks (see {@link Lane}).
 */
export async function replay(opts: ReplayOptions): Promise<ReplayProgress> {
  const log = opts.logger.child({ module: 'replay' });
  const follow = opts.follow ?? false;
  const kindOf = new Map<string, ReplayKind>();
  const spendTopics = opts.topics.spend ?? [];
  if (spendTopics.length > 0 && opts.spendTable === undefined)
    throw new Error('replay: spend topics need a spend table');
  const tableOf = (k: ReplayKind): string =>
    k === 'spend' ? (opts.spendTable ?? '') : opts.tables[k];
  const topicsOf = (k: ReplayKind): readonly string[] =>
    k === 'spend' ? spendTopics : (opts.topics[k] ?? []);
  for (const k of KINDS) for (const t of topicsOf(k)) kindOf.set(t, k);
  // Delivery kinds only: the stored topic name is a lane detail the click fast path never sees.
  for (const t of opts.srcTopicOf?.keys() ?? [])
    if (!['bids', 'wins', 'losses'].includes(kindOf.get(t) ?? ''))
      throw new Error(`replay: ${t}: a stored topic name is only for bids, wins and losses`);

  const admin = opts.kafka.admin();
  await admin.connect();
  const plans: PartitionPlan[] = [];
  let brokers: string[];
  try {
    // The lanes fetch from the partition leaders themselves, bootstrapped from the same cluster.
    brokers = (await admin.describeCluster()).brokers.map((b) => `${b.host}:${String(b.port)}`);
    for (const k of KINDS) {
      if (topicsOf(k).length === 0) continue;
      const stored = await storedOffsets(opts.ch, tableOf(k));
      for (const topic of topicsOf(k))
        plans.push(
          ...(await planTopic(admin, topic, {
            fromMs: opts.fromMs,
            toMs: opts.toMs,
            follow,
            stored: storedAs(stored, topic, opts.srcTopicOf?.get(topic)),
          })),
        );
    }
  } finally {
    await admin.disconnect();
  }

  const open = plans.filter((p) => p.end === null || p.start < p.end);
  const progress: ReplayProgress = {
    read: 0,
    total: follow ? null : plans.reduce((n, p) => n + Number((p.end ?? p.start) - p.start), 0),
    written: 0,
    invalid: 0,
    startedAt: Date.now(),
  };
  log.info({ partitions: plans.length, total: progress.total }, 'replay planned');
  if (open.length === 0 && !follow) return progress;

  let fail: (e: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  const ctx: LaneContext = {
    brokers,
    clientId: `clickfraud-replay-${opts.tables.version}`,
    ch: opts.ch,
    tables: opts.tables,
    ...(spendTopics.length > 0 && opts.spendTable !== undefined
      ? { spendTable: opts.spendTable }
      : {}),
    kindOf,
    ...(opts.srcTopicOf === undefined ? {} : { srcTopicOf: opts.srcTopicOf }),
    features: new FeatureExtractor(opts.reference),
    fromMs: opts.fromMs ?? Number.NEGATIVE_INFINITY,
    toMs: opts.toMs ?? Number.POSITIVE_INFINITY,
    sink: {
      ...(opts.batchRows === undefined ? {} : { batchRows: opts.batchRows }),
      ...(opts.lingerMs === undefined ? {} : { lingerMs: opts.lingerMs }),
    },
    ...(opts.maxRate === undefined ? {} : { maxRate: opts.maxRate }),
    ...(opts.deadLetter === undefined ? {} : { deadLetter: opts.deadLetter }),
    progress,
    log,
    fail: (err) => fail(err),
  };
  const lanes = shareOut(open, opts.lanes ?? 2).map((share) => new Lane(ctx, share));
  const aborted = new Promise<void>((resolve) => {
    if (opts.signal?.aborted === true) resolve();
    opts.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  const written = (): number => lanes.reduce((n, l) => n + l.written, 0);
  const ticker = setInterval(() => {
    progress.written = written();
    opts.onProgress?.(progress);
    for (const l of lanes) l.tick().catch(fail);
  }, 500);
  try {
    await Promise.race([Promise.all(lanes.map((l) => l.start())), failed]);
    await Promise.race([Promise.all(lanes.map((l) => l.done)), aborted, failed]);
    await Promise.all(lanes.map((l) => l.stop()));
  } finally {
    clearInterval(ticker);
    await Promise.all(lanes.map((l) => l.stop().catch(() => undefined)));
  }
  progress.written = written();
  opts.onProgress?.(progress);
  log.info(
    { read: progress.read, written: progress.written, invalid: progress.invalid },
    'replay done',
  );
  return progress;
}

/** The stored offsets of `label` (the name in `src_topic`) under the physical `topic`'s key. */
function storedAs(
  stored: Map<string, bigint>,
  topic: string,
  label: string | undefined,
): Map<string, bigint> {
  if (label === undefined || label === topic) return stored;
  const out = new Map<string, bigint>();
  for (const [k, v] of stored)
    if (k.startsWith(`${label}:`)) out.set(`${topic}:${k.slice(label.length + 1)}`, v);
  return out;
}

/**
 * Splits partitions into at most `n` shares of about equal expected size (largest first, each to
 * the lightest share). A following replay weighs every partition the same.
 */
export function shareOut(plans: readonly PartitionPlan[], n: number): PartitionPlan[][] {
  const size = (p: PartitionPlan): number => (p.end === null ? 1 : Number(p.end - p.start));
  const shares = Array.from({ length: Math.max(1, Math.min(n, plans.length)) }, () => ({
    plans: [] as PartitionPlan[],
    load: 0,
  }));
  for (const p of [...plans].sort((a, b) => size(b) - size(a))) {
    const lightest = shares.reduce((a, b) => (b.load < a.load ? b : a));
    lightest.plans.push(p);
    lightest.load += size(p);
  }
  return shares.map((s) => s.plans).filter((s) => s.length > 0);
}
