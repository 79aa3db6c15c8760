import { availableParallelism } from 'node:os';
import {
  createKafka,
  createMetricsRegistry,
  createPublisher,
  defaultBrokers,
  ensureTopics,
  runApp,
  type Closers,
  type Logger,
  type Registry,
} from '@streambid/adapters';
import { catalogue, type TopicDef } from '@streambid/contracts';
import { startLocalBidder } from './bidder.js';
import { startBilling, type Billing } from './stream/billing.js';
import { startCluster } from './runtime/cluster.js';
import { bidderEnv, loadBidderConfig, type BidderConfig } from './config.js';
import { EventProducer } from './runtime/events.js';
import { createEventMetrics, trackEventStats } from './metrics.js';

/**
 * Composition root: `npm run bidder`. With BIDDER_WORKERS > 0 the main thread creates the topics,
 * starts the workers (each serves the port), produces their events and coordinates them; with 0
 * it serves by itself. The service kit handles `--help`, signals, the drain (closers in reverse),
 * the log flush and the exit status: 0 after a drain, 1 on a fatal error (a worker that cannot
 * start), 2 on a bad command line or environment.
 */
void runApp({
  name: 'bidder',
  about: 'OpenRTB bidding and trackers on uWebSockets.js, one worker thread per core.',
  env: bidderEnv,
  envFile: import.meta.resolve('./config.js'),
  config: () => loadBidderConfig(),
  run: ({ config, logger, closers, stopped }) => main(config, logger, closers, stopped),
});

async function main(
  cfg: BidderConfig,
  logger: Logger,
  closers: Closers,
  signalled: Promise<string>,
): Promise<void> {
  const topics = catalogue(cfg.TOPIC_NAMESPACE);
  const brokers = defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS);
  const kafka = createKafka({ clientId: `bidder-${cfg.REGION}-admin`, brokers, logger });
  await ensureTopics(kafka, Object.values(topics) as TopicDef[]);
  const publisher = await createPublisher(kafka);
  closers.push('publisher', () => publisher.close());
  const billingOf = (registry: Registry): Promise<Billing> =>
    startBilling({
      kafka,
      topics,
      region: cfg.REGION,
      publisher,
      logger,
      registry,
      maxSize: cfg.BIDDER_WIN_DEDUPE_SIZE,
      windowMs: cfg.BIDDER_NOTICE_TTL_S * 1000,
    });
  await serve(cfg, logger, closers, billingOf, signalled);
}

async function serve(
  cfg: BidderConfig,
  logger: Logger,
  closers: Closers,
  billingOf: (registry: Registry) => Promise<Billing>,
  signalled: Promise<string>,
): Promise<void> {
  const log = logger.child({ module: 'main' });
  const topics = catalogue(cfg.TOPIC_NAMESPACE);
  const brokers = defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS);
  if (cfg.BIDDER_WORKERS === 0) {
    const registry = createMetricsRegistry('bidder', { region: cfg.REGION });
    const bidder = await startLocalBidder({ cfg, logger, registry, ensureTopics: false });
    closers.push('bidder', () => bidder.close());
    log.info({ port: bidder.port, region: cfg.REGION, workers: 0 }, 'bidder listening');
    await signalled;
    return;
  }

  const registry = createMetricsRegistry('bidder', { region: cfg.REGION, worker: 'main' });
  const billing = await billingOf(registry);
  closers.push('billing', () => billing.close());
  const events = await EventProducer.start(brokers, `bidder-${cfg.REGION}-events`, topics, logger, {
    maxBuffered: cfg.BIDDER_EVENT_BUFFER,
    lingerMs: cfg.BIDDER_EVENT_LINGER_MS,
  });
  const refreshEvents = trackEventStats(createEventMetrics(registry), () => events.counts);
  const timer = setInterval(refreshEvents, 1000);
  timer.unref();
  const cluster = startCluster({
    workers: cfg.BIDDER_WORKERS,
    env: { ...process.env },
    logger,
    ledger: billing.ledger,
    events,
    registry,
    watchdogIntervalMs: cfg.BIDDER_WATCHDOG_INTERVAL_MS,
    watchdogLimitMs: cfg.BIDDER_WATCHDOG_LIMIT_MS,
  });
  closers.push('cluster', () => cluster.stop());
  // Cleared before the cluster stops, as the stats read the producer the workers hand events to.
  closers.push('event stats', () => clearInterval(timer));
  // After the first listen the cluster replaces workers that die or stall; only a failed start
  // or a signal ends the process.
  await cluster.listening;
  log.info(
    {
      port: cfg.BIDDER_PORT,
      region: cfg.REGION,
      workers: cfg.BIDDER_WORKERS,
      cores: availableParallelism(),
    },
    'bidder listening',
  );
  await signalled;
}
