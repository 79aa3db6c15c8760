import { randomBytes } from 'node:crypto';
import { Counter, createMetricsRegistry, runApp } from '@streambid/adapters';
import { catalogue } from '@streambid/contracts';
import { loadAssets } from './assets.js';
import { dashboardEnv, loadDashboardConfig } from './config.js';
import { scrapeAll } from './scraper.js';
import { startDashboardServer } from './server.js';
import { History, SnapshotBuilder } from './snapshot.js';
import { StreamFeed } from './stream-feed.js';
import { StreamView } from './stream-view.js';

/**
 * Composition root: config, the stream view and its consumers, the server, the once-a-second
 * scrape → snapshot → publish loop; drains on SIGTERM/SIGINT through the service kit. Exit
 * status: 0 after a drain, 1 on a fatal error, 2 on a bad command line or environment.
 */
void runApp({
  name: 'dashboard',
  about:
    'Live multi-region dashboard: one page from uWS, updated every second over a WebSocket with each region’s QPS, bid rate, p50/p99 latency, win rate, spend against budget, blocklist, invalid sites and replication lag, from the services’ /metrics and the streams.',
  env: dashboardEnv,
  envFile: import.meta.resolve('./config.js'),
  config: () => loadDashboardConfig(),
  run: async ({ config: cfg, logger, closers, stopped }) => {
    const log = logger.child({ module: 'main' });
    const token = cfg.DASHBOARD_TOKEN ?? randomBytes(18).toString('base64url');
    const registry = createMetricsRegistry('dashboard');
    const scrapes = new Counter({
      name: 'dashboard_scrapes_total',
      help: 'Scrapes of the services’ /metrics, by service and outcome (ok, failed)',
      labelNames: ['service', 'outcome'],
      registers: [registry],
    });
    const view = new StreamView();
    const feed = new StreamFeed({
      brokers: cfg.brokers,
      topics: catalogue(cfg.TOPIC_NAMESPACE),
      view,
      logger,
    });
    closers.push('stream feed', () => feed.stop());
    const history = new History(cfg.DASHBOARD_HISTORY);
    const builder = new SnapshotBuilder(cfg.DASHBOARD_REGIONS, {
      topCampaigns: cfg.DASHBOARD_TOP_CAMPAIGNS,
      topSites: cfg.DASHBOARD_TOP_SITES,
    });
    const server = await startDashboardServer({
      host: cfg.DASHBOARD_HOST,
      port: cfg.DASHBOARD_PORT,
      token,
      assets: loadAssets(),
      history: () => history.all(),
      registry,
      health: () => ({ ok: true, streams: feed.status(), snapshots: history.all().length }),
      logger,
    });
    closers.push('server', () => server.close());

    // Scrape, build and publish once per interval; a slow round delays the next, never overlaps.
    let timer: NodeJS.Timeout | undefined;
    let running = true;
    const round = async (started: number): Promise<void> => {
      const results = await scrapeAll(cfg.targets, Math.min(2000, cfg.DASHBOARD_SCRAPE_MS * 0.8));
      for (const r of results)
        scrapes.inc({ service: r.target.service, outcome: r.ok ? 'ok' : 'failed' });
      const snapshot = builder.build(started, results, view);
      history.push(snapshot);
      server.publish(snapshot);
    };
    const tick = (): void => {
      const started = Date.now();
      round(started)
        .catch((err: unknown) => log.error({ err }, 'dashboard round failed'))
        .finally(() => {
          const wait = Math.max(0, cfg.DASHBOARD_SCRAPE_MS - (Date.now() - started));
          if (running) timer = setTimeout(tick, wait);
        });
    };
    closers.push('scrape loop', () => {
      running = false;
      clearTimeout(timer);
    });
    tick();
    const host = cfg.DASHBOARD_HOST === '0.0.0.0' ? '127.0.0.1' : cfg.DASHBOARD_HOST;
    process.stdout.write(`dashboard: http://${host}:${String(server.port)}/?token=${token}\n`);
    log.info(
      { port: server.port, regions: cfg.DASHBOARD_REGIONS, targets: cfg.targets.length },
      'dashboard running',
    );
    // The streams connect in the background: the page serves /metrics panels meanwhile.
    void feed.start();
    await stopped;
  },
});
