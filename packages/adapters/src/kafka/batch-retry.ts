import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload } from 'kafkajs';
import type { Logger } from 'pino';
import { StreambidError } from '../errors.js';
import { isRetriable } from './dead-letter.js';

/** A handler failure that is not the records' fault (a store is down): the batch is retried. */
export class TransientHandlerError extends StreambidError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'HANDLER_TRANSIENT', retriable: true, cause });
  }
}

/**
 * Thrown out of a batch to stop the consumer for good: the dead-letter topic refuses a record for
 * a reason retrying cannot fix. It carries no `cause` because kafkajs decides whether to restart a
 * crashed consumer from the deepest cause's `retriable`.
 */
export class ConsumerHaltedError extends StreambidError {
  constructor(message: string) {
    super(message, { code: 'CONSUMER_HALTED', retriable: false });
  }
}

/** What a batch needs from kafkajs to wait without losing its partition. */
export type BatchControl = Pick<EachBatchPayload, 'heartbeat' | 'isRunning' | 'isStale'> & {
  topic: string;
  partition: number;
  /** `topic:partition` */
  key: string;
};

const BACKOFF_FIRST_MS = 100;
const BACKOFF_MAX_MS = 5000;
/** Longest wait between checks for a stop or a rebalance while backing off (and heartbeats). */
const BACKOFF_SLICE_MS = 250;

/** How retried work ended: done, failed for good, or (null) given up because the batch is void. */
export type Outcome = { ok: true } | { ok: false; err: unknown } | null;

/** Retries work on a partition's batch with backoff, and remembers which partitions are stalled. */
export class BatchRetrier {
  /** Partitions held up by retries: since when, and why. */
  readonly stalls = new Map<string, { sinceMs: number; reason: string }>();
  /** Attempts that failed and were retried. */
  retries = 0;

  constructor(private readonly log: Logger) {}

  /** The first partition stalled for at least `limitMs`, else null. */
  stalledLongerThan(limitMs: number): string | null {
    const now = Date.now();
    for (const [k, s] of this.stalls)
      if (now - s.sinceMs >= limitMs) return `${k} stalled: ${s.reason}`;
    return null;
  }

  /**
   * Runs `attempt` until it succeeds, retrying errors that say they are retriable with exponential
   * backoff while heartbeating. Resolves `{ ok: false, err }` for an error retrying cannot fix, and
   * null if the consumer stops or the partition is revoked first (the caller then resolves nothing,
   * so the batch is read again). Heartbeat errors (a rebalance) propagate for kafkajs to handle.
   */
  async persist(ctl: BatchControl, what: string, attempt: () => Promise<void>): Promise<Outcome> {
    for (let n = 0; ; n++) {
      let err: unknown;
      try {
        await attempt();
        if (this.stalls.delete(ctl.key))
          this.log.info({ topic: ctl.topic, partition: ctl.partition, what }, 'moving again');
        return { ok: true };
      } catch (e) {
        err = e;
      }
      if (!isRetriable(err)) return { ok: false, err };
      this.retries++;
      const reason = `${what}: ${err instanceof Error ? err.message : String(err)}`;
      this.stalls.set(ctl.key, {
        sinceMs: this.stalls.get(ctl.key)?.sinceMs ?? Date.now(),
        reason,
      });
      const waitMs = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** n);
      this.log.warn(
        { topic: ctl.topic, partition: ctl.partition, attempt: n + 1, waitMs, err },
        `${what} failed; retrying`,
      );
      if (!(await this.backoff(ctl, waitMs))) return null;
    }
  }

  /** Waits `ms` in slices, heartbeating; false as soon as the consumer stops or loses the partition. */
  private async backoff(ctl: BatchControl, ms: number): Promise<boolean> {
    const until = Date.now() + ms;
    try {
      for (;;) {
        if (!ctl.isRunning() || ctl.isStale()) {
          this.stalls.delete(ctl.key);
          return false;
        }
        // Rebalance errors propagate: kafkajs rejoins and the batch is read again by its owner.
        await ctl.heartbeat();
        const left = until - Date.now();
        if (left <= 0) return true;
        await sleep(Math.min(left, BACKOFF_SLICE_MS));
      }
    } catch (err) {
      // The partition may move to another member: this one no longer holds it up.
      this.stalls.delete(ctl.key);
      throw err;
    }
  }
}

/**
 * Runs `handle` on the batch; if it throws a non-retriable error, once more on each record alone.
 * Returns the records that still threw with their errors, or null if the consumer stopped or lost
 * the partition while retrying.
 */
export async function applyIsolating<R extends { offset: string; key: string | null }>(
  retrier: BatchRetrier,
  ctl: BatchControl,
  records: R[],
  handle: (records: R[]) => Promise<void> | void,
  log: Logger,
): Promise<{ record: R; err: unknown }[] | null> {
  const run = (recs: R[]) => async (): Promise<void> => {
    await handle(recs);
  };
  const whole = await retrier.persist(ctl, 'handler', run(records));
  if (whole === null) return null;
  if (whole.ok) return [];
  log.warn(
    { topic: ctl.topic, partition: ctl.partition, count: records.length, err: whole.err },
    'handler failed on a batch; retrying it record by record',
  );
  const failed: { record: R; err: unknown }[] = [];
  for (const r of records) {
    const one = await retrier.persist(ctl, 'handler', run([r]));
    if (one === null) return null;
    if (one.ok) continue;
    failed.push({ record: r, err: one.err });
    log.error(
      { topic: ctl.topic, partition: ctl.partition, offset: r.offset, key: r.key, err: one.err },
      'handler failed on a record; dead-lettering it',
    );
  }
  return failed;
}
