import type { Kafka } from 'kafkajs';
import {
  createKafka,
  createPublisher,
  type ClickHouseClient,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import { catalogue, DEFAULT_PORTS, remoteTopicName, type Region } from '@streambid/contracts';
import { REPLAY_KINDS, type ReplayArgs, type ScoreArgs } from './cli/args.js';
import type { ClickfraudConfig } from './config.js';
import { DEFAULT_BLOCK_POLICY, type BlockPolicy } from './domain/blocklist.js';
import {
  replay,
  type ReplayOptions,
  type ReplayProgress,
  type ReplayTopics,
} from './replay/replayer.js';
import { privacyLineage } from './report/lineage.js';
import type { DeliveryReport } from './report/delivery.js';
import type { DeliveryParams } from './report/delivery-params.js';
import { deliveryReport, reportTables } from './report/delivery-service.js';
import { runReport, type ClickHouseSettings } from './report/query.js';
import type { ReportParams } from './report/params.js';
import { migrateLedger } from './schema/ledger.js';
import { migrate } from './schema/migrations.js';
import { currentVersion, INITIAL_VERSION, markVersion, switchCurrent } from './schema/models.js';
import { modelTables, type ModelTables } from './schema/names.js';
import { publishBlocklist } from './scoring/blocklist-job.js';
import { followReference, type ReferenceSource } from './scoring/reference.js';
import { clickSpan, scoreWindow } from './scoring/scorer.js';

/** Adapters a command works with (built by main.ts, closed there). */
export interface ServiceDeps {
  config: ClickfraudConfig;
  kafka: Kafka;
  ch: ClickHouseClient;
  logger: Logger;
}

/**
 * Physical topics for the analytics region's view of `regions`: the local topic for this region,
 * `<region>.<topic>` (MirrorMaker 2 copies) for the others. Missing copies are skipped with a warning.
 */
export async function resolveTopics(
  deps: ServiceDeps,
  regions: readonly Region[] | null,
): Promise<ReplayTopics> {
  const cat = catalogue(deps.config.TOPIC_NAMESPACE);
  const wanted = regions ?? [deps.config.REGION];
  const admin = deps.kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const pick = (topic: string): string[] =>
      wanted
        .map((r) => (r === deps.config.REGION ? topic : remoteTopicName(r, topic)))
        .filter((name) => {
          if (existing.has(name)) return true;
          deps.logger.warn({ module: 'replay', topic: name }, 'topic does not exist; skipped');
          return false;
        });
    return {
      clicks: pick(cat.clicks.name),
      impressions: pick(cat.impressions.name),
      spend: pick(cat.spend.name),
      wins: pick(cat.wins.name),
      losses: pick(cat.losses.name),
      // Bids are never replicated: only this region's are here ({@link remoteBids} for the others).
      bids: wanted.includes(deps.config.REGION) ? pick(cat.bids.name).slice(0, 1) : [],
    };
  } finally {
    await admin.disconnect();
  }
}

/** Bids of another region, read from that region's own cluster and stored as `<region>.bids`. */
export interface RemoteBids {
  region: Region;
  kafka: Kafka;
  topic: string;
  srcTopic: string;
}

/**
 * Where the bids of `regions` other than this one are: each region's own cluster
 * (`CLICKFRAUD_BROKERS`, else the local port), its local bids topic. A region whose cluster does
 * not hold the topic is skipped with a warning, as a missing copy is.
 */
export async function remoteBids(
  deps: ServiceDeps,
  regions: readonly Region[] | null,
  brokers: ReadonlyMap<Region, string> = deps.config.CLICKFRAUD_BROKERS ?? new Map(),
): Promise<RemoteBids[]> {
  const topic = catalogue(deps.config.TOPIC_NAMESPACE).bids.name;
  const out: RemoteBids[] = [];
  for (const region of regions ?? []) {
    if (region === deps.config.REGION) continue;
    const kafka = createKafka({
      clientId: `clickfraud-bids-${region}`,
      brokers: [brokers.get(region) ?? `127.0.0.1:${String(DEFAULT_PORTS.kafka[region])}`],
      logger: deps.logger,
    });
    const admin = kafka.admin();
    let exists = false;
    try {
      await admin.connect();
      exists = (await admin.listTopics()).includes(topic);
    } catch (err) {
      deps.logger.warn({ module: 'replay', region, err }, 'cluster unreachable; its bids skipped');
    } finally {
      await admin.disconnect();
    }
    if (exists) out.push({ region, kafka, topic, srcTopic: remoteTopicName(region, topic) });
    else deps.logger.warn({ module: 'replay', region, topic }, 'bids topic missing; skipped');
  }
  return out;
}

