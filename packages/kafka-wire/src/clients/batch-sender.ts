import type { ProducerMessage } from '../protocol/records.js';

export type { ProducerMessage } from '../protocol/records.js';

/** Messages for one topic. */
export interface TopicMessages {
  topic: string;
  messages: ProducerMessage[];
}

/** Anything that sends batches of pre-encoded messages to several topics (the port of `BufferedPublisher`). */
export interface BatchSender {
  /**
   * Resolves once the broker acknowledged every message; rejects with a `KafkaProduceError` (or an
   * `InvalidRecordError` for a message that cannot be encoded).
   */
  sendBatch(topicMessages: TopicMessages[]): Promise<void>;
  close(): Promise<void>;
}
