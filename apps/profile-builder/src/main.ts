import {
  createKafka,
  createLogger,
  createMetricsRegistry,
  createPublisher,
  createRedis,
  defaultBrokers,
  defaultRedisUrl,
  ensureTopics,
} from '@streambid/adapters';
import { catalogue } from '@streambid/contracts';
import { ProfileBuilder } from './builder.js';
import { loadProfileBuilderConfig } from './config.js';
import { startOpsServer, type OpsServer } from './http.js';

/** Composition root: config, adapters, consumer, ops server; drains on SIGTERM/SIGINT. */
async function main(): Promise<void> {
  // Listen for signals first so one that arrives during start-up still drains instead of killing.
  const stopRequested = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  const cfg = loadProfileBuilderConfig();
  const logger = createLogger({ service: 'profile-builder', level: cfg.LOG_LEVEL });
  const log = logger.child({ module: 'main' });
  const topics = catalogue(cfg.TOPIC_NAMESPACE);
  const kafka = createKafka({
    clientId: `profile-builder-${cfg.REGION}`,
    brokers: defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS),
    logger,
  });
  const redis = createRedis(defaultRedisUrl(cfg.REGION, cfg.REDIS_URL), logger);
  const registry = createMetricsRegistry('profile-builder', { region: cfg.REGION });
  let server: OpsServer | undefined;
  let builder: ProfileBuilder | undefined;
  const publisher = await createPublisher(kafka);
  try {
    await redis.connect();
    await ensureTopics(kafka, [
      topics.userEvents,
      topics.impressions,
      topics.clicks,
      topics.deadLetter,
    ]);
    builder = new ProfileBuilder({
      kafka,
      redis,
      topics,
      groupId: `${cfg.TOPIC_NAMESPACE}profile-builder-${cfg.REGION}`,
      deadLetter: publisher,
      registry,
      logger,
      concurrency: cfg.PROFILE_CONCURRENCY,
      store: {
        keyPrefix: cfg.PROFILE_KEY_PREFIX,
        ttlSeconds: cfg.PROFILE_TTL_SECONDS,
        tombstoneTtlSeconds: cfg.PROFILE_TOMBSTONE_TTL_SECONDS,
        segmentHalfLifeMs: cfg.PROFILE_SEGMENT_HALF_LIFE_MS,
        maxOpsPerCall: cfg.PROFILE_MAX_OPS_PER_CALL,
        maxProfilesPerCall: cfg.PROFILE_MAX_PROFILES_PER_CALL,
        maxCallsInFlight: cfg.PROFILE_MAX_CALLS_IN_FLIGHT,
      },
    });
    const b = builder;
    server = await startOpsServer({
      port: cfg.PROFILE_BUILDER_PORT,
      registry,
      health: () => ({ ok: true, caughtUp: b.consumer.ready, redisPaused: b.redisPaused }),
    });
    await builder.start();
    log.info(
      { port: server.port, region: cfg.REGION, group: builder.consumer.groupId },
      'profile builder running',
    );
    log.info({ signal: await stopRequested }, 'draining');
  } finally {
    // The consumer stops between batches; offsets of finished batches are committed on leave.
    await builder?.stop();
    server?.close();
    await publisher.close();
    redis.disconnect();
    logger.flush();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