/** The model version a command targets: explicit, else the current one, else the initial one. */
export async function targetVersion(
  deps: ServiceDeps,
  explicit: string | null,
): Promise<ModelTables> {
  const version =
    explicit ??
    (await currentVersion(deps.ch, deps.config.CLICKFRAUD_DB).catch(() => null)) ??
    INITIAL_VERSION;
  return migrate(deps.ch, deps.config.CLICKFRAUD_DB, version);
}

/** Options shared by the long-running commands. */
export interface RunOptions {
  signal?: AbortSignal;
  onProgress?: (p: ReplayProgress) => void;
  blocklist?: Publisher;
  /** Updated by `follow` for `/healthz`. */
  health?: FollowHealth;
}

/** The state of a running `follow`, for `/healthz`. */
export interface FollowHealth {
  /** True while the replay of live traffic runs (false before it started and after it ended). */
  following: boolean;
  /** Scoring rounds (score + blocklist publish) failed in a row. */
  scoringFailures: number;
}

/** Rounds failed in a row after which the blocklist counts as stale and `follow` as unhealthy. */
export const MAX_SCORING_FAILURES = 3;

/** A follow is healthy while it consumes and its blocklist is not going stale. */
export function followHealthy(h: FollowHealth): boolean {
  return h.following && h.scoringFailures < MAX_SCORING_FAILURES;
}

/** What a replay or follow loads: its topics (per `--topics`) and the tables they go to. */
interface ReplayTargets {
  /** The model version: migrated when clicks or impressions are loaded, else names only. */
  tables: ModelTables;
  /** The model version is loaded (clicks or impressions): score it and make it current. */
  model: boolean;
  spendTable?: string;
  topics: ReplayTopics;
  /** Other regions' bids, each replayed from its own cluster. */
  remote: RemoteBids[];
}

async function replayTargets(deps: ServiceDeps, args: ReplayArgs): Promise<ReplayTargets> {
  const kinds = new Set(args.topics ?? REPLAY_KINDS);
  const model = kinds.has('clicks') || kinds.has('impressions');
  const delivery = kinds.has('bids') || kinds.has('wins') || kinds.has('losses');
  const db = deps.config.CLICKFRAUD_DB;
  const tables =
    model || delivery
      ? await targetVersion(deps, args.into)
      : modelTables(db, args.into ?? INITIAL_VERSION);
  const ledger = kinds.has('spend') ? await migrateLedger(deps.ch, db) : null;
  const all = await resolveTopics(deps, args.regions);
  const topics: ReplayTopics = {
    clicks: kinds.has('clicks') ? all.clicks : [],
    impressions: kinds.has('impressions') ? all.impressions : [],
    spend: ledger ? (all.spend ?? []) : [],
    bids: kinds.has('bids') ? (all.bids ?? []) : [],
    wins: kinds.has('wins') ? (all.wins ?? []) : [],
    losses: kinds.has('losses') ? (all.losses ?? []) : [],
  };
  if (kinds.has('clicks') && topics.clicks.length === 0)
    throw new Error('no clicks topic to replay');
  const remote = kinds.has('bids') ? await remoteBids(deps, args.regions) : [];
  return { tables, model, ...(ledger ? { spendTable: ledger.spend } : {}), topics, remote };
}

/**
 * The reference data (bot rules, data-centre ranges) in force at each time, read from its
 * topics, when clicks are replayed: their features depend on it. Null otherwise.
 */
async function referenceFor(
  deps: ServiceDeps,
  targets: ReplayTargets,
): Promise<ReferenceSource | null> {
  if (targets.topics.clicks.length === 0) return null;
  const source = await followReference({
    kafka: deps.kafka,
    topics: catalogue(deps.config.TOPIC_NAMESPACE),
    logger: deps.logger,
  });
  deps.logger.info({ module: 'replay', versions: source.versions() }, 'reference data read');
  return source;
}

