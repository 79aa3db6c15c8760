import uWS from 'uWebSockets.js';
import {
  Closers,
  Counter,
  createKafka,
  createMetricsRegistry,
  ReplicationLagRecorder,
  createPublisher,
  defaultBrokers,
  ensureTopics,
  Gauge,
  listen,
  StreamConsumer,
  subscribe,
  type Logger,
  type Publisher,
} from '@streambid/adapters';
import { catalogue, type Campaign, type Spend, type SpendTotal } from '@streambid/contracts';
import type { InventoryConfig } from './config.js';
import { CampaignView } from './domain/campaign-view.js';
import { SpendLedger } from './domain/ledger.js';
import { createRouter } from './http/router.js';
import { campaignRoutes } from './http/routes.js';
import { BudgetController } from './stream/budget-controller.js';
import { CampaignStore } from './stream/campaign-store.js';
import { SpendTotalsWriter } from './stream/spend-totals-writer.js';

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
  const closers = new Closers(log);
  const closeAll = (): Promise<void> => closers.closeAll();

  try {
    await ensureTopics(kafka, [
      topics.campaigns,
      topics.budget,
      topics.spend,
      topics.spendTotals,
      topics.deadLetter,
    ]);
    const publisher: Publisher = await createPublisher(kafka);
    closers.push('publisher', () => publisher.close());

    const registry = createMetricsRegistry('inventory', { region: cfg.REGION });
    const requests = new Counter({
      name: 'inventory_http_requests_total',
      help: 'API requests by route and status',
      labelNames: ['route', 'status'],
      registers: [registry],
    });
    const spendEvents = new Counter({
      name: 'inventory_spend_events_total',
      help: 'Spend events read, by source region and outcome (counted, duplicate, or covered by a total)',
      labelNames: ['source_region', 'outcome'],
      registers: [registry],
    });
    const totalsRounds = new Counter({
      name: 'inventory_spend_totals_rounds_total',
      help: 'Rounds of the spend-totals writer, by outcome (written, skipped while a view was behind)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    const totalsWritten = new Counter({
      name: 'inventory_spend_totals_written_total',
      help: 'Cumulative spend totals written to spend-totals',
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
    let serving = (): boolean => false;
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
      help: '1 once the views have caught up with the log, while their consumers are alive',
      registers: [registry],
      collect() {
        this.set(serving() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'inventory_budget_paused',
      help: '1 while the banker publishes no allowances because the spend view is unhealthy',
      registers: [registry],
      collect() {
        this.set(isReady && !spendIn.healthy ? 1 : 0);
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
    // Spend events and cumulative totals feed one ledger, through one consumer: caught up means
    // both, so nothing is allocated (or cut) from half of the history.
    const spendIn = new StreamConsumer({
      kafka,
      service: `inventory-${cfg.REGION}-spend`,
      subscriptions: [
        subscribe({
          topic: topics.spend,
          includeRemotes: true,
          handle: (recs) => {
            for (const r of recs) {
              if (!r.value) continue;
              const s = r.value as Spend;
              spendEvents.inc({ source_region: s.region, outcome: ledger.record(s) });
            }
          },
        }),
        subscribe({
          topic: topics.spendTotals,
          includeRemotes: true,
          handle: (recs) => {
            for (const r of recs) if (r.value) ledger.applyTotal(r.value as SpendTotal);
          },
        }),
      ],
      deadLetter: publisher,
      deadLetterTopic: topics.deadLetter.name,
      logger: logger.child({ module: 'consumer-spend' }),
      replicationLag,
    });
    closers.push('campaigns consumer', () => campaignsIn.stop());
    closers.push('spend consumer', () => spendIn.stop());
    // A crashed consumer leaves its view frozen: the service must not look ready on it.
    serving = () => isReady && campaignsIn.healthy && spendIn.healthy;

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
      // A frozen spend view would hand out budget already spent: no new allowances on it.
      paused: () => !spendIn.healthy,
    });
    closers.push('budget', () => budget.stop());
    const totalsWriter = new SpendTotalsWriter({
      ledger,
      publisher,
      topics,
      region: cfg.REGION,
      spendIn,
      totalsRead: () => spendIn.ready,
      intervalMs: cfg.SPEND_TOTALS_INTERVAL_MS,
      settleMs: cfg.SPEND_TOTALS_SETTLE_MS,
      logger: logger.child({ module: 'spend-totals' }),
      onWritten: (n) => {
        totalsRounds.inc({ outcome: 'written' });
        totalsWritten.inc(n);
      },
      onSkipped: () => totalsRounds.inc({ outcome: 'skipped' }),
    });
    closers.push('spend totals', () => totalsWriter.stop());

    const store = new CampaignStore(publisher, topics, view, cfg.WRITE_VISIBLE_TIMEOUT_MS);
    const app = uWS.App();
    const router = createRouter(app, {
      token: cfg.INVENTORY_TOKEN,
      logger: logger.child({ module: 'http' }),
      registry,
      observe: (route, status) => requests.inc({ route, status: String(status) }),
    });
    campaignRoutes(router, {
      region: cfg.REGION,
      view,
      ledger,
      store,
      budget,
      registry,
      ready: () => serving(),
    });
    router.any('/*', { name: 'not_found', auth: false, query: 'ignored' }, () => ({
      status: 404,
      json: { error: 'not_found', message: 'no such route' },
    }));
    const listening = await listen(app, cfg.INVENTORY_HOST, cfg.INVENTORY_PORT, 'INVENTORY_PORT');
    closers.push('listen socket', () => listening.close());
    const port = listening.port;
    log.info({ port, region: cfg.REGION }, 'listening; rebuilding views from the log');

    await Promise.all([campaignsIn.start(), spendIn.start()]);
    const ready = Promise.all([campaignsIn.caughtUp, spendIn.caughtUp]).then(() => {
      isReady = true;
      // Allocating before the spend view caught up would hand out budget already spent.
      budget.start();
      totalsWriter.start();
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
