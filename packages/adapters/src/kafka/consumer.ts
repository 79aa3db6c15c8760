import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import {
  logicalTopicName,
  topicWithRemotes,
  TOPICS,
  type TopicDef,
  type TopicValue,
} from '@streambid/contracts';
import type { Logger } from 'pino';
import { decode } from './codec.js';
import type { Publisher } from './publisher.js';
import type { ReplicationLagRecorder } from './replication-lag.js';

/** One message as a handler sees it: validated value, or null for a compacted-topic tombstone. */
export interface ConsumedRecord<T> {
  /** Physical topic (`spend`, `us.spend`). */
  topic: string;
  /** Region the message was replicated from, null for the local topic. */
  sourceRegion: string | null;
  partition: number;
  offset: string;
  key: string | null;
  value: T | null;
  /** Broker timestamp: the event time set by our producers. */
  timestamp: number;
}

/** A topic a consumer reads and the handler for its messages (a batch from one partition). */
export interface Subscription<T extends TopicDef = TopicDef> {
  topic: T;
  /** Also read replicated copies from other regions (`<region>.<topic>`). @default false */
  includeRemotes?: boolean;
  handle: (records: ConsumedRecord<TopicValue<T>>[]) => Promise<void> | void;
}

/** Captures a subscription's value type at the call site. */
export function subscribe<T extends TopicDef>(s: Subscription<T>): Subscription {
  return s as unknown as Subscription;
}

export interface StreamConsumerOptions {
  kafka: Kafka;
  /** Consumer group; omit for a private view that re-reads from the beginning on every start. */
  groupId?: string;
  /** Name used in dead-letter records and logs. */
  service: string;
  subscriptions: Subscription[];
  /** Where invalid messages go with their reason. */
  deadLetter: Publisher;
  /** Namespace prefix of the dead-letter topic name (tests). @default '' */
  deadLetterTopic?: string;
  /** Start from the earliest offset when the group has none. @default true */
  fromBeginning?: boolean;
  /**
   * Partition batches handled at once. Above 1, handlers for different partitions run concurrently
   * (batches of one partition stay in order), overlapping I/O with decoding. @default 1
   */
  partitionsConsumedConcurrently?: number;
  /**
   * The broker answers a fetch once this many bytes are ready or `maxWaitMs` passed. With the
   * default of 1 byte every trickle of messages costs a fetch round trip; a floor lets a busy
   * stack make ~10 fetches a second per consumer instead of hundreds, for at most `maxWaitMs` of
   * extra delivery delay. @default 65536
   */
  minBytes?: number;
  /** Longest a fetch waits for `minBytes`. @default 100 */
  maxWaitMs?: number;
  logger: Logger;
  /** Records arrival − event time of messages from remote copies (the app's `/metrics`). */
  replicationLag?: ReplicationLagRecorder;
}

const MAX_DLQ_VALUE = 64 * 1024;

/**
 * Reads topics (and their remote copies) through a consumer group, validating every message against
 * its topic schema. Invalid messages go to the dead-letter topic with the reason and processing goes
 * on. Offsets are committed only after the handler (and any dead-lettering) succeeded.
 */
export class StreamConsumer {
  private consumer: Consumer | undefined;
  private readonly routes = new Map<string, Subscription>();
  /** Next offset to read, per `topic:partition`. */
  private readonly positions = new Map<string, bigint>();
  /** End offsets at start-up, per `topic:partition`. */
  private readonly targets = new Map<string, bigint>();
  /** Latest lag seen per `topic:partition`. */
  readonly lag = new Map<string, number>();
  private caughtUpResolve: (() => void) | undefined;
  private isCaughtUp = false;
  /** Resolves once every partition has been read up to its end offset as of start-up. */
  readonly caughtUp: Promise<void>;
  readonly groupId: string;
  deadLettered = 0;
  applied = 0;

  constructor(private readonly opts: StreamConsumerOptions) {
    this.groupId = opts.groupId ?? `${opts.service}-view-${randomUUID()}`;
    this.caughtUp = new Promise((resolve) => {
      this.caughtUpResolve = resolve;
    });
  }

  get ready(): boolean {
    return this.isCaughtUp;
  }

  /** Physical topics this consumer reads. Remote copies must exist before start to be included. */
  async resolveTopics(): Promise<string[]> {
    const admin = this.opts.kafka.admin();
    await admin.connect();
    try {
      const all = await admin.listTopics();
      const names: string[] = [];
      for (const sub of this.opts.subscriptions) {
        const pattern = sub.includeRemotes ? topicWithRemotes(sub.topic.name) : null;
        for (const t of all) {
          if (t === sub.topic.name || pattern?.test(t)) {
            names.push(t);
            this.routes.set(t, sub);
          }
        }
      }
      await this.loadTargets(admin, names);
      return names;
    } finally {
      await admin.disconnect();
    }
  }