/** What a replay and a follow pass the replayer alike: where to, how fast, whom to tell. */
function replayOptions(
  deps: ServiceDeps,
  targets: ReplayTargets,
  opts: RunOptions,
  reference?: ReferenceSource | null,
): Omit<ReplayOptions, 'fromMs' | 'toMs'> {
  return {
    ...(reference ? { reference: reference.reference } : {}),
    kafka: deps.kafka,
    ch: deps.ch,
    tables: targets.tables,
    ...(targets.spendTable === undefined ? {} : { spendTable: targets.spendTable }),
    topics: targets.topics,
    batchRows: deps.config.CLICKFRAUD_BATCH_ROWS,
    lanes: deps.config.CLICKFRAUD_REPLAY_LANES,
    lingerMs: deps.config.CLICKFRAUD_LINGER_MS,
    ...(opts.signal === undefined ? {} : { signal: opts.signal }),
    ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
    logger: deps.logger,
  };
}

/** Options of the replay of one other region's bids, from its own cluster. */
function remoteOptions(
  deps: ServiceDeps,
  targets: ReplayTargets,
  opts: RunOptions,
  r: RemoteBids,
): Omit<ReplayOptions, 'fromMs' | 'toMs'> {
  const { onProgress: _ignored, ...base } = replayOptions(deps, targets, opts);
  return {
    ...base,
    kafka: r.kafka,
    topics: { clicks: [], impressions: [], bids: [r.topic] },
    srcTopicOf: new Map([[r.topic, r.srcTopic]]),
  };
}

/**
 * `replay`: streams the window into the target version (and spend into the spend ledger), scores
 * the replayed days and (for a finished, un-aborted replay) makes the version current. Re-running
 * resumes where ClickHouse is. With `--topics spend` only the ledger is loaded.
 */
export async function runReplay(
  deps: ServiceDeps,
  args: ReplayArgs,
  opts: RunOptions = {},
): Promise<ReplayProgress> {
  const targets = await replayTargets(deps, args);
  const { tables: t, model } = targets;
  const db = deps.config.CLICKFRAUD_DB;
  const window = { fromMs: args.fromMs ?? 0, toMs: args.toMs ?? Date.now() };
  if (model) await markVersion(deps.ch, db, t.version, 'building', window);
  const bounds = {
    fromMs: args.fromMs,
    toMs: args.toMs,
    ...(args.maxRate === null ? {} : { maxRate: args.maxRate }),
  };
  const reference = await referenceFor(deps, targets);
  let progress: ReplayProgress;
  try {
    progress = await replay({ ...replayOptions(deps, targets, opts, reference), ...bounds });
  } finally {
    await reference?.stop();
  }
  for (const r of targets.remote) {
    if (opts.signal?.aborted === true) break;
    const p = await replay({ ...remoteOptions(deps, targets, opts, r), ...bounds });
    progress.read += p.read;
    progress.written += p.written;
    progress.invalid += p.invalid;
  }
  if (opts.signal?.aborted === true || !model) return progress;
  const span = await clickSpan(deps.ch, t);
  if (span) {
    const scoreWin = {
      fromMs: Math.max(window.fromMs, span.fromMs),
      toMs: Math.min(window.toMs, span.toMs),
    };
    await scoreWindow(deps.ch, t, scoreWin, { logger: deps.logger });
    if (args.publish && opts.blocklist)
      await publishBlocklist(
        deps.ch,
        t,
        scoreWin,
        {
          publisher: opts.blocklist,
          topic: catalogue(deps.config.TOPIC_NAMESPACE).fraudBlocklist,
        },
        { policy: blockPolicy(deps.config), logger: deps.logger },
      );
  }
  // Why each stored record was allowed, summed: the rule the bidder applied (docs/privacy.md).
  deps.logger.info(
    { module: 'replay', version: t.version, ...(await privacyLineage(deps.ch, t, window)) },
    'stored records by privacy basis',
  );
  await markVersion(deps.ch, db, t.version, 'complete', window);
  await switchCurrent(deps.ch, db, t.version);
  deps.logger.info({ module: 'replay', version: t.version }, 'model version is current');
  return progress;
}

function blockPolicy(config: ClickfraudConfig): BlockPolicy {
  return { ...DEFAULT_BLOCK_POLICY, ttlMs: config.CLICKFRAUD_BLOCK_TTL_MS };
}

