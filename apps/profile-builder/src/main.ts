import {
  createKafka,
  createMetricsRegistry,
  createPublisher,
  createRedis,
  defaultBrokers,
  defaultRedisUrl,
  ensureTopics,
  runApp,
} from '@streambid/adapters';
import { catalogue } from '@streambid/contracts';
import { ProfileBuilder } from './builder.js';
import { loadProfileBuilderConfig, profileBuilderEnv } from './config.js';
import { startOpsServer } from './http.js';

/**
 * Composition root: config, adapters, consumer, ops server; drains on SIGTERM/SIGINT (the kit
 * listens before anything starts, so a signal during start-up still drains). Exit status: 0 after
 * a drain, 1 on a fatal error, 2 on a bad command line or environment.
 */
void runApp({
  name: 'profile-builder',
  about: 'Cookie profiles in Redis from user events, impressions and clicks.',
  env: profileBuilderEnv,
  envFile: import.meta.resolve('./config.js'),
  config: () => loadProfileBuilderConfig(),
  run: async ({ config: cfg, logger, closers, stopped }) => {
    const log = logger.child({ module: 'main' });
    const topics = catalogue(cfg.TOPIC_NAMESPACE);
    const kafka = createKafka({
      clientId: `profile-builder-${cfg.REGION}`,
      brokers: defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS),
      logger,
    });
    const redis = createRedis(defaultRedisUrl(cfg.REGION, cfg.REDIS_URL), logger);
    closers.push('redis', () => redis.disconnect());
    const registry = createMetricsRegistry('profile-builder', { region: cfg.REGION });
    const publisher = await createPublisher(kafka);
    closers.push('publisher', () => publisher.close());
    await redis.connect();
    await ensureTopics(kafka, [
      topics.userEvents,
      topics.impressions,
      topics.clicks,
      topics.deadLetter,
    ]);
    const builder = new ProfileBuilder({
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
    const server = await startOpsServer({
      port: cfg.PROFILE_BUILDER_PORT,
      registry,
      health: () => builder.health(),
      logger,
    });
    closers.push('ops server', () => server.close());
    // Stopped before the ops server closes: the consumer stops between batches, and offsets of
    // finished batches are committed on leave.
    closers.push('builder', () => builder.stop());
    await builder.start();
    log.info(
      { port: server.port, region: cfg.REGION, group: builder.consumer.groupId },
      'profile builder running',
    );
    await stopped;
  },
});
