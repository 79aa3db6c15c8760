import type { Message } from 'kafkajs';
import type { TopicDef, TopicValue } from '@streambid/contracts';
import { toMessage, type Publisher } from './publisher.js';

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
  ) {}

  /** Resolves once the broker acknowledged the value (acks=all). */
  publish(value: TopicValue<T>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.queue.push({ message: toMessage(this.topic, value), resolve, reject });
      if (!this.inFlight) void this.drain();
    });
  }

  private async drain(): Promise<void> {
    this.inFlight = true;
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.publisher.sendBatch([
          { topic: this.topic.name, messages: batch.map((w) => w.message) },
        ]);
        for (const w of batch) w.resolve();
      } catch (err) {
        for (const w of batch) w.reject(err);
      }
    }
    this.inFlight = false;
  }
}