/** `score`: (re)scores the window's days and publishes the blocklist unless told not to. */
export async function runScore(
  deps: ServiceDeps,
  args: ScoreArgs,
  blocklist: Publisher | null,
): Promise<number> {
  const t = await targetVersion(deps, args.version);
  const res = await scoreWindow(
    deps.ch,
    t,
    { fromMs: args.fromMs, toMs: args.toMs },
    { logger: deps.logger },
  );
  if (!blocklist) return 0;
  const { published, skipped } = await publishBlocklist(
    deps.ch,
    t,
    { fromMs: args.fromMs, toMs: args.toMs },
    { publisher: blocklist, topic: catalogue(deps.config.TOPIC_NAMESPACE).fraudBlocklist },
    { policy: blockPolicy(deps.config), logger: deps.logger },
  );
  deps.logger.info({ module: 'score', ...res, blocked: published.length, skipped }, 'scored');
  return published.length;
}

/**
 * `follow`: consumes live clicks and impressions into the current version and, every interval,
 * rescores today and republishes the blocklist. Stops cleanly on `signal`.
 */
export async function runFollow(
  deps: ServiceDeps,
  args: ReplayArgs,
  opts: RunOptions,
): Promise<void> {
  const targets = await replayTargets(deps, args);
  const { tables: t, model } = targets;
  const blocklist = opts.blocklist ?? (await createPublisher(deps.kafka));
  const cat = catalogue(deps.config.TOPIC_NAMESPACE);
  const health = opts.health ?? { following: false, scoringFailures: 0 };
  let scoring = Promise.resolve();
  const timer = setInterval(() => {
    // Following spend alone builds no model: nothing to score.
    if (!model) return;
    scoring = scoring
      .then(async () => {
        const now = Date.now();
        const win = { fromMs: now - 3_600_000, toMs: now };
        await scoreWindow(deps.ch, t, win, { logger: deps.logger });
        await publishBlocklist(
          deps.ch,
          t,
          win,
          { publisher: blocklist, topic: cat.fraudBlocklist },
          { policy: blockPolicy(deps.config), logger: deps.logger },
        );
        health.scoringFailures = 0;
      })
      .catch((err: unknown) => {
        health.scoringFailures++;
        deps.logger.error(
          { module: 'follow', err, failuresInARow: health.scoringFailures },
          'scoring failed',
        );
      });
  }, deps.config.CLICKFRAUD_SCORE_INTERVAL_MS);
  // Keeps following the reference topics: a version published meanwhile applies from its time on.
  let reference: ReferenceSource | null = null;
  try {
    reference = await referenceFor(deps, targets);
    health.following = true;
    // Without --from: resume where ClickHouse is, or start at the live end.
    const live = { fromMs: args.fromMs, toMs: null, follow: true };
    await Promise.all([
      replay({ ...replayOptions(deps, targets, opts, reference), ...live }),
      ...targets.remote.map((r) => replay({ ...remoteOptions(deps, targets, opts, r), ...live })),
    ]);
  } finally {
    health.following = false;
    clearInterval(timer);
    await reference?.stop();
    await scoring;
    if (!opts.blocklist) await blocklist.close();
  }
}

/** A report over the current model version (or `params.version`). */
export async function report(
  deps: Pick<ServiceDeps, 'ch' | 'config'>,
  params: ReportParams,
  settings: ClickHouseSettings = {},
): Promise<Awaited<ReturnType<typeof runReport>>> {
  const db = deps.config.CLICKFRAUD_DB;
  return runReport(deps.ch, await reportTables(deps.ch, db, params.version), params, settings);
}

/** ClickHouse settings of the HTTP reports: read-only, and at most this long per query. */
export function httpReportSettings(config: ClickfraudConfig): ClickHouseSettings {
  return { readonly: 1, max_execution_time: config.CLICKFRAUD_REPORT_MAX_EXECUTION_S };
}

/** A delivery report over a window of the current model version (or `params.version`). */
export function delivery(
  deps: ServiceDeps,
  params: DeliveryParams,
  settings: ClickHouseSettings = {},
): Promise<DeliveryReport> {
  return deliveryReport(
    {
      ch: deps.ch,
      db: deps.config.CLICKFRAUD_DB,
      kafka: deps.kafka,
      analytics: deps.config.REGION,
      namespace: deps.config.TOPIC_NAMESPACE,
      logger: deps.logger,
      settings,
    },
    params,
    null,
  );
}
