import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload, Kafka } from 'kafkajs';
import { decode, type ClickHouseClient, type Logger, type Publisher } from '@streambid/adapters';
import { TOPICS, type TopicDef } from '@streambid/contracts';
import {
  CLICK_COLUMNS,
  FeatureExtractor,
  IMPRESSION_COLUMNS,
  type ClickRow,
  type ImpressionRow,
} from '../domain/features.js';
import { decodeClick } from './click-decode.js';
import type { ModelTables } from '../schema/names.js';
import { planTopic, storedOffsets, type PartitionPlan } from './plan.js';
import { TableSink } from './sink.js';

/** Physical topics to replay, grouped by the stream they carry. */
export interface ReplayTopics {
  clicks: string[];
  impressions: string[];
}

/** Counters the progress display and metrics read. */
export interface ReplayProgress {
  /** Messages read (in or out of the window). */
  read: number;
  /** Messages to read in total; null when following. */
  total: number | null;
  /** Rows stored in ClickHouse. */
  written: number;
  invalid: number;
  startedAt: number;
}

/** Options of {@link replay}. */
export interface ReplayOptions {
  kafka: Kafka;
  ch: ClickHouseClient;
  tables: ModelTables;
  topics: ReplayTopics;
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
  /** Upper bound on messages per second (protects a busy ClickHouse). @default unlimited */
  maxRate?: number;
  /** Invalid messages go here with the reason. */
  deadLetter?: { publisher: Publisher; topic: TopicDef };
  /** Called about twice a second. */
  onProgress?: (p: ReplayProgress) => void;
  /** Stops a follow (or an unfinished replay) cleanly: buffered rows are inserted first. */
  signal?: AbortSignal;
  logger: Logger;
}

type Kind = 'clicks' | 'impressions';

/**
 * Replays clicks and impressions from Kafka into a model version's raw tables (the materialized
 * views build the rollups). Partitions start at the offset for the window start, or right after
 * the highest offset the table already holds: rows and their offsets are stored in the same insert,
 * so a crash anywhere resumes exactly once, with no duplicates and no gaps.
 */
