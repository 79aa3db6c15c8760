import { Counter, Gauge, Histogram, type Registry } from '@streambid/adapters';

/** What an operator watches: throughput, replay skips, lag, dead letters and Redis pauses. */
export interface BuilderMetrics {
  applied: Counter<'topic'>;
  skipped: Counter<'topic'>;
  batchSeconds: Histogram;
  redisPaused: Gauge;
}

/**
 * Registers the builder's metrics. Lag and dead-letter counts live in the consumer and are read at
 * scrape time through `sources`.
 */
export function builderMetrics(
  registry: Registry,
  sources: { lag: () => ReadonlyMap<string, number>; deadLettered: () => number },
): BuilderMetrics {
  let reportedDead = 0;
  new Counter({
    name: 'profile_builder_dead_lettered_total',
    help: 'Messages sent to the dead-letter topic because they failed validation.',
    registers: [registry],
    collect() {
      const now = sources.deadLettered();
      if (now > reportedDead) this.inc(now - reportedDead);
      reportedDead = now;
    },
  });
  new Gauge({
    name: 'profile_builder_consumer_lag',
    help: 'Messages behind the partition end offset, as of the last batch read.',
    labelNames: ['topic', 'partition'],
    registers: [registry],
    collect() {
      for (const [tp, lag] of sources.lag()) {
        const i = tp.lastIndexOf(':');
        this.set({ topic: tp.slice(0, i), partition: tp.slice(i + 1) }, lag);
      }
    },
  });
  return {
    applied: new Counter({
      name: 'profile_builder_events_applied_total',
      help: 'Profile updates applied to Redis.',
      labelNames: ['topic'],
      registers: [registry],
    }),
    skipped: new Counter({
      name: 'profile_builder_events_skipped_total',
      help: 'Re-delivered updates skipped because the partition watermark had passed them.',
      labelNames: ['topic'],
      registers: [registry],
    }),
    batchSeconds: new Histogram({
      name: 'profile_builder_batch_seconds',
      help: 'Time to apply one partition batch to Redis.',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    redisPaused: new Gauge({
      name: 'profile_builder_redis_paused',
      help: '1 while Redis writes fail and consumption is paused (batches retried, offsets held).',
      registers: [registry],
    }),
  };
}
