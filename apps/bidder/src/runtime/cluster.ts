import { performance } from 'node:perf_hooks';
import type { Worker } from 'node:worker_threads';
import type { Logger, Registry } from '@streambid/adapters';
import type { BillingLedger } from '../stream/billing.js';
import type { EventProducer } from './events.js';
import { createSupervisionMetrics, RESTART_REASONS } from '../metrics.js';
import type { ToMain } from './protocol.js';
import { Scrapes } from './scrapes.js';
import { WorkerSlot } from './worker-slot.js';

/** Options of {@link startCluster}. */
export interface ClusterOptions {
  workers: number;
  env: Record<string, string | undefined>;
  logger: Logger;
  /** The process's billing ledger (its claims are taken here, for every worker). */
  ledger: BillingLedger;
  /** Produces the workers' fire-and-forget events (closed after the workers stop). */
  events: EventProducer;
  /** The main thread's own metrics (event production, supervision), aggregated with the workers'. */
  registry: Registry;
  /** How often the heartbeats are checked. @default 250 */
  watchdogIntervalMs?: number;
  /** A heartbeat that has not moved for this long is a stall; 0 turns the watchdog off. @default 2000 */
  watchdogLimitMs?: number;
  /** Longest wait for a worker to stop on shutdown. @default 10000 */
  stopTimeoutMs?: number;
}

export interface Cluster {
  /** Resolves when every worker listens; rejects if one fails before that (nothing is replaced yet). */
  listening: Promise<void>;
  stop(): Promise<void>;
}

/**
 * The main thread of a multi-worker bidder: starts N supervised workers on the same port (see
 * `worker-slot.ts`: a worker that dies or stalls is replaced) and holds what they share — the
 * win-claim ledger (billing once across workers), the event producer (so kafkajs' encoding never
 * runs on a serving thread), metrics aggregation (series labelled by worker; process_* values are
 * process-wide and so repeat per worker) and readiness: every worker up and caught up, which
 * turns false while one is being replaced.
 */
export function startCluster(o: ClusterOptions): Cluster {
  const ledger = o.ledger;
  const log = o.logger.child({ module: 'cluster' });
  const metrics = createSupervisionMetrics(o.registry);
  for (const reason of Object.values(RESTART_REASONS)) metrics.restarts.inc({ reason }, 0);
  const scrapes = new Scrapes();
  // Claims taken and not settled, per thread: released if the thread dies holding them.
  const claims = new Map<Worker, Set<string>>();
  const slots: WorkerSlot[] = [];
  let started = false;
  let clusterReady = false;
  let onListening!: () => void;
  let onFail!: (e: Error) => void;
  const listening = new Promise<void>((res, rej) => {
    onListening = res;
    onFail = rej;
  });

  const changed = (): void => {
    const up = serving(slots);
    metrics.live.set(up.length);
    for (const s of slots) if (s.state === 'down') scrapes.gone(s.worker);
    if (!started && up.length === slots.length && slots.length === o.workers) {
      started = true;
      onListening();
    }
    const ready = slots.length === o.workers && slots.every((s) => s.state === 'ready');
    if (ready === clusterReady) return;
    clusterReady = ready;
    if (ready) log.info({ workers: o.workers }, 'all workers ready');
    else log.warn({ live: up.length, workers: o.workers }, 'cluster not ready: a worker is down');
    for (const s of slots) s.post({ t: 'clusterReady', ready });
  };

  const gone = (w: Worker, why: string): boolean => {
    scrapes.gone(w);
    releaseClaims(ledger, claims, w);
    if (started) return true;
    // A worker that cannot start before the first listen is a configuration or environment
    // problem: fail the start instead of retrying.
    onFail(new Error(why));
    return false;
  };

  const message = handleMessage(o, ledger, claims, scrapes, slots, log);
  for (let i = 0; i < o.workers; i++)
    slots.push(
      new WorkerSlot({
        index: i,
        workers: o.workers,
        env: o.env,
        watchdogLimitMs: o.watchdogLimitMs ?? 2000,
        log,
        metrics,
        hooks: { message, changed, gone },
      }),
    );
  changed();
  const watchdog = setInterval(() => {
    const now = performance.now();
    for (const s of slots) s.check(now);
  }, o.watchdogIntervalMs ?? 250);
  watchdog.unref();

  const stop = async (): Promise<void> => {
    clearInterval(watchdog);
    await Promise.all(slots.map((s) => s.stop(o.stopTimeoutMs ?? 10_000)));
    // The workers handed over their last events before exiting.
    await o.events.close(5000);
  };

  return { listening, stop };
}

/** The slots whose worker serves the port now. */
function serving(slots: readonly WorkerSlot[]): WorkerSlot[] {
  return slots.filter((s) => s.state === 'listening' || s.state === 'ready');
}

function releaseClaims(ledger: BillingLedger, claims: Map<Worker, Set<string>>, w: Worker): void {
  const held = claims.get(w);
  claims.delete(w);
  // Not known to be billed: a retried notice may bill it (the spend view dedupes what reached the log).
  for (const bidId of held ?? []) ledger.settle(bidId, undefined, Date.now());
}

/** The cluster's side of the worker protocol. */
function handleMessage(
  o: ClusterOptions,
  ledger: BillingLedger,
  claims: Map<Worker, Set<string>>,
  scrapes: Scrapes,
  slots: readonly WorkerSlot[],
  log: Logger,
): (w: Worker, m: ToMain) => void {
  return (w, m) => {
    switch (m.t) {
      case 'claim': {
        const claim = ledger.claim(m.bidId, Date.now());
        if (claim === 'claimed') {
          let held = claims.get(w);
          if (!held) claims.set(w, (held = new Set()));
          held.add(m.bidId);
        }
        w.postMessage({ t: 'claim', id: m.id, claim });
        break;
      }
      case 'settle':
        claims.get(w)?.delete(m.bidId);
        ledger.settle(m.bidId, m.billed, Date.now());
        if (m.win)
          for (const s of slots) if (s.worker !== w) s.post({ t: 'recentWin', win: m.win });
        break;
      case 'win':
        for (const s of slots) if (s.worker !== w) s.post({ t: 'recentWin', win: m.win });
        break;
      case 'metrics': {
        scrapes.start(
          serving(slots).map((s) => s.worker),
          o.registry.getMetricsAsJSON(),
          (x, id) => x.postMessage({ t: 'collect', id }),
          (text) => w.postMessage({ t: 'metrics', id: m.id, text }),
        );
        break;
      }
      case 'collected':
        scrapes.collected(w, m.id, m.metrics);
        break;
      case 'events':
        o.events.deliver(m.batch);
        break;
      default:
        log.warn({ type: m.t }, 'unexpected worker message');
    }
  };
}