  private async loadTargets(admin: ReturnType<Kafka['admin']>, topics: string[]): Promise<void> {
    const committed = this.opts.groupId
      ? await admin.fetchOffsets({ groupId: this.groupId, topics })
      : [];
    const committedAt = new Map<string, bigint>();
    for (const t of committed)
      for (const p of t.partitions)
        if (p.offset !== '-1')
          committedAt.set(`${t.topic}:${String(p.partition)}`, BigInt(p.offset));
    for (const topic of topics) {
      for (const o of await admin.fetchTopicOffsets(topic)) {
        const k = `${topic}:${String(o.partition)}`;
        this.targets.set(k, BigInt(o.high));
        const start = committedAt.get(k) ?? BigInt(o.low);
        this.positions.set(k, start > BigInt(o.low) ? start : BigInt(o.low));
      }
    }
    this.checkCaughtUp();
  }

  private checkCaughtUp(): void {
    if (this.isCaughtUp) return;
    for (const [k, target] of this.targets) if ((this.positions.get(k) ?? 0n) < target) return;
    this.isCaughtUp = true;
    this.caughtUpResolve?.();
  }

  async start(): Promise<void> {
    const topics = await this.resolveTopics();
    if (topics.length === 0) throw new Error(`no topics to consume for ${this.opts.service}`);
    const consumer = this.opts.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout: 10_000,
      heartbeatInterval: 1000,
      minBytes: this.opts.minBytes ?? 65_536,
      maxWaitTimeInMs: this.opts.maxWaitMs ?? 100,
      maxBytesPerPartition: 4 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.opts.fromBeginning ?? true });
    await consumer.run({
      // kafkajs commits after every batch when autoCommit is on. A private view re-reads from the
      // beginning on every start, so its commits would be pure broker work: it never commits.
      autoCommit: this.opts.groupId !== undefined,
      autoCommitInterval: 1000,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently ?? 1,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
    commitOffsetsIfNecessary,
  }: EachBatchPayload): Promise<void> {
    const sub = this.routes.get(batch.topic);
    if (!sub || batch.messages.length === 0 || !isRunning() || isStale()) return;
    const { sourceRegion } = logicalTopicName(batch.topic);
    const good: ConsumedRecord<unknown>[] = [];
    const bad: { key: string | null; value: string | null; offset: string; reason: string }[] = [];
    for (const m of batch.messages) {
      const key = m.key ? m.key.toString('utf8') : null;
      const base = {
        topic: batch.topic,
        sourceRegion,
        partition: batch.partition,
        offset: m.offset,
        key,
        timestamp: Number(m.timestamp),
      };
      if (m.value === null) {
        good.push({ ...base, value: null });
        continue;
      }
      const d = decode(sub.topic, m.value);
      if (d.ok) good.push({ ...base, value: d.value });
      else
        bad.push({
          key,
          value: m.value.toString('utf8').slice(0, MAX_DLQ_VALUE),
          offset: m.offset,
          reason: d.reason,
        });
    }
    if (bad.length > 0) await this.deadLetter(batch.topic, batch.partition, bad);
    if (sourceRegion !== null && good.length > 0) this.opts.replicationLag?.observe(good);
    if (good.length > 0) await sub.handle(good as ConsumedRecord<TopicValue<TopicDef>>[]);
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      resolveOffset(last.offset);
      const k = `${batch.topic}:${String(batch.partition)}`;
      this.positions.set(k, BigInt(last.offset) + 1n);
      this.lag.set(k, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
      this.applied += good.length;
      this.checkCaughtUp();
    }
    if (this.opts.groupId !== undefined) await commitOffsetsIfNecessary();
    await heartbeat();
  }

  private async deadLetter(
    topic: string,
    partition: number,
    bad: { key: string | null; value: string | null; offset: string; reason: string }[],
  ): Promise<void> {
    const dlq = { ...TOPICS.deadLetter, name: this.opts.deadLetterTopic ?? TOPICS.deadLetter.name };
    const now = Date.now();
    await this.opts.deadLetter.publish(
      dlq,
      bad.map((b) => ({
        eventId: `${topic}:${String(partition)}:${b.offset}`,
        ts: now,
        service: this.opts.service,
        sourceTopic: topic,
        partition,
        offset: b.offset,
        key: b.key,
        value: b.value,
        reason: b.reason,
      })),
    );
    this.deadLettered += bad.length;
    this.opts.logger.warn(
      { topic, partition, count: bad.length, reason: bad[0]?.reason },
      'dead-lettered invalid messages',
    );
  }

  /** Leaves the group and disconnects; a private view's group leaves nothing behind. */
  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    if (c) await c.disconnect();
  }
}
