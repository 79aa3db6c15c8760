import { parentPort, workerData } from 'node:worker_threads';
import { createHandlerGuard, createLogger, createMetricsRegistry } from '@streambid/adapters';
import { startBidder, type BidderInstance } from '../bidder.js';
import { loadBidderConfig } from '../config.js';
import type { Claim } from '../stream/billing.js';
import type { Coordinator } from './coordinator.js';
import { registerFaultRoutes } from '../http/fault-routes.js';
import type { ToMain, ToWorker, WorkerInit } from './protocol.js';
import { closeThreadApps, exposeEmergencyClose, trackThreadApps } from './thread-apps.js';
import { startHeartbeat } from './watchdog.js';

/**
 * One serving thread: its own uWS app on the shared port and its own views built from Kafka (each
 * worker reads the streams itself: no cross-thread copies of the views on the bid path). Claims
 * on win notices, metrics aggregation and readiness go through the main thread, and so do
 * fire-and-forget events, which the main thread validates and produces.
 *
 * The main thread supervises it: this thread beats a heartbeat, and whatever way it ends (stop,
 * uncaught exception, failed start, or terminated when stalled) its uWS sockets are closed first,
 * since a thread ending with one open aborts the whole process.
 */
const port = parentPort;
if (!port) throw new Error('worker.ts must run in a worker thread');
const init = workerData as WorkerInit;
const send = (m: ToMain): void => port.postMessage(m);

const cfg = loadBidderConfig(init.env);
const logger = createLogger({ service: 'bidder', level: cfg.LOG_LEVEL }).child({
  worker: init.worker,
});
const registry = createMetricsRegistry('bidder', {
  region: cfg.REGION,
  worker: String(init.worker),
});

/** How long a dying thread may spend handing over its events and leaving Kafka. */
const DYING_CLEANUP_MS = 1000;

let instance: BidderInstance | undefined;
let ending = false;

/** Ends the thread after an uncaught exception or a failed start, closing its sockets first. */
function die(kind: 'crashed' | 'fatal', err: unknown): void {
  if (ending) return;
  ending = true;
  logger.fatal({ err }, kind === 'crashed' ? 'uncaught exception; worker exits' : 'worker failed');
  // Stop accepting and drop every connection now: requests in flight on this thread fail at once
  // instead of hanging. The instance's own clean-up (events, Kafka) gets a bounded moment.
  const closing = instance?.close() ?? Promise.resolve();
  instance = undefined;
  closeThreadApps();
  send({ t: kind, message: err instanceof Error ? err.message : String(err) });
  const deadline = new Promise((r) => setTimeout(r, DYING_CLEANUP_MS));
  void Promise.race([closing.catch(() => undefined), deadline]).finally(() => {
    // An app created by a start-up still under way meanwhile.
    closeThreadApps();
    logger.flush(() => process.exit(1));
  });
}

process.on('uncaughtException', (err) => die('crashed', err));
trackThreadApps((app) => {
  if (cfg.BIDDER_FAULT_ROUTES) registerFaultRoutes(app, createHandlerGuard({ registry, logger }));
});
exposeEmergencyClose();
const stopHeartbeat = startHeartbeat(init.heartbeat, cfg.BIDDER_WATCHDOG_INTERVAL_MS);

let seq = 0;
const claims = new Map<number, (claim: Claim) => void>();
const scrapes = new Map<number, (text: string) => void>();
let clusterReady = false;

const coordinator: Coordinator = {
  claimWin: (bidId) =>
    new Promise((resolve) => {
      const id = ++seq;
      claims.set(id, resolve);
      send({ t: 'claim', id, bidId });
    }),
  settleWin: (bidId, billed, win) => send({ t: 'settle', bidId, billed, win }),
  shareWin: (win) => send({ t: 'win', win }),
  metricsText: () =>
    new Promise((resolve) => {
      const id = ++seq;
      scrapes.set(id, resolve);
      send({ t: 'metrics', id });
    }),
  allReady: () => clusterReady,
};

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'claim':
      claims.get(m.id)?.(m.claim);
      claims.delete(m.id);
      break;
    case 'metrics':
      scrapes.get(m.id)?.(m.text);
      scrapes.delete(m.id);
      break;
    case 'collect':
      void registry
        .getMetricsAsJSON()
        .then((metrics) => send({ t: 'collected', id: m.id, metrics }));
      break;
    case 'recentWin':
      instance?.recentWins.record(m.win.userId, m.win.campaignId, m.win.ts);
      break;
    case 'clusterReady':
      clusterReady = m.ready;
      break;
    case 'stop':
      void stop();
      break;
  }
});

async function stop(): Promise<void> {
  if (ending) return;
  ending = true;
  stopHeartbeat();
  const i = instance;
  instance = undefined;
  try {
    if (i) await i.close();
  } finally {
    // Idle keep-alive connections would keep the thread alive, and end it with open handles.
    closeThreadApps();
    logger.flush();
    port?.close();
  }
}

try {
  if (cfg.BIDDER_FAULT_ROUTES) logger.warn('fault-injection routes are on (never in production)');
  const started = await startBidder({
    cfg,
    logger,
    registry,
    coordinator,
    paceShare: 1 / init.workers,
    ensureTopics: false,
    deliverEvents: (batch) => send({ t: 'events', batch }),
  });
  instance = started;
  // A stop that arrived during start-up finds no instance: close this one now.
  if (ending) await started.close().finally(closeThreadApps);
  else {
    send({ t: 'listening', port: started.port });
    await started.caughtUp;
    send({ t: 'ready' });
  }
} catch (err) {
  die('fatal', err);
}
