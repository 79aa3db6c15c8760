import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@streambid/adapters';
import { evaluateInWorker } from './interrupt.js';
import { RESTART_REASONS, type RestartReason, type SupervisionMetrics } from '../metrics.js';
import {
  EMERGENCY_CLOSE_EXPRESSION,
  type ToMain,
  type ToWorker,
  type WorkerInit,
} from './protocol.js';
import { readHeartbeat, restartDelayMs, StallDetector } from './watchdog.js';

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

/** `down`: gone or going (crashed, stalled, failed to start); `stopped`: stopped on purpose. */
export type SlotState = 'starting' | 'listening' | 'ready' | 'down' | 'stopped';

/** What a slot tells the cluster. */
export interface SlotHooks {
  /** A message the cluster handles (claims, metrics, events). */
  message(w: Worker, m: ToMain): void;
  /** The slot's state changed (readiness, live count). */
  changed(): void;
  /** The slot's thread ended; return false to leave the slot down instead of replacing it. */
  gone(w: Worker, why: string): boolean;
}

export interface SlotOptions {
  index: number;
  workers: number;
  env: Record<string, string | undefined>;
  /** 0: no watchdog. */
  watchdogLimitMs: number;
  log: Logger;
  metrics: SupervisionMetrics;
  hooks: SlotHooks;
}

/** How long a worker that said it is dying may take to exit before it is terminated. */
const DYING_GRACE_MS = 5000;
/** When to log that a stalled worker has not run the emergency close yet. */
const INTERRUPT_WARN_MS = 5000;

/**
 * One supervised worker thread: starts it, watches its heartbeat, and replaces it when it dies,
 * stalls or fails to start (at once the first time, with back-off while it keeps failing). A
 * thread is only ever terminated once its uWS sockets are closed (see `thread-apps.ts`).
 */
export class WorkerSlot {
  state: SlotState = 'starting';
  worker!: Worker;
  private heartbeat = new SharedArrayBuffer(4);
  private detector!: StallDetector;
  private downReason: RestartReason = RESTART_REASONS.crash;
  private failures = 0;
  private exited = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(private readonly o: SlotOptions) {
    this.log = o.log.child({ worker: o.index });
    this.spawn();
  }

  post(m: ToWorker): void {
    if (!this.exited) this.worker.postMessage(m);
  }

  /** Called every watchdog interval. */
  check(now: number): void {
    if (this.state !== 'starting' && this.state !== 'listening' && this.state !== 'ready') return;
    if (this.detector.stalled(readHeartbeat(this.heartbeat), now)) this.onStall();
  }

  /** Stops the thread; resolves once it exited (or after `timeoutMs`, closing it first). */
  async stop(timeoutMs: number): Promise<void> {
    clearTimeout(this.restartTimer);
    this.state = 'stopped';
    if (this.exited) return;
    const w = this.worker;
    const exit = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    this.post({ t: 'stop' });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    const first = await Promise.race([exit, late]);
    clearTimeout(timer);
    if (first === 'late') {
      this.log.warn({ timeoutMs }, 'worker did not stop in time; closing its sockets');
      await this.closeAndTerminate(w, 'stop');
    }
  }

  private spawn(): void {
    this.heartbeat = new SharedArrayBuffer(4);
    this.detector = new StallDetector(this.o.watchdogLimitMs, performance.now());
    this.exited = false;
    this.state = 'starting';
    const init: WorkerInit = {
      env: this.o.env,
      worker: this.o.index,
      workers: this.o.workers,
      heartbeat: this.heartbeat,
    };
    const w = spawnWorker(init);
    this.worker = w;
    w.on('message', (m: ToMain) => this.onMessage(w, m));
    w.on('error', (err) => {
      this.log.error({ err }, 'worker thread failed');
      this.goDown(this.state === 'starting' ? 'start' : 'crash');
    });
    w.on('exit', (code) => this.onExit(w, code));
  }

  private onMessage(w: Worker, m: ToMain): void {
    switch (m.t) {
      case 'listening':
        if (this.state === 'starting') this.setState('listening');
        break;
      case 'ready':
        this.failures = 0;
        if (this.state === 'listening') this.setState('ready');
        break;
      case 'fatal':
        this.log.error({ reason: m.message }, 'worker failed to start');
        this.goDown('start');
        this.terminateIfLingering(w);
        break;
      case 'crashed':
        this.log.error({ reason: m.message }, 'worker crashed; replacing it');
        this.goDown('crash');
        this.terminateIfLingering(w);
        break;
      default:
        this.o.hooks.message(w, m);
    }
  }

  private setState(s: SlotState): void {
    this.state = s;
    this.o.hooks.changed();
  }

  private goDown(reason: RestartReason): void {
    if (this.state === 'down' || this.state === 'stopped') return;
    this.downReason = reason;
    this.setState('down');
  }

  private onStall(): void {
    const limitMs = this.o.watchdogLimitMs;
    this.log.error({ limitMs }, 'worker event loop stalled; closing its sockets and replacing it');
    this.goDown('stall');
    void this.closeAndTerminate(this.worker, 'stall');
  }

  /**
   * Closes the thread's sockets from inside it, then terminates it. A terminate with the sockets
   * still open would abort the process, so a worker that never runs the close is left alone.
   */
  private async closeAndTerminate(w: Worker, why: string): Promise<void> {
    const warn = setTimeout(
      () =>
        this.log.error(
          { why },
          'worker has not run the emergency close: it is stuck outside JavaScript; its sockets stay open until it returns',
        ),
      INTERRUPT_WARN_MS,
    );
    try {
      await evaluateInWorker(w, EMERGENCY_CLOSE_EXPRESSION);
      await w.terminate();
    } catch (err) {
      // It exited on its own meanwhile, or the close threw and its sockets may be open.
      if (!this.exited) this.log.error({ err, why }, 'could not close the worker; left running');
    } finally {
      clearTimeout(warn);
    }
  }

  /** A worker that said it is dying has closed its sockets: terminate it if its clean-up hangs. */
  private terminateIfLingering(w: Worker): void {
    const timer = setTimeout(() => {
      if (!this.exited && w === this.worker) void w.terminate();
    }, DYING_GRACE_MS);
    timer.unref();
    w.once('exit', () => clearTimeout(timer));
  }

  private onExit(w: Worker, code: number): void {
    this.exited = true;
    if (this.state === 'stopped') return;
    this.goDown(this.state === 'starting' ? 'start' : 'crash');
    const why = `worker ${String(this.o.index)} exited with code ${String(code)}`;
    if (!this.o.hooks.gone(w, why)) return;
    this.failures++;
    const delayMs = restartDelayMs(this.failures);
    this.log.warn({ reason: this.downReason, delayMs, code }, 'replacing worker');
    this.restartTimer = setTimeout(() => this.restart(), delayMs);
  }

  private restart(): void {
    if (this.state === 'stopped') return;
    this.o.metrics.restarts.inc({ reason: this.downReason });
    this.spawn();
    this.o.hooks.changed();
  }
}