export async function replay(opts: ReplayOptions): Promise<ReplayProgress> {
  const log = opts.logger.child({ module: 'replay' });
  const follow = opts.follow ?? false;
  const sinkOpts = {
    ...(opts.batchRows === undefined ? {} : { batchRows: opts.batchRows }),
    ...(opts.lingerMs === undefined ? {} : { lingerMs: opts.lingerMs }),
  };
  const sinks = {
    clicks: new TableSink<ClickRow>(opts.ch, opts.tables.clicks, CLICK_COLUMNS, sinkOpts),
    impressions: new TableSink<ImpressionRow>(
      opts.ch,
      opts.tables.impressions,
      IMPRESSION_COLUMNS,
      sinkOpts,
    ),
  };
  const kindOf = new Map<string, Kind>();
  for (const k of ['clicks', 'impressions'] as const)
    for (const t of opts.topics[k]) kindOf.set(t, k);

  const admin = opts.kafka.admin();
  await admin.connect();
  const plans: PartitionPlan[] = [];
  const groupId = `clickfraud-replay-${opts.tables.version}-${randomUUID()}`;
  try {
    for (const k of ['clicks', 'impressions'] as const) {
      const stored = await storedOffsets(opts.ch, sinks[k].table);
      for (const topic of opts.topics[k])
        plans.push(
          ...(await planTopic(admin, topic, {
            fromMs: opts.fromMs,
            toMs: opts.toMs,
            follow,
            stored,
          })),
        );
    }
    // A fresh group whose committed offsets are exactly our plan: no race with a seek after run().
    for (const topic of new Set(plans.map((p) => p.topic)))
      await admin.setOffsets({
        groupId,
        topic,
        partitions: plans
          .filter((p) => p.topic === topic)
          .map((p) => ({ partition: p.partition, offset: p.start.toString() })),
      });
  } finally {
    await admin.disconnect();
  }

  const key = (t: string, p: number): string => `${t}:${String(p)}`;
  const planOf = new Map(plans.map((p) => [key(p.topic, p.partition), p]));
  const open = new Set(
    plans.filter((p) => p.end === null || p.start < p.end).map((p) => key(p.topic, p.partition)),
  );
  const progress: ReplayProgress = {
    read: 0,
    total: follow ? null : plans.reduce((n, p) => n + Number((p.end ?? p.start) - p.start), 0),
    written: 0,
    invalid: 0,
    startedAt: Date.now(),
  };
  log.info({ partitions: plans.length, total: progress.total, groupId }, 'replay planned');
  if (open.size === 0 && !follow) return progress;

  const features = new FeatureExtractor();
  const fromMs = opts.fromMs ?? Number.NEGATIVE_INFINITY;
  const toMs = opts.toMs ?? Number.POSITIVE_INFINITY;
  const consumer = opts.kafka.consumer({
    groupId,
    maxBytes: 64 * 1024 * 1024,
    maxBytesPerPartition: 8 * 1024 * 1024,
    maxWaitTimeInMs: 200,
    sessionTimeout: 30_000,
    allowAutoTopicCreation: false,
  });
  let finish: () => void = () => undefined;
  let fail: (e: unknown) => void = () => undefined;
  const finished = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const onAbort = (): void => finish();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted === true) finish();

  const throttle = async (): Promise<void> => {
    if (opts.maxRate === undefined) return;
    const due = (progress.read / opts.maxRate) * 1000 - (Date.now() - progress.startedAt);
    if (due > 0) await sleep(due);
  };

  // Offsets for times are approximate; the event time decides membership of the window.
  const inWindow = (ts: number): boolean => ts >= fromMs && ts < toMs;

  const onBatch = async ({
    batch,
    resolveOffset,
    heartbeat,
    pause,
  }: EachBatchPayload): Promise<void> => {
    const k = key(batch.topic, batch.partition);
    const plan = planOf.get(k);
    const kind = kindOf.get(batch.topic);
    if (!plan || !kind || !open.has(k)) return;
    const clickRows: ClickRow[] = [];
    const impRows: ImpressionRow[] = [];
    const bad: { offset: string; value: string; reason: string }[] = [];
    let last: string | undefined;
    for (const m of batch.messages) {
      const off = BigInt(m.offset);
      if (off < plan.start) continue;
      if (plan.end !== null && off >= plan.end) break;
      last = m.offset;
      progress.read++;
      if (m.value === null) continue;
      const src = { topic: batch.topic, partition: batch.partition, offset: m.offset };
      if (kind === 'clicks') {
        const d = decodeClick(m.value);
        if (!d.ok)
          bad.push({ offset: m.offset, value: m.value.toString('utf8'), reason: d.reason });
        else if (inWindow(d.value.ts)) clickRows.push(features.click(d.value, src));
      } else {
        const d = decode(TOPICS.impressions, m.value);
        if (!d.ok)
          bad.push({ offset: m.offset, value: m.value.toString('utf8'), reason: d.reason });
        else if (inWindow(d.value.ts)) impRows.push(features.impression(d.value, src));
      }
    }
    if (bad.length > 0) await deadLetter(batch.topic, batch.partition, bad);
    if (clickRows.length > 0) await sinks.clicks.add(clickRows);
    if (impRows.length > 0) await sinks.impressions.add(impRows);
    if (last !== undefined) resolveOffset(last);
    const next = last === undefined ? null : BigInt(last) + 1n;
    if (plan.end !== null && next !== null && next >= plan.end) {
      open.delete(k);
      pause();
      if (open.size === 0) finish();
    }
    await throttle();
    await heartbeat();
  };

  const deadLetter = async (
    topic: string,
    partition: number,
    bad: { offset: string; value: string; reason: string }[],
  ): Promise<void> => {
    progress.invalid += bad.length;
    log.warn({ topic, partition, count: bad.length, reason: bad[0]?.reason }, 'invalid messages');
    if (!opts.deadLetter) return;
    const now = Date.now();
    await opts.deadLetter.publisher.publish(
      opts.deadLetter.topic,
      bad.map((b) => ({
        // Deterministic id: a resumed replay re-reporting the same message is recognisable.
        eventId: `${topic}:${String(partition)}:${b.offset}`,
        ts: now,
        service: 'clickfraud',
        sourceTopic: topic,
        partition,
        offset: b.offset,
        key: null,
        value: b.value.slice(0, 65_536),
        reason: b.reason,
      })),
    );
  };

  const ticker = setInterval(() => {
    progress.written = sinks.clicks.written + sinks.impressions.written;
    opts.onProgress?.(progress);
    Promise.all([sinks.clicks.tick(), sinks.impressions.tick()]).catch(fail);
    if (sinks.clicks.error !== undefined) fail(sinks.clicks.error);
    if (sinks.impressions.error !== undefined) fail(sinks.impressions.error);
  }, 500);
  try {
    await consumer.connect();
    await consumer.subscribe({
      topics: [...new Set(plans.map((p) => p.topic))],
      fromBeginning: true,
    });
    consumer.on(consumer.events.CRASH, (e) => fail(e.payload.error));
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async (payload) => {
        try {
          await onBatch(payload);
        } catch (err) {
          fail(err);
          throw err;
        }
      },
    });
    await finished;
    await consumer.stop();
    await sinks.clicks.drain();
    await sinks.impressions.drain();
  } finally {
    clearInterval(ticker);
    opts.signal?.removeEventListener('abort', onAbort);
    await consumer.disconnect().catch(() => undefined);
    await deleteGroup(opts.kafka, groupId);
  }
  progress.written = sinks.clicks.written + sinks.impressions.written;
  opts.onProgress?.(progress);
  log.info(
    { read: progress.read, written: progress.written, invalid: progress.invalid },
    'replay done',
  );
  return progress;
}

/** The throwaway group holds no state we need (offsets live in ClickHouse). */
async function deleteGroup(kafka: Kafka, groupId: string): Promise<void> {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.deleteGroups([groupId]);
  } catch {
    // A group that never joined does not exist; nothing to clean.
  } finally {
    await admin.disconnect();
  }
}
