import type { MetricsSnapshot } from '@streambid/adapters';
import type { RecentWin } from './coordinator.js';
import type { StreamEvent } from './events.js';

/** Messages from a worker thread to the main thread. */
export type ToMain =
  | { t: 'claim'; id: number; bidId: string }
  | { t: 'settle'; bidId: string; billed: boolean; win?: RecentWin | undefined }
  | { t: 'events'; batch: StreamEvent[] }
  | { t: 'metrics'; id: number }
  | { t: 'collected'; id: number; metrics: MetricsSnapshot }
  | { t: 'listening'; port: number }
  | { t: 'ready' }
  | { t: 'fatal'; message: string };

/** Messages from the main thread to a worker thread. */
export type ToWorker =
  | { t: 'claim'; id: number; ok: boolean }
  | { t: 'metrics'; id: number; text: string }
  | { t: 'collect'; id: number }
  | { t: 'recentWin'; win: RecentWin }
  | { t: 'allReady' }
  | { t: 'stop' };

/** What each worker is started with. */
export interface WorkerInit {
  env: Record<string, string | undefined>;
  worker: number;
  workers: number;
}
