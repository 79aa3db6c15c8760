import type { MetricsSnapshot } from '@streambid/adapters';
import type { BilledSpend, Claim } from '../stream/billing.js';
import type { RecentWin } from './coordinator.js';
import type { StreamEvent } from './events.js';

/** Messages from a worker thread to the main thread. */
export type ToMain =
  | { t: 'claim'; id: number; bidId: string }
  | {
      t: 'settle';
      bidId: string;
      billed?: BilledSpend | undefined;
      win?: RecentWin | undefined;
    }
  | { t: 'win'; win: RecentWin }
  | { t: 'events'; batch: StreamEvent[] }
  | { t: 'metrics'; id: number }
  | { t: 'collected'; id: number; metrics: MetricsSnapshot }
  | { t: 'listening'; port: number }
  | { t: 'ready' }
  /** Failed to start; the thread exits next. */
  | { t: 'fatal'; message: string }
  /** An uncaught exception: the thread closed its sockets and exits next. */
  | { t: 'crashed'; message: string };

/** Messages from the main thread to a worker thread. */
export type ToWorker =
  | { t: 'claim'; id: number; claim: Claim }
  | { t: 'metrics'; id: number; text: string }
  | { t: 'collect'; id: number }
  | { t: 'recentWin'; win: RecentWin }
  /** Every worker is up and caught up (sent on each change: a replaced worker makes it false). */
  | { t: 'clusterReady'; ready: boolean }
  | { t: 'stop' };

/**
 * What the main thread evaluates inside a stalled worker (through the inspector, which runs it as
 * a V8 interrupt) to close the worker's sockets before terminating it. `thread-apps.ts` defines it.
 */
export const EMERGENCY_CLOSE_KEY = 'streambid.bidder.closeServing';
export const EMERGENCY_CLOSE_EXPRESSION = `globalThis[Symbol.for('${EMERGENCY_CLOSE_KEY}')]()`;

/** What each worker is started with. */
export interface WorkerInit {
  env: Record<string, string | undefined>;
  worker: number;
  workers: number;
  /** One Int32 the worker increments every `BIDDER_WATCHDOG_INTERVAL_MS`; the main thread reads it. */
  heartbeat: SharedArrayBuffer;
}
