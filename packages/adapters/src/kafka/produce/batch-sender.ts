/**
 * A pre-encoded message: the subset of kafkajs's `Message` that both the kafkajs `Publisher` and
 * the `LeanProducer` send. The timestamp is milliseconds since the epoch as a decimal string (as in
 * kafkajs); absent, the send time is used.
 */
export interface ProducerMessage {
  key: string | null;
  value: string | Buffer;
  timestamp?: string;
}

/** Messages for one topic. */
export interface TopicMessages {
  topic: string;
  messages: ProducerMessage[];
}

/** Anything that sends batches of pre-encoded messages to several topics (the port of `BufferedPublisher`). */
export interface BatchSender {
  /** Resolves once the broker acknowledged every message; rejects with a `StreambidError`. */
  sendBatch(topicMessages: TopicMessages[]): Promise<void>;
  close(): Promise<void>;
}
