import type { Kafka } from 'kafkajs';
import {
  StreamConsumer,
  subscribe,
  TransientHandlerError,
  type ConsumedRecord,
  type Logger,
  type Publisher,
  type Redis,
  type Registry,
} from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import {
  ProfileWriter,
  type ProfileUpdate,
  type ProfileWriterOptions,
  type SourcedUpdate,
} from '@streambid/profiles';
import { builderMetrics, type BuilderMetrics } from './metrics.js';
import {
  DEFAULT_WEIGHTS,
  fromClick,
  fromImpression,
  fromUserEvent,
  type PageViewWeights,
} from './updates.js';

export interface ProfileBuilderOptions {
  kafka: Kafka;
  redis: Redis;
  /** Topic catalogue (namespaced in tests). */
  topics: Catalogue;
  /** Consumer group, one per region: `profile-builder-<region>`. */
  groupId: string;
  deadLetter: Publisher;
  store: ProfileWriterOptions;
  registry: Registry;
  logger: Logger;
  /** @default DEFAULT_WEIGHTS */
  weights?: PageViewWeights;
  /**
   * Partition batches applied at once: while one batch runs in Redis the next is decoded.
   * Batches of one partition stay in order. @default 4
   */
  concurrency?: number;
}

/**
 * Consumes user events, impressions and clicks of the local region and applies them to Redis
 * profiles. Each partition batch goes to Redis together with its offset watermark, so re-delivery
 * after a crash or rebalance, or a deliberate replay, changes nothing twice. When Redis is down the
 * batch fails, its offsets are not committed and the consumer retries it (redis-paused = 1).
 */
export class ProfileBuilder {
  readonly consumer: StreamConsumer;
  readonly metrics: BuilderMetrics;
  private readonly writer: ProfileWriter;
  private readonly log: Logger;
  private paused = false;

  constructor(opts: ProfileBuilderOptions) {
    this.log = opts.logger.child({ module: 'profile-builder' });
    this.writer = new ProfileWriter(opts.redis, opts.store);
    const weights = opts.weights ?? DEFAULT_WEIGHTS;
    const { topics } = opts;
    this.consumer = new StreamConsumer({
      kafka: opts.kafka,
      groupId: opts.groupId,
      service: 'profile-builder',
      deadLetter: opts.deadLetter,
      deadLetterTopic: topics.deadLetter.name,
      logger: this.log,
      partitionsConsumedConcurrently: opts.concurrency ?? 4,
      // Frequency caps read these counters: take impressions as soon as they are there rather
      // than waiting up to 100 ms for a fuller fetch (one consumer per region; cheap).
      minBytes: 1,
      subscriptions: [
        subscribe({
          topic: topics.userEvents,
          handle: (recs) => this.apply(recs, (v) => fromUserEvent(v, weights)),
        }),
        subscribe({
          topic: topics.impressions,
          handle: (recs) => this.apply(recs, fromImpression),
        }),
        subscribe({ topic: topics.clicks, handle: (recs) => this.apply(recs, fromClick) }),
      ],
    });
    this.metrics = builderMetrics(opts.registry, {
      lag: () => this.consumer.lag,
      deadLettered: () => this.consumer.deadLettered,
    });
  }

  /** True while Redis refuses writes and batches are being retried. */
  get redisPaused(): boolean {
    return this.paused;
  }

  /**
   * For `/healthz`: unhealthy once the consumer crashed or a partition is stuck (Redis down for
   * longer than the consumer's stall limit), never healthy while the consumer is dead.
   */
  health(): { ok: boolean; caughtUp: boolean; redisPaused: boolean; reason: string | null } {
    return {
      ok: this.consumer.healthy,
      caughtUp: this.consumer.ready,
      redisPaused: this.paused,
      reason: this.consumer.unhealthyReason,
    };
  }

  async start(): Promise<void> {
    await this.consumer.start();
  }

  async stop(): Promise<void> {
    await this.consumer.stop();
  }

  private async apply<T>(
    records: readonly ConsumedRecord<T>[],
    toUpdate: (v: T) => ProfileUpdate | null,
  ): Promise<void> {
    const first = records[0];
    if (first === undefined) return;
    const batch: SourcedUpdate[] = records.map((r) => ({
      offset: r.offset,
      update: r.value === null ? null : toUpdate(r.value),
    }));
    const end = this.metrics.batchSeconds.startTimer();
    try {
      const res = await this.writer.applyPartitionBatch(first, batch);
      this.metrics.applied.inc({ topic: first.topic }, res.applied);
      if (res.skipped > 0) this.metrics.skipped.inc({ topic: first.topic }, res.skipped);
      if (this.paused) this.log.info('redis writes succeed again; resuming');
      this.setPaused(false);
    } catch (err) {
      // A bug in our code is these records' poison: the consumer dead-letters what still throws.
      if (err instanceof TypeError || err instanceof RangeError) throw err;
      // Redis failing is not: the batch stays uncommitted and is retried (never dead-lettered),
      // and the watermark makes the retry skip whatever part of it did reach Redis.
      if (!this.paused)
        this.log.warn(
          { err: (err as Error).message, topic: first.topic },
          'redis write failed; pausing',
        );
      this.setPaused(true);
      throw new TransientHandlerError('redis write failed', err);
    } finally {
      end();
    }
  }

  private setPaused(v: boolean): void {
    this.paused = v;
    this.metrics.redisPaused.set(v ? 1 : 0);
  }
}
