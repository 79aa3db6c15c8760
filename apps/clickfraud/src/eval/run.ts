import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  chExec,
  chQuery,
  createPublisher,
  ensureTopics,
  rawSql,
  sqlIdent,
  type ClickHouseClient,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import {
  catalogue,
  type BlocklistEntry,
  type Catalogue,
  type TopicDef,
  type TopicValue,
} from '@streambid/contracts';
import {
  DataCentreIndex,
  prebidReason,
  UserAgentClassifier,
  type RequestIvtLookups,
} from '@streambid/reference-data';
import {
  generateTraffic,
  type LabelNoise,
  type Traffic,
  type TrafficLabel,
  type TrafficOptions,
} from '@streambid/traffic';
import { loadClickfraudConfig } from '../config.js';
import { modelTables } from '../schema/names.js';
import { entityScores } from '../scoring/blocklist-job.js';
import { blocklistEntries } from '../domain/blocklist.js';
import { runReplay } from '../service.js';
import { breakdown, type Breakdown, type ClickOutcome } from './breakdown.js';
import { judge, type Judged } from './goals.js';
import { evaluate, type EvalResult } from './metrics.js';

/**
 * Sends values in chunks small enough for the broker's 1 MiB batch limit. With `inFlight` 1 the
 * chunks land in order, so message timestamps rise within each partition like a real tracker's
 * (time-window replays rely on that); more in flight is faster but may interleave chunks.
 */
export async function produceAll<T extends TopicDef>(
  publisher: Publisher,
  topic: T,
  values: readonly TopicValue<T>[],
  opts: { chunk?: number; inFlight?: number } = {},
): Promise<void> {
  const chunk = opts.chunk ?? 4000;
  const inFlight: Promise<unknown>[] = [];
  for (let i = 0; i < values.length; i += chunk) {
    inFlight.push(publisher.publish(topic, values.slice(i, i + chunk)));
    if (inFlight.length >= (opts.inFlight ?? 1)) await inFlight.shift();
  }
  await Promise.all(inFlight);
}

/** Produces generated impressions, then clicks, to the catalogue's topics (in event-time order). */
export async function produceTraffic(
  publisher: Publisher,
  topics: Catalogue,
  traffic: Traffic,
): Promise<void> {
  await produceAll(
    publisher,
    topics.impressions,
    traffic.impressions.map((x) => x.event),
  );
  await produceAll(
    publisher,
    topics.clicks,
    traffic.clicks.map((x) => x.event),
  );
}

/**
 * What each generated click met: the pre-bid checks on its request (the bidder's reference-data
 * primitives) and the post-click score. Pre-bid is judged on every click, as if the filter were
 * off while the scorer saw the whole stream (a refused request would have had no click to score).
 */
export function clickOutcomes(
  traffic: Pick<Traffic, 'clicks'>,
  scored: ReadonlyMap<string, { invalid: boolean; reasons: readonly string[] }>,
  lookups: RequestIvtLookups = {
    datacentre: new DataCentreIndex(),
    userAgents: new UserAgentClassifier(),
  },
): ClickOutcome[] {
  return traffic.clicks.map(({ label, noisyLabel, event: e }) => {
    const s = scored.get(e.eventId);
    const web = e.siteDomain !== undefined && e.appBundle === undefined;
    return {
      truth: label,
      noisy: noisyLabel,
      postclick: s?.invalid,
      reasons: s?.reasons ?? [],
      prebid: prebidReason({ ip: e.ip, ua: e.ua, web }, lookups),
    };
  });
}

/** What an evaluation run reports. The {@link EvalResult} fields are against the true labels. */
export interface EvalReport extends EvalResult {
  /** Every figure against the noisy labels, with the goals judged (the headline). */
  judged: Judged;
  /** The same figures against the true labels. */
  truth: Breakdown;
  labelNoise: LabelNoise;
  impressions: number;
  blocklisted: { total: number; sites: string[] };
  farmSite: string;
  ms: { produce: number; replayAndScore: number };
}

/**
 * The whole pipeline on a labelled mix: generator → real Kafka topics (own namespace) → replay →
 * ClickHouse → scoring → precision/recall against the labels. Cleans its topics and database.
 */
export async function runEvaluation(opts: {
  kafka: Kafka;
  ch: ClickHouseClient;
  clickhouseUrl: string;
  logger: Logger;
  traffic: Omit<TrafficOptions, 'startTs'>;
  keep?: boolean;
}): Promise<EvalReport> {
  const suffix = randomBytes(4).toString('hex');
  const ns = `eval-${suffix}-`;
  const db = sqlIdent(`cf_eval_${suffix}`);
  const cat = catalogue(ns);
  const topics = [cat.clicks, cat.impressions, cat.fraudBlocklist, cat.deadLetter];
  await ensureTopics(opts.kafka, topics);
  const publisher = await createPublisher(opts.kafka);
  try {
    // Yesterday 10:00 UTC: a closed window inside one day, the way a historical replay sees it.
    const day = 86_400_000;
    const startTs = Math.floor(Date.now() / day) * day - day + 10 * 3_600_000;
    const traffic = generateTraffic({ ...opts.traffic, startTs });
    const t0 = Date.now();
    await produceTraffic(publisher, cat, traffic);
    const t1 = Date.now();
    const config = loadClickfraudConfig({
      CLICKHOUSE_URL: opts.clickhouseUrl,
      CLICKFRAUD_DB: db,
      TOPIC_NAMESPACE: ns,
    });
    const deps = { config, kafka: opts.kafka, ch: opts.ch, logger: opts.logger };
    const window = {
      fromMs: startTs,
      toMs: startTs + (opts.traffic.durationMs ?? 3_600_000) + 600_000,
    };
    await runReplay(
      deps,
      {
        fromMs: window.fromMs,
        toMs: window.toMs,
        regions: null,
        into: 'v1',
        maxRate: null,
        publish: true,
      },
      { blocklist: publisher },
    );
    const t2 = Date.now();
    const t = modelTables(db, 'v1');
    const scored = await chQuery<{ id: string; bad: number; reasons: string[] }>(
      opts.ch,
      rawSql(`SELECT event_id AS id, invalid AS bad, reasons FROM ${t.clickScores}`),
    );
    const labels = new Map<string, TrafficLabel>(
      traffic.clicks.map((c) => [c.event.eventId, c.label]),
    );
    const predicted = new Map(scored.map((r) => [r.id, Number(r.bad) === 1]));
    const entries: BlocklistEntry[] = blocklistEntries(
      await entityScores(opts.ch, t, window),
      Date.now(),
    );
    const outcomes = clickOutcomes(
      traffic,
      new Map(scored.map((r) => [r.id, { invalid: Number(r.bad) === 1, reasons: r.reasons }])),
    );
    return {
      ...evaluate(labels, predicted),
      judged: judge(breakdown(outcomes, 'noisy')),
      truth: breakdown(outcomes, 'truth'),
      labelNoise: traffic.labelNoise,
      impressions: traffic.impressions.length,
      blocklisted: {
        total: entries.length,
        sites: entries.filter((e) => e.kind === 'site').map((e) => e.value),
      },
      farmSite: traffic.farmSite,
      ms: { produce: t1 - t0, replayAndScore: t2 - t1 },
    };
  } finally {
    await publisher.close();
    if (opts.keep !== true) {
      await chExec(opts.ch, rawSql(`DROP DATABASE IF EXISTS ${db}`));
      const admin = opts.kafka.admin();
      await admin.connect();
      await admin.deleteTopics({ topics: topics.map((x) => x.name) }).catch(() => undefined);
      await admin.disconnect();
    }
  }
}
