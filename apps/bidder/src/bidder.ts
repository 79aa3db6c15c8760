import uWS, { type us_listen_socket } from 'uWebSockets.js';
import {
  createKafka,
  createPublisher,
  createRedis,
  defaultBrokers,
  defaultRedisUrl,
  ensureTopics,
  Gauge,
  GroupCommitPublisher,
  ReplicationLagRecorder,
  type Logger,
  type Publisher,
  type Redis,
  type Registry,
} from '@streambid/adapters';
import { catalogue, type TopicDef } from '@streambid/contracts';
import { ProfileReader } from '@streambid/profiles';
import { prebidActions, publicUrl, trackingKeys, type BidderConfig } from './config.js';
import { PrebidFilter } from './domain/prebid.js';
import { startBilling, type Billing } from './stream/billing.js';
import { LocalCoordinator, type Coordinator } from './runtime/coordinator.js';
import type { DecisionContext } from './domain/decide.js';
import { RecentWins } from './domain/recent-wins.js';
import { EventProducer, EventSink, type DeliverEvents } from './runtime/events.js';
import {
  boundCounter,
  createBidderMetrics,
  trackEventStats,
  type BidderMetrics,
} from './metrics.js';
import { ProfileLookups } from './stream/profile.js';
import { createApp, type ServerDeps } from './http/server.js';
import { bidPrivacy } from './deps.js';
import { createViews, type Views } from './stream/views.js';

/** A running bid server with its views; one per worker thread (or the main thread). */
export interface BidderInstance {
  /** The port actually bound (useful with BIDDER_PORT=0). */
  port: number;
  views: Views;
  metrics: BidderMetrics;
  /** Wins billed lately, counted toward frequency caps (other threads' wins are added here too). */
  recentWins: RecentWins;
  /** Views caught up with their topics as of start-up. */
  readonly ready: boolean;
  /** Resolves once the views caught up. */
  caughtUp: Promise<void>;
  /** Stops listening, drains events, closes Kafka and Redis. */
  close(): Promise<void>;
}

export interface StartOptions {
  cfg: BidderConfig;
  logger: Logger;
  registry: Registry;
  coordinator: Coordinator;
  /** Share of each campaign's pace this instance may spend (1 / workers). @default 1 */
  paceShare?: number;
  /** Create missing topics first (the main thread does it once for its workers). @default true */
  ensureTopics?: boolean;
  /**
   * Where fire-and-forget events go (a worker posts them to the main thread, which produces
   * them). Without it the instance connects its own event producer.
   */
  deliverEvents?: DeliverEvents;
}

function listen(app: uWS.TemplatedApp, host: string, port: number): Promise<us_listen_socket> {
  return new Promise((resolve, reject) => {
    app.listen(host, port, (sock) => {
      if (sock) resolve(sock);
      else reject(new Error(`cannot listen on ${host}:${String(port)}`));
    });
  });
}

/**
 * A bidder serving from one thread (`BIDDER_WORKERS=0`, tests): its own billing ledger and a
 * local coordinator, ready once both the views and the billed bids caught up.
 */
export async function startLocalBidder(o: {
  cfg: BidderConfig;
  logger: Logger;
  registry: Registry;
  /** @default true */
  ensureTopics?: boolean;
}): Promise<BidderInstance> {
  const { cfg } = o;
  const topics = catalogue(cfg.TOPIC_NAMESPACE);
  const brokers = defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS);
  const kafka = createKafka({
    clientId: `bidder-${cfg.REGION}-billing`,
    brokers,
    logger: o.logger,
  });
  if (o.ensureTopics ?? true) await ensureTopics(kafka, Object.values(topics) as TopicDef[]);
  const publisher = await createPublisher(kafka);
  let billing: Billing | undefined;
  try {
    billing = await startBilling({
      kafka,
      topics,
      region: cfg.REGION,
      publisher,
      logger: o.logger,
      registry: o.registry,
      maxSize: cfg.BIDDER_WIN_DEDUPE_SIZE,
      windowMs: cfg.BIDDER_NOTICE_TTL_S * 1000,
    });
    const coordinator = new LocalCoordinator(o.registry, billing.ledger);
    const bidder = await startBidder({ ...o, coordinator, ensureTopics: false });
    const b = billing;
    void Promise.all([bidder.caughtUp, b.caughtUp]).then(() => {
      coordinator.ready = true;
    });
    return {
      ...bidder,
      get ready() {
        return bidder.ready;
      },
      close: async () => {
        await bidder.close();
        await b.close();
        await publisher.close();
      },
    };
  } catch (err) {
    await billing?.close();
    await publisher.close();
    throw err;
  }
}

