import { createRequire } from 'node:module';

/** The slice of kafkajs' internal RequestQueue the fix touches. */
interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: NodeJS.Timeout | null;
  checkPendingRequests(): void;
  scheduleCheckPendingRequests(): void;
}

type RequestQueueClass = new (opts: Record<string, unknown>) => RequestQueueLike;

/** How long kafkajs waits before re-checking a non-empty queue (its own constant). */
const CHECK_PENDING_REQUESTS_INTERVAL_MS = 10;

const require = createRequire(import.meta.url);

/** kafkajs' RequestQueue class (2.2.x has no exports map, so the internal path resolves). */
export const RequestQueue =
  require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;

let applied = false;

/**
 * kafkajs 2.2.4 re-arms a 1 ms timer forever on every broker connection once a request has
 * completed, even with nothing pending and no throttling (tulios/kafkajs#1556, fix proposed in
 * #1667, never released). Each idle client then wakes its event loop ~1,000 times a second per
 * connection: measured here as ~8 % of a core per idle bidder process, and timer work on the bid
 * path's thread. This replaces the scheduler with one that arms a timer only when a request is
 * waiting or the broker asked for throttling; a queued request is still checked when an in-flight
 * one completes, as before. Applied once, before any client connects.
 */
export function applyKafkajsIdleTimerFix(): void {
  if (applied) return;
  applied = true;
  RequestQueue.prototype.scheduleCheckPendingRequests = function (this: RequestQueueLike) {
    if (this.throttleCheckTimeoutId) return;
    const untilUnthrottled = this.throttledUntil - Date.now();
    let delay: number;
    if (this.pending.length > 0)
      delay = untilUnthrottled > 0 ? untilUnthrottled : CHECK_PENDING_REQUESTS_INTERVAL_MS;
    else if (untilUnthrottled > 0) delay = untilUnthrottled;
    else return;
    this.throttleCheckTimeoutId = setTimeout(() => {
      this.throttleCheckTimeoutId = null;
      this.checkPendingRequests();
    }, delay);
  };
}
