import uWS from 'uWebSockets.js';
import {
  Counter,
  createKafka,
  createMetricsRegistry,
  ReplicationLagRecorder,
  createPublisher,
  defaultBrokers,
  ensureTopics,
  Gauge,
  StreamConsumer,
  subscribe,
  writeJson,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import { catalogue, type Campaign, type Spend } from '@streambid/contracts';
import type { InventoryConfig } from './config.js';
import { CampaignView } from './domain/campaign-view.js';
import { SpendLedger } from './domain/ledger.js';
import { createRouter } from './http/router.js';
import { campaignRoutes } from './http/routes.js';
import { BudgetController } from './stream/budget-controller.js';
import { CampaignStore } from './stream/campaign-store.js';

/** A running inventory service. */
export interface InventoryService {
  /** Port the API listens on (useful with port 0 in tests). */
  port: number;
  view: CampaignView;
  ledger: SpendLedger;
  budget: BudgetController;
  /** Resolves once the campaign and spend views have caught up with their topics. */
  ready: Promise<void>;
  /** Stops accepting requests, finishes the budget round in flight, disconnects. */
  close(): Promise<void>;
}

/**
 * Builds and starts the service: rebuilds the campaign view and the global spend ledger from the
 * log (private consumer groups read every topic and its remote copies from the beginning), serves
 * the API, and runs the budget loop once the views have caught up.
 */
export async function startInventory(
  cfg: InventoryConfig,
  logger: Logger,
): Promise<InventoryService> {
  const log = logger.child({ module: 'inventory' });
  const topics = catalogue(cfg.TOPIC_NAMESPACE);
  const kafka = createKafka({
    clientId: `inventory-${cfg.REGION}`,
    brokers: defaultBrokers(cfg.REGION, cfg.KAFKA_BROKERS),
    logger,
  });
  const closers: (() => Promise<void>)[] = [];
  const closeAll = async (): Promise<void> => {
    for (const c of closers.reverse()) {
      try {
        await c();
      } catch (err) {
        log.warn({ err }, 'error while closing');
      }
    }
  };

  try {
    await ensureTopics(kafka, [topics.campaigns, topics.budget, topics.spend, topics.deadLetter]);
    const publisher: Publisher = await createPublisher(kafka);
    closers.push(() => publisher.close());

    const registry = createMetricsRegistry('inventory', { region: cfg.REGION });
    const requests = new Counter({
      name: 'inventory_http_requests_total',
      help: 'API requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    const spendEvents = new Counter({
      name: 'inventory_spend_events_total',
      help: 'Spend events read, by source region and outcome (counted or duplicate)',
      labelNames: ['source_region', 'outcome'],
      registers: [registry],
    });
    const allowancesPublished = new Counter({
      name: 'inventory_allowances_published_total',
      help: 'Budget allowances published',
      registers: [registry],
    });

    const view = new CampaignView();
    const ledger = new SpendLedger();
    let isReady = false;
    new Gauge({
      name: 'inventory_campaigns',
      help: 'Campaigns in the view, by status',
      labelNames: ['status'],
      registers: [registry],
      collect() {
        this.reset();
        for (const c of view.list()) this.inc({ status: c.status });
      },
    });
    new Gauge({
      name: 'inventory_ready',
      help: '1 once the views have caught up with the log',
      registers: [registry],
      collect() {
        this.set(isReady ? 1 : 0);
      },
    });
    new Gauge({
      name: 'inventory_dedupe_event_ids',
      help: 'Spend event ids held for exactly-once counting',
      registers: [registry],
      collect() {
        this.set(ledger.trackedEventIds);
      },
    });

    const replicationLag = new ReplicationLagRecorder({ registry });
    const consumer = (name: string, sub: Parameters<typeof subscribe>[0]): StreamConsumer =>
      new StreamConsumer({
        kafka,
        service: `inventory-${cfg.REGION}-${name}`,
        subscriptions: [subscribe(sub)],
        deadLetter: publisher,
        deadLetterTopic: topics.deadLetter.name,
        logger: logger.child({ module: `consumer-${name}` }),
        replicationLag,
      });
    const campaignsIn = consumer('campaigns', {
      topic: topics.campaigns,
      includeRemotes: true,
      handle: (recs) => {
        for (const r of recs) view.apply(r.key, r.value as Campaign | null);
      },
    });
    const spendIn = consumer('spend', {
      topic: topics.spend,
      includeRemotes: true,
      handle: (recs) => {
        for (const r of recs) {
          if (!r.value) continue;
          const counted = ledger.record(r.value as Spend);
          spendEvents.inc({
            source_region: (r.value as Spend).region,
            outcome: counted ? 'counted' : 'duplicate',
          });
        }
      },
    });
    closers.push(() => campaignsIn.stop());
    closers.push(() => spendIn.stop());

    const budget = new BudgetController({
      view,
      ledger,
      publisher,
      topics,
      region: cfg.REGION,
      regions: cfg.INVENTORY_REGIONS,
      intervalMs: cfg.BUDGET_INTERVAL_MS,
      refreshMs: cfg.BUDGET_REFRESH_MS,
      logger: logger.child({ module: 'budget' }),
      onPublished: (n) => allowancesPublished.inc(n),
    });
    closers.push(() => budget.stop());

    const store = new CampaignStore(publisher, topics, view, cfg.WRITE_VISIBLE_TIMEOUT_MS);
    const app = uWS.App();
    const router = createRouter(app, {
      token: cfg.INVENTORY_TOKEN,
      logger: logger.child({ module: 'http' }),
      observe: (route, status) => requests.inc({ route, status: String(status) }),
    });
    campaignRoutes(router, {
      region: cfg.REGION,
      view,
      ledger,
      store,
      budget,
      registry,
      ready: () => isReady,
    });
    app.any('/*', (res) => {
      writeJson(res, 404, { error: 'not_found', message: 'no such route' });
    });
    const listen = await new Promise<uWS.us_listen_socket>((resolve, reject) => {
      app.listen(cfg.INVENTORY_HOST, cfg.INVENTORY_PORT, (s) => {
        if (s) resolve(s);
        else
          reject(
            new Error(
              `INVENTORY_PORT: cannot listen on ${cfg.INVENTORY_HOST}:${String(cfg.INVENTORY_PORT)}`,
            ),
          );
      });
    });
    closers.push(() => {
      uWS.us_listen_socket_close(listen);
      return Promise.resolve();
    });
    const port = uWS.us_socket_local_port(listen);
    log.info({ port, region: cfg.REGION }, 'listening; rebuilding views from the log');

    await Promise.all([campaignsIn.start(), spendIn.start()]);
    const ready = Promise.all([campaignsIn.caughtUp, spendIn.caughtUp]).then(() => {
      isReady = true;
      // Allocating before the spend view caught up would hand out budget already spent.
      budget.start();
      log.info(
        { campaigns: view.size, spendEventIds: ledger.trackedEventIds },
        'views rebuilt; serving',
      );
    });

    return { port, view, ledger, budget, ready, close: closeAll };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