/** Builds the adapters, starts the views and serves. Throws if Kafka or the port is unavailable. */
export async function startBidder(o: StartOptions): Promise<BidderInstance> {
  const { cfg, logger } = o;
  const log = logger.child({ module: 'bidder' });
  const topics = catalogue(cfg.TOPIC_NAMESPACE);
  const brokers = defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS);
  const kafka = createKafka({ clientId: `bidder-${cfg.REGION}`, brokers, logger });
  if (o.ensureTopics ?? true) await ensureTopics(kafka, Object.values(topics) as TopicDef[]);

  const closers: (() => Promise<unknown>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse())
      await c().catch((err: unknown) => log.warn({ err }, 'close failed'));
  };
  try {
    // Spend is money (acks all, idempotent); rare dead letters share this producer.
    const spend: Publisher = await createPublisher(kafka, { idempotent: true });
    closers.push(() => spend.close());
    let producer: EventProducer | undefined;
    let deliver = o.deliverEvents;
    if (!deliver) {
      const p = await EventProducer.start(brokers, `bidder-${cfg.REGION}-events`, topics, logger, {
        maxBuffered: cfg.BIDDER_EVENT_BUFFER,
        lingerMs: cfg.BIDDER_EVENT_LINGER_MS,
      });
      closers.push(() => p.close(3000));
      producer = p;
      deliver = p.deliver;
    }
    const events = new EventSink(deliver, cfg.BIDDER_EVENT_BUFFER, cfg.BIDDER_EVENT_HANDOFF_MS);
    closers.push(() => Promise.resolve(events.flush()));

    // The bid path must not queue behind a dead Redis: fail fast, the decision skips profile campaigns.
    const redis: Redis = createRedis(defaultRedisUrl(cfg.REGION, cfg.REDIS_URL), logger, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      // Off: bid requests rarely share an event-loop turn, and then auto-pipelining only adds a
      // Pipeline object per lookup (bench:bidder at 6,000 req/s: 106 → 100 µs of CPU per request).
      enableAutoPipelining: false,
    });
    closers.push(() => redis.quit().catch(() => redis.disconnect()));
    redis
      .connect()
      .catch((err: unknown) =>
        log.warn({ err }, 'redis unavailable at start; profile campaigns skipped'),
      );
    const metrics = createBidderMetrics(o.registry);
    const lookupResult = boundCounter(metrics.profileLookups, 'result');
    const profiles = new ProfileLookups(
      new ProfileReader(redis, { keyPrefix: cfg.PROFILE_KEY_PREFIX }),
      (r) => lookupResult(r).inc(),
    );
    closers.push(() => Promise.resolve(profiles.close()));

    const views = createViews({
      kafka,
      topics,
      registry: o.registry,
      rates: cfg.BIDDER_FX_RATES,
      budget: {
        region: cfg.REGION,
        requireAllowance: cfg.BIDDER_REQUIRE_ALLOWANCE,
        paceShare: o.paceShare ?? 1,
        burstS: cfg.BIDDER_PACING_BURST_S,
        winRate: cfg.BIDDER_PACING_WIN_RATE,
      },
      deadLetter: spend,
      logger,
      sellers: cfg.BIDDER_SELLERS_JSON,
      replicationLag: new ReplicationLagRecorder({ registry: o.registry }),
    });
    await views.consumer.start();
    closers.push(() => views.consumer.stop());

    const recentWins = new RecentWins(200_000, cfg.BIDDER_RECENT_WIN_TTL_MS);
    const reference = views.reference;
    const prebid = new PrebidFilter(prebidActions(cfg), views.blocklist);
    reference?.bind(prebid);
    const ctx: DecisionContext = {
      index: views.index,
      budget: views.budget,
      prebid,
      sellers: reference?.sellers ?? cfg.BIDDER_SELLERS_JSON,
      flagPriceShare: cfg.BIDDER_PREBID_FLAG_PRICE_SHARE,
      rates: cfg.BIDDER_FX_RATES,
      seat: cfg.BIDDER_SEAT,
      firstPriceShade: cfg.BIDDER_FIRST_PRICE_SHADE,
      recentWins,
    };
    const referenceVersion = new Gauge({
      name: 'bidder_reference_version',
      help: 'Version in force of each reference-data list (0: the built-in or configured default)',
      labelNames: ['list'],
      registers: [o.registry],
    });
    const eventStats = trackEventStats(metrics, () => {
      const p = producer?.counts ?? { buffered: 0, dropped: 0, invalid: 0, produceErrors: 0 };
      return { ...p, buffered: p.buffered + events.buffered, dropped: p.dropped + events.dropped };
    });
    const refresh = (): void => {
      // A reference-data version scheduled for later comes into force within a second.
      reference?.refresh();
      if (reference) {
        const f = reference.inForce;
        referenceVersion.set({ list: 'bots' }, f.bots);
        referenceVersion.set({ list: 'datacentre' }, f.datacentre);
        for (const [asi, v] of f.sellers) referenceVersion.set({ list: `sellers:${asi}` }, v);
      }
      metrics.viewReady.set(views.consumer.ready ? 1 : 0);
      metrics.campaigns.set(views.index.size);
      metrics.allowances.set(views.budget.allowanceCount);
      metrics.blocklist.set(views.blocklist.size);
      for (const [tp, lag] of views.consumer.lag) metrics.viewLag.set({ topic: tp }, lag);
      eventStats();
    };
    const timer = setInterval(refresh, 1000);
    timer.unref();
    closers.push(() => Promise.resolve(clearInterval(timer)));

    const deps: ServerDeps = {
      cfg,
      keys: trackingKeys(cfg),
      ctx,
      views,
      profiles,
      events,
      spend: new GroupCommitPublisher(spend, topics.spend, 500, cfg.BIDDER_SPEND_QUEUE_MAX),
      topics,
      metrics,
      registry: o.registry,
      coordinator: o.coordinator,
      logger: log,
      ready: () => views.consumer.ready,
      base: publicUrl(cfg),
      privacy: bidPrivacy(cfg),
    };
    const app = createApp(deps);
    const sock = await listen(app, cfg.BIDDER_HOST, cfg.BIDDER_PORT);
    let open = true;
    const closeSocket = (): void => {
      if (open) uWS.us_listen_socket_close(sock);
      open = false;
    };
    // Stop accepting first so in-flight work drains while nothing new arrives.
    closers.push(() => Promise.resolve(closeSocket()));
    const port = uWS.us_socket_local_port(sock as unknown as uWS.us_socket);
    deps.base = publicUrl(cfg, port);
    void views.consumer.caughtUp.then(() => {
      refresh();
      log.info(
        { campaigns: views.index.size, allowances: views.budget.allowanceCount },
        'views caught up',
      );
    });
    return {
      port,
      views,
      metrics,
      recentWins,
      get ready() {
        return views.consumer.ready;
      },
      caughtUp: views.consumer.caughtUp,
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
