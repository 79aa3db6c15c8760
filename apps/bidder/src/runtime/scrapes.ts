import type { Worker } from 'node:worker_threads';
import { aggregateMetrics, type MetricsSnapshot } from '@streambid/adapters';

interface Pending {
  metrics: MetricsSnapshot[];
  /** Workers asked and not answered yet. */
  waiting: Set<Worker>;
  mainDone: boolean;
  done: (text: string) => void;
}

/**
 * Metrics scrapes across threads. Each waits for the main thread's registry and the workers it
 * asked; a worker that dies or stalls is dropped from the scrapes waiting for it, so `/metrics`
 * still answers (without that worker's series) instead of hanging.
 */
export class Scrapes {
  private seq = 0;
  private readonly pending = new Map<number, Pending>();

  start(
    workers: readonly Worker[],
    main: Promise<MetricsSnapshot>,
    ask: (w: Worker, id: number) => void,
    done: (text: string) => void,
  ): void {
    const id = ++this.seq;
    const p: Pending = { metrics: [], waiting: new Set(workers), mainDone: false, done };
    this.pending.set(id, p);
    for (const w of workers) ask(w, id);
    void main.then((m) => {
      p.metrics.push(m);
      p.mainDone = true;
      this.settle(id);
    });
  }

  collected(w: Worker, id: number, metrics: MetricsSnapshot): void {
    const p = this.pending.get(id);
    if (!p?.waiting.delete(w)) return;
    p.metrics.push(metrics);
    this.settle(id);
  }

  /** Stops waiting for `w` (it died or stalled). */
  gone(w: Worker): void {
    for (const [id, p] of this.pending) if (p.waiting.delete(w)) this.settle(id);
  }

  private settle(id: number): void {
    const p = this.pending.get(id);
    if (!p || !p.mainDone || p.waiting.size > 0) return;
    this.pending.delete(id);
    void aggregateMetrics(p.metrics).then(p.done);
  }
}
