import { availableParallelism } from 'node:os';
import {
  createKafka,
  createLogger,
  createMetricsRegistry,
  defaultBrokers,
  ensureTopics,
} from '@streambid/adapters';
import { catalogue, type TopicDef } from '@streambid/contracts';
import { startBidder } from './bidder.js';
import { startCluster } from './cluster.js';
import { loadBidderConfig } from './config.js';
import { LocalCoordinator } from './coordinator.js';
import { EventProducer } from './events.js';
import { createEventMetrics, trackEventStats } from './metrics.js';

/**
 * Composition root: `npm run bidder`. With BIDDER_WORKERS > 0 the main thread creates the topics,
 * starts the workers (each serves the port), produces their events and coordinates them; with 0
 * it serves by itself.
 */
async function main(): Promise<void> {
  const cfg = loadBidderConfig();
  const logger = createLogger({ service: 'bidder', level: cfg.LOG_LEVEL });
  const log = logger.child({ module: 'main' });
  let stopRequested: (sig: string) => void = () => undefined;
  const signalled = new Promise<string>((res) => {
    stopRequested = res;
  });
  process.once('SIGTERM', () => stopRequested('SIGTERM'));
  process.once('SIGINT', () => stopRequested('SIGINT'));

  const topics = catalogue(cfg.TOPIC_NAMESPACE);
  const brokers = defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS);
  const kafka = createKafka({ clientId: `bidder-${cfg.REGION}-admin`, brokers, logger });
  await ensureTopics(kafka, Object.values(topics) as TopicDef[]);
  const dedupeTtlMs = cfg.BIDDER_WIN_DEDUPE_TTL_S * 1000;

  if (cfg.BIDDER_WORKERS === 0) {
    const registry = createMetricsRegistry('bidder', { region: cfg.REGION });
    const coordinator = new LocalCoordinator(registry, cfg.BIDDER_WIN_DEDUPE_SIZE, dedupeTtlMs);
    const bidder = await startBidder({ cfg, logger, registry, coordinator, ensureTopics: false });
    try {
      log.info({ port: bidder.port, region: cfg.REGION, workers: 0 }, 'bidder listening');
      void bidder.caughtUp.then(() => {
        coordinator.ready = true;
      });
      log.info({ signal: await signalled }, 'draining');
    } finally {
      await bidder.close();
    }
    return;
  }

  const registry = createMetricsRegistry('bidder', { region: cfg.REGION, worker: 'main' });
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
    dedupeSize: cfg.BIDDER_WIN_DEDUPE_SIZE,
    dedupeTtlMs,
    events,
    registry,
  });
  try {
    await Promise.race([
      cluster.listening,
      cluster.died.then((why) => Promise.reject(new Error(why))),
    ]);
    log.info(
      {
        port: cfg.BIDDER_PORT,
        region: cfg.REGION,
        workers: cfg.BIDDER_WORKERS,
        cores: availableParallelism(),
      },
      'bidder listening',
    );
    const why = await Promise.race([
      signalled,
      cluster.died.then((w) => Promise.reject(new Error(w))),
    ]);
    log.info({ signal: why }, 'draining');
  } finally {
    clearInterval(timer);
    await cluster.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
