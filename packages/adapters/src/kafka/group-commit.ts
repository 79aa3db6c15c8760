import type { Message } from 'kafkajs';
import type { TopicDef, TopicValue } from '@streambid/contracts';
import { StreambidError } from '../errors.js';
import { toMessage, type Publisher } from './publisher.js';

/** The queue of values waiting for the broker is full: the caller should refuse and have it retried. */
export class QueueFullError extends StreambidError {
  constructor(topic: string, limit: number) {
    super(`${String(limit)} values already wait for ${topic}`, {
      code: 'QUEUE_FULL',
      retriable: true,
    });
  }
}

interface Waiter {
  message: Message;
  resolve: () => void;
  reject: (err: unknown) => void;
}

/**
 * Acknowledged sends of single values, grouped: while one produce request is in flight, values
 * arriving meanwhile wait and go together in the next request ("group commit"). An idle
 * publisher sends at once, so a lone value pays no added latency; under load, N values cost one
 * round trip instead of N (on loopback each request's socket write and the broker's work are the
 * cost). Each value is validated on its own (an invalid one is refused alone); each caller's
 * promise settles with the request that carried its value.
 */
export class GroupCommitPublisher<T extends TopicDef> {
  private queue: Waiter[] = [];
  private inFlight = false;

  constructor(
    private readonly publisher: Publisher,
    private readonly topic: T,
    /** Most values per request. @default 500 */
    private readonly maxBatch = 500,
    /**
     * Most values waiting (queued or in flight): a slow broker must not build a backlog whose
     * callers were long answered "try again". Past it `publish` rejects at once. @default 10000
     */
    private readonly maxQueued = 10_000,
  ) {}

  private inFlightCount = 0;

  /** Values queued or in flight. */
  get pending(): number {
    return this.queue.length + this.inFlightCount;
  }

  /**
   * Resolves once the broker acknowledged the value (acks=all); rejects with {@link QueueFullError}
   * at once when `maxQueued` values already wait.
   */
  publish(value: TopicValue<T>): Promise<void> {
    if (this.pending >= this.maxQueued)
      return Promise.reject(new QueueFullError(this.topic.name, this.maxQueued));
    return new Promise((resolve, reject) => {
      this.queue.push({ message: toMessage(this.topic, value), resolve, reject });
      if (!this.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      this.inFlightCount = batch.length;
      try {
        await this.publisher.sendBatch([
          { topic: this.topic.name, messages: batch.map((w) => w.message) },
        ]);
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
      this.inFlightCount = 0;
    }
    this.inFlight = false;
  }
}
