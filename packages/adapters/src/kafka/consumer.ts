import { randomUUID } from 'node:crypto';
import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import {
  logicalTopicName,
  topicWithRemotes,
  TOPICS,
  type TopicDef,
  type TopicValue,
} from '@streambid/contracts';
import type { Logger } from 'pino';
import {
  applyIsolating,
  BatchRetrier,
  ConsumerHaltedError,
  type BatchControl,
} from './batch-retry.js';
import { decode } from './codec.js';
import {
  DeadLetterError,
  DeadLetterWriter,
  type DeadLetterLimits,
  type Poison,
} from './dead-letter.js';
import type { Publisher } from './publisher.js';
import type { ReplicationLagRecorder } from './replication-lag.js';

export { ConsumerHaltedError, TransientHandlerError, type BatchControl } from './batch-retry.js';
export {
  DEAD_LETTER_LIMITS,
  DeadLetterError,
  DeadLetterWriter,
  deadLetterRecord,
  isRetriable,
  type DeadLetterLimits,
  type Poison,
} from './dead-letter.js';

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
  /**
   * Applies a batch of one partition. A handler may see a record twice (after a failure, or a
   * restart), so it must be idempotent. To have a batch retried rather than its failing records
   * dead-lettered (a store is down), throw an error with `retriable: true`, such as
   * {@link TransientHandlerError}; any other error is taken to be the record's fault.
   */
  handle: (records: ConsumedRecord<TopicValue<T>>[]) => Promise<void> | void;
}

/** What a consumer is doing, for health endpoints and logs. */
export interface ConsumerStatus {
  /** `running` once started; `crashed` when kafkajs gave up on it (or is restarting it). */
  state: 'idle' | 'running' | 'crashed' | 'stopped';
  healthy: boolean;
  caughtUp: boolean;
  /** Why it is not healthy, else null. */
  reason: string | null;
  /** Partitions held up by retries: `topic:partition` → since (ms) and why. */
  stalled: Record<string, { sinceMs: number; reason: string }>;
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
  /** Bounds of dead-letter records (see {@link DEAD_LETTER_LIMITS}). */
  deadLetterLimits?: Partial<DeadLetterLimits>;
  /**
   * Values larger than this are dead-lettered without being parsed, which bounds the time and
   * memory one message can cost. The default is the broker's default message limit. @default 1048576
   */
  maxValueBytes?: number;
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
  /**
   * Longest a fetch waits for `minBytes`: the delivery delay of a trickle, and how often an idle
   * consumer fetches (4 a second at 250; at 100 the idle stack's consumers were a third of what
   * its brokers spent, bench:idle). @default 250
   */
  maxWaitMs?: number;
  /** Group session timeout; the broker accepts 6 s to 30 min by default. @default 10000 */
  sessionTimeoutMs?: number;
  /**
   * A partition held up by retries this long (dead-letter topic unavailable, a handler failing
   * with a transient error) makes the consumer unhealthy until it moves again. @default 30000
   */
  maxStallMs?: number;
  logger: Logger;
  /** Records arrival − event time of messages from remote copies (the app's `/metrics`). */
  replicationLag?: ReplicationLagRecorder;
}

const MAX_VALUE_BYTES = 1024 * 1024;

type Handler = (records: ConsumedRecord<unknown>[]) => Promise<void> | void;

