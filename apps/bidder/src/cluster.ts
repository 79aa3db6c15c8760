import { Worker } from 'node:worker_threads';
import {
  aggregateMetrics,
  type Logger,
  type MetricsSnapshot,
  type Registry,
} from '@streambid/adapters';
import type { EventProducer } from './events.js';

import { WinLedger } from './coordinator.js';
import type { ToMain, ToWorker, WorkerInit } from './protocol.js';

/**
 * Under tsx (dev, tests) the worker entry is TypeScript; Node 20 does not apply the parent's
 * `--import tsx` hooks to a worker's entry module in time, so the worker first registers tsx
 * itself. A compiled build loads `worker.js` directly.
 */
function spawnWorker(init: WorkerInit): Worker {
  if (!import.meta.url.endsWith('.ts'))
    return new Worker(new URL('./worker.js', import.meta.url), { workerData: init });
  const entry = JSON.stringify(new URL('./worker.ts', import.meta.url).href);
  const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${entry}); })`;
  return new Worker(boot, { eval: true, workerData: init });
}

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  workers: number;
  env: Record<string, string | undefined>;
  logger: Logger;
  dedupeSize: number;
  dedupeTtlMs: number;
  /** Produces the workers' fire-and-forget events (closed after the workers stop). */
  events: EventProducer;
  /** The main thread's own metrics (event production), aggregated with the workers'. */
  registry: Registry;
  /** Longest wait for a worker to stop on shutdown. @default 10000 */
  stopTimeoutMs?: number;
}

export interface Cluster {
  /** Resolves when every worker listens (rejects if one fails to start). */
  listening: Promise<void>;
  /** Resolves when a worker exits unexpectedly (the process should then stop). */
  died: Promise<string>;
  stop(): Promise<void>;
}

/**
 * The main thread of a multi-worker bidder: starts N workers on the same port and holds what
 * they share — the win-claim ledger (billing once across workers), the event producer (so
 * kafkajs' encoding never runs on a serving thread), metrics aggregation (series labelled by
 * worker; process_* values are process-wide and so repeat per worker) and readiness.
 */
export function startCluster(o: ClusterOptions): Cluster {
  const ledger = new WinLedger(o.dedupeSize, o.dedupeTtlMs);
  const log = o.logger.child({ module: 'cluster' });
  const workers: Worker[] = [];
  const ready = new Set<number>();
  let listeningCount = 0;
  let stopping = false;
  let scrapeSeq = 0;
  const scrapes = new Map<
    number,
    { metrics: MetricsSnapshot[]; waiting: number; done: (text: string) => void }
  >();
  let onListening!: () => void;
  let onFail!: (e: Error) => void;
  const listening = new Promise<void>((res, rej) => {
    onListening = res;
    onFail = rej;
  });
  let onDied!: (why: string) => void;
  const died = new Promise<string>((res) => {
    onDied = res;
  });

  const post = (w: Worker, m: ToWorker): void => w.postMessage(m);

  const scrape = (done: (text: string) => void): void => {
    const id = ++scrapeSeq;
    const s = { metrics: [] as MetricsSnapshot[], waiting: workers.length + 1, done };
    scrapes.set(id, s);
    for (const w of workers) post(w, { t: 'collect', id });
    void o.registry.getMetricsAsJSON().then((m) => collected(id, m));
  };

  const collected = (id: number, metrics: MetricsSnapshot): void => {
    const s = scrapes.get(id);
    if (!s) return;
    s.metrics.push(metrics);
    if (--s.waiting === 0) {
      scrapes.delete(id);
      void aggregateMetrics(s.metrics).then(s.done);
    }
  };

  for (let i = 0; i < o.workers; i++) {
    const init: WorkerInit = { env: o.env, worker: i, workers: o.workers };
    const w = spawnWorker(init);
    workers.push(w);
    w.on('message', (m: ToMain) => {
      switch (m.t) {
        case 'claim':
          post(w, { t: 'claim', id: m.id, ok: ledger.claim(m.bidId, Date.now()) });
          break;
        case 'settle':
          ledger.settle(m.bidId, m.billed, Date.now());
          if (m.win)
            for (const other of workers)
              if (other !== w) post(other, { t: 'recentWin', win: m.win });
          break;
        case 'metrics':
          scrape((text) => post(w, { t: 'metrics', id: m.id, text }));
          break;
        case 'collected':
          collected(m.id, m.metrics);
          break;
        case 'events':
          o.events.deliver(m.batch);
          break;
        case 'listening':
          if (++listeningCount === o.workers) onListening();
          break;
        case 'ready':
          ready.add(i);
          if (ready.size === o.workers) {
            log.info({ workers: o.workers }, 'all workers ready');
            for (const x of workers) post(x, { t: 'allReady' });
          }
          break;
        case 'fatal':
          onFail(new Error(`worker ${String(i)}: ${m.message}`));
          break;
      }
    });
    w.on('error', (err) => {
      log.error({ err, worker: i }, 'worker crashed');
      onFail(err);
    });
    w.on('exit', (code) => {
      if (!stopping) onDied(`worker ${String(i)} exited with code ${String(code)}`);
    });
  }

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(
              () => void w.terminate().then(() => resolve()),
              o.stopTimeoutMs ?? 10_000,
            );
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            post(w, { t: 'stop' });
          }),
      ),
    );
    // The workers handed over their last events before exiting.
    await o.events.close(5000);
  };

  return { listening, died, stop };
}
