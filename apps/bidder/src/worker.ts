import { parentPort, workerData } from 'node:worker_threads';
import { createLogger, createMetricsRegistry } from '@streambid/adapters';
import { startBidder, type BidderInstance } from './bidder.js';
import { loadBidderConfig } from './config.js';
import type { Coordinator } from './coordinator.js';
import type { ToMain, ToWorker, WorkerInit } from './protocol.js';

/**
 * One serving thread: its own uWS app on the shared port and its own views built from Kafka (each
 * worker reads the streams itself: no cross-thread copies of the views on the bid path). Claims
 * on win notices, metrics aggregation and readiness go through the main thread, and so do
 * fire-and-forget events, which the main thread validates and produces.
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

let seq = 0;
const claims = new Map<number, (ok: boolean) => void>();
const scrapes = new Map<number, (text: string) => void>();
let allReady = false;

const coordinator: Coordinator = {
  claimWin: (bidId) =>
    new Promise((resolve) => {
      const id = ++seq;
      claims.set(id, resolve);
      send({ t: 'claim', id, bidId });
    }),
  settleWin: (bidId, billed, win) => send({ t: 'settle', bidId, billed, win }),
  metricsText: () =>
    new Promise((resolve) => {
      const id = ++seq;
      scrapes.set(id, resolve);
      send({ t: 'metrics', id });
    }),
  allReady: () => allReady,
};

let instance: BidderInstance | undefined;

port.on('message', (m: ToWorker) => {
  switch (m.t) {
    case 'claim':
      claims.get(m.id)?.(m.ok);
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
    case 'allReady':
      allReady = true;
      break;
    case 'stop':
      void stop();
      break;
  }
});

async function stop(): Promise<void> {
  const i = instance;
  instance = undefined;
  try {
    if (i) await i.close();
  } finally {
    logger.flush();
    port?.close();
  }
}

try {
  instance = await startBidder({
    cfg,
    logger,
    registry,
    coordinator,
    paceShare: 1 / init.workers,
    ensureTopics: false,
    deliverEvents: (batch) => send({ t: 'events', batch }),
  });
  send({ t: 'listening', port: instance.port });
  await instance.caughtUp;
  send({ t: 'ready' });
} catch (err) {
  logger.error({ err }, 'worker failed to start');
  send({ t: 'fatal', message: err instanceof Error ? err.message : String(err) });
}