/**
 * Reads topics (and their remote copies) through a consumer group, validating every message against
 * its topic schema. Poison never stalls a partition for good and is never skipped silently:
 * - a message that is invalid or larger than `maxValueBytes` goes to the dead-letter topic with the
 *   reason, and processing goes on;
 * - when a handler throws, the batch is retried record by record once, and the records that still
 *   throw are dead-lettered with the error as the reason; an error marked `retriable` instead retries
 *   the batch with backoff (a store is down), without dead-lettering;
 * - dead-letter records are cut to fit the broker's limit, and the cut is noted in the record;
 * - if the dead-letter topic cannot be written, the batch waits and retries with backoff (heartbeats
 *   keep the partition), because offsets are never committed past a message that is neither applied
 *   nor dead-lettered. A partition stalled longer than `maxStallMs` makes the consumer unhealthy. A
 *   refusal that retrying cannot fix (the topic refuses even a minimal record) stops the consumer.
 * Offsets are committed only after the handler and any dead-lettering succeeded. A crashed consumer
 * (kafkajs `CRASH`) is unhealthy and never `ready`; if kafkajs restarts it, it is healthy again
 * once it fetches.
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
  private readonly writer: DeadLetterWriter;
  private readonly log: Logger;
  private state: ConsumerStatus['state'] = 'idle';
  private crash: { reason: string; restart: boolean } | null = null;
  private readonly retrier: BatchRetrier;
  /** Messages dead-lettered, for any reason. */
  deadLettered = 0;
  /** Of those, messages whose handler threw. */
  handlerFailures = 0;
  /** Dead-letter records cut to fit the broker's limit. */
  deadLettersCut = 0;
  applied = 0;

  constructor(private readonly opts: StreamConsumerOptions) {
    this.groupId = opts.groupId ?? `${opts.service}-view-${randomUUID()}`;
    this.caughtUp = new Promise((resolve) => {
      this.caughtUpResolve = resolve;
    });
    this.log = opts.logger;
    this.retrier = new BatchRetrier(opts.logger);
    const dlq = { ...TOPICS.deadLetter, name: opts.deadLetterTopic ?? TOPICS.deadLetter.name };
    this.writer = new DeadLetterWriter(opts.deadLetter, dlq, opts.service, opts.deadLetterLimits);
  }

  /** Caught up with the log as of start-up, and alive. */
  get ready(): boolean {
    return this.isCaughtUp && this.healthy;
  }

  /** Not crashed, and no partition stalled longer than `maxStallMs`. */
  get healthy(): boolean {
    return this.unhealthyReason === null;
  }

  /** Why the consumer is unhealthy, else null. */
  get unhealthyReason(): string | null {
    if (this.crash)
      return this.crash.restart
        ? `crashed, restarting: ${this.crash.reason}`
        : `crashed: ${this.crash.reason}`;
    return this.retrier.stalledLongerThan(this.opts.maxStallMs ?? 30_000);
  }

  /** Attempts that failed and were retried (transient handler errors, dead-letter writes). */
  get retries(): number {
    return this.retrier.retries;
  }

  status(): ConsumerStatus {
    return {
      state: this.crash ? 'crashed' : this.state,
      healthy: this.healthy,
      caughtUp: this.isCaughtUp,
      reason: this.unhealthyReason,
      stalled: Object.fromEntries(this.retrier.stalls),
    };
  }

  /**
   * Whether this consumer has read `topic` up to its end offsets as of the call, that is every
   * record the broker had acknowledged before it; polls until then, false after `timeoutMs`.
   * A writer of derived state (cumulative totals) calls it before cutting.
   */
  async readUpToNow(topic: string, timeoutMs: number): Promise<boolean> {
    const admin = this.opts.kafka.admin();
    await admin.connect();
    let ends: { partition: number; high: string }[];
    try {
      ends = await offsetsOf(admin, topic);
    } finally {
      await admin.disconnect();
    }
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const behind = ends.some(
        (o) => (this.positions.get(`${topic}:${String(o.partition)}`) ?? 0n) < BigInt(o.high),
      );
      if (!behind) return true;
      if (Date.now() >= deadline || !this.healthy) return false;
      await new Promise((r) => setTimeout(r, 50));
    }
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
      for (const o of await offsetsOf(admin, topic)) {
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
    try {
      await this.run();
    } catch (err) {
      this.onCrash(err, false);
      throw err;
    }
  }

  private async run(): Promise<void> {
    const topics = await this.resolveTopics();
    if (topics.length === 0) throw new Error(`no topics to consume for ${this.opts.service}`);
    const sessionTimeout = this.opts.sessionTimeoutMs ?? 10_000;
    const consumer = this.opts.kafka.consumer({
      groupId: this.groupId,
      sessionTimeout,
      heartbeatInterval: Math.min(1000, Math.floor(sessionTimeout / 3)),
      minBytes: this.opts.minBytes ?? 65_536,
      maxWaitTimeInMs: this.opts.maxWaitMs ?? 250,
      maxBytesPerPartition: 4 * 1024 * 1024,
      allowAutoTopicCreation: false,
    });
    this.consumer = consumer;
    // kafkajs reports a crash only through this event (`run` resolves even when joining failed).
    consumer.on(consumer.events.CRASH, ({ payload }) =>
      this.onCrash(payload.error, payload.restart),
    );
    consumer.on(consumer.events.FETCH, () => {
      if (this.crash?.restart !== true) return;
      this.crash = null;
      this.log.info({ group: this.groupId }, 'consumer restarted and fetching again');
    });
    await consumer.connect();
    await consumer.subscribe({ topics, fromBeginning: this.opts.fromBeginning ?? true });
    this.state = 'running';
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

  private onCrash(err: unknown, restart: boolean): void {
    const reason = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    this.crash = { reason, restart };
    this.log.error(
      { err, group: this.groupId, restart },
      restart ? 'consumer crashed; kafkajs restarts it' : 'consumer crashed and stopped',
    );
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch, resolveOffset, isRunning, isStale } = payload;
    const sub = this.routes.get(batch.topic);
    if (!sub || batch.messages.length === 0 || !isRunning() || isStale()) return;
    const { sourceRegion } = logicalTopicName(batch.topic);
    const k = `${batch.topic}:${String(batch.partition)}`;
    const ctl: BatchControl = {
      heartbeat: payload.heartbeat,
      isRunning,
      isStale,
      topic: batch.topic,
      partition: batch.partition,
      key: k,
    };
    const maxValue = this.opts.maxValueBytes ?? MAX_VALUE_BYTES;
    const good: ConsumedRecord<unknown>[] = [];
    const raw = new Map<string, KafkaMessage>();
    const poison: Poison[] = [];
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
        raw.set(m.offset, m);
        continue;
      }
      const bad = (reason: string): number =>
        poison.push({ offset: m.offset, key: m.key, value: m.value, reason });
      if (m.value.length > maxValue) {
        bad(`oversize: value of ${String(m.value.length)} bytes, limit ${String(maxValue)}`);
        continue;
      }
      const d = decode(sub.topic, m.value);
      if (!d.ok) {
        bad(d.reason);
        continue;
      }
      good.push({ ...base, value: d.value });
      raw.set(m.offset, m);
    }
    if (poison.length > 0 && !(await this.deadLetter(ctl, poison))) return;
    if (sourceRegion !== null && good.length > 0) this.opts.replicationLag?.observe(good);
    if (good.length > 0) {
      const failed = await applyIsolating(this.retrier, ctl, good, sub.handle as Handler, this.log);
      if (failed === null) return;
      const rejected: Poison[] = failed.map(({ record, err }) => {
        const m = raw.get(record.offset);
        return {
          offset: record.offset,
          key: m?.key ?? null,
          value: m?.value ?? null,
          reason: `handler threw ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
        };
      });
      if (rejected.length > 0) {
        if (!(await this.deadLetter(ctl, rejected))) return;
        this.handlerFailures += rejected.length;
      }
      this.applied += good.length - rejected.length;
    }
    const last = batch.messages[batch.messages.length - 1];
    if (last) {
      resolveOffset(last.offset);
      this.positions.set(k, BigInt(last.offset) + 1n);
      this.lag.set(k, Number(BigInt(batch.highWatermark) - BigInt(last.offset) - 1n));
      this.checkCaughtUp();
    }
    if (this.opts.groupId !== undefined) await payload.commitOffsetsIfNecessary();
    await payload.heartbeat();
  }

  /**
   * Writes the poison to the dead-letter topic, retrying retriable failures with backoff. Returns
   * false if the consumer stopped or lost the partition first; throws {@link ConsumerHaltedError}
   * when retrying cannot help.
   */
  private async deadLetter(ctl: BatchControl, poison: readonly Poison[]): Promise<boolean> {
    let pending = poison;
    const outcome = await this.retrier.persist(ctl, 'dead-letter', async () => {
      try {
        this.deadLettersCut += await this.writer.write(ctl.topic, ctl.partition, pending);
      } catch (err) {
        if (err instanceof DeadLetterError) pending = pending.slice(err.delivered);
        throw err;
      }
    });
    if (outcome === null) return false;
    if (!outcome.ok) {
      let cause = outcome.err;
      while (cause instanceof Error && cause.cause !== undefined) cause = cause.cause;
      this.log.error(
        {
          topic: ctl.topic,
          partition: ctl.partition,
          offset: pending[0]?.offset,
          err: outcome.err,
        },
        'dead-letter topic refuses the record; stopping the consumer',
      );
      throw new ConsumerHaltedError(
        `dead-letter of ${ctl.key}@${pending[0]?.offset ?? '?'} refused: ${cause instanceof Error ? cause.message : String(cause)}`,
      );
    }
    this.deadLettered += poison.length;
    this.log.warn(
      {
        topic: ctl.topic,
        partition: ctl.partition,
        count: poison.length,
        reason: poison[0]?.reason,
      },
      'dead-lettered messages',
    );
    return true;
  }

  /** Leaves the group and disconnects; a private view's group leaves nothing behind. */
  async stop(): Promise<void> {
    const c = this.consumer;
    this.consumer = undefined;
    this.state = 'stopped';
    if (c) await c.disconnect();
  }
}

/**
 * A topic's offsets. Right after a topic was created (by another process, or by MirrorMaker 2 for
 * a remote copy) its leaders may not be elected yet and the broker answers "not the leader":
 * retriable, so it is retried for a while instead of failing the consumer's start.
 */
async function offsetsOf(
  admin: ReturnType<Kafka['admin']>,
  topic: string,
): Promise<{ partition: number; high: string; low: string }[]> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (err) {
      const retriable = (err as { retriable?: unknown }).retriable === true;
      if (!retriable || attempt >= 100) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
