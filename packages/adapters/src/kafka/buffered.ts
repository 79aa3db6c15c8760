import type { TopicDef, TopicValue } from '@streambid/contracts';
import type { Logger } from 'pino';
import type { BatchSender, ProducerMessage } from '@streambid/kafka-wire';
import { toMessage } from './publisher.js';

/** Counters a BufferedPublisher keeps; exported as metrics by the owning service. */
export interface BufferStats {
  /** Messages waiting to be sent. */
  buffered: number;
  /** Messages refused because the buffer was full, or lost after a failed send. */
  dropped: number;
  /** Messages the broker acknowledged. */
  sent: number;
  /** Failed send attempts. */
  produceErrors: number;
  /** Values that failed schema validation (a bug in the producer). */
  invalid: number;
}

export interface BufferedPublisherOptions {
  /** Most messages held; beyond it `offer` refuses and counts a drop. @default 100000 */
  maxBuffered?: number;
  /** Flush when this many messages wait. @default 5000 */
  batchSize?: number;
  /** Flush at least this often. @default 20 */
  lingerMs?: number;
}

/**
 * Fire-and-forget events off the hot path: `offer` never blocks or throws; messages are batched
 * per topic and sent every `lingerMs`. The buffer is bounded so a slow broker cannot exhaust memory.
 */
export class BufferedPublisher {
  private queue: { topic: string; message: ProducerMessage }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private readonly max: number;
  private readonly batchSize: number;
  readonly stats: BufferStats = { buffered: 0, dropped: 0, sent: 0, produceErrors: 0, invalid: 0 };

  constructor(
    private readonly publisher: BatchSender,
    private readonly logger: Logger,
    opts: BufferedPublisherOptions = {},
  ) {
    this.max = opts.maxBuffered ?? 100_000;
    this.batchSize = opts.batchSize ?? 5000;
    this.timer = setInterval(() => void this.flush(), opts.lingerMs ?? 20);
    this.timer.unref();
  }

  /** Queues a value; returns false (and counts a drop) when the buffer is full or the value invalid. */
  offer<T extends TopicDef>(topic: T, value: TopicValue<T>): boolean {
    if (this.queue.length >= this.max) {
      this.stats.dropped++;
      return false;
    }
    let message: ProducerMessage;
    try {
      message = toMessage(topic, value);
    } catch (err) {
      this.stats.invalid++;
      this.logger.error({ err, topic: topic.name }, 'invalid event not buffered');
      return false;
    }
    this.queue.push({ topic: topic.name, message });
    this.stats.buffered = this.queue.length;
    if (this.queue.length >= this.batchSize) void this.flush();
    return true;
  }

  /** Sends everything buffered now; concurrent calls share one in-flight flush. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return Promise.resolve();
    this.flushing = this.drain().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, this.batchSize);
      this.stats.buffered = this.queue.length;
      const byTopic = new Map<string, ProducerMessage[]>();
      for (const { topic, message } of batch) {
        const list = byTopic.get(topic);
        if (list) list.push(message);
        else byTopic.set(topic, [message]);
      }
      try {
        await this.publisher.sendBatch(
          [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        );
        this.stats.sent += batch.length;
      } catch (err) {
        this.stats.produceErrors++;
        // Put the batch back if it fits; otherwise it is lost and counted.
        const room = this.max - this.queue.length;
        const keep = batch.slice(0, Math.max(0, room));
        this.stats.dropped += batch.length - keep.length;
        this.queue.unshift(...keep);
        this.stats.buffered = this.queue.length;
        this.logger.warn({ err, retained: keep.length }, 'event batch send failed');
        return;
      }
    }
  }

  /** Stops the timer and sends what is left (within `timeoutMs`). */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    const deadline = Date.now() + timeoutMs;
    while (this.queue.length > 0 && Date.now() < deadline) {
      await this.flush();
    }
  }
}
