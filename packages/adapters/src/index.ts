export * from './errors.js';
export * from './wait.js';
export * from './net.js';
export * from './logger.js';
export * from './config.js';
export * from './sql.js';
export * from './redis.js';
export * from './clickhouse.js';
export * from './metrics.js';
export * from './metrics-aggregate.js';
export * from './http.js';
export * from './kafka/client.js';
export * from './kafka/admin.js';
export * from './kafka/codec.js';
export * from './kafka/publisher.js';
export * from './kafka/buffered.js';
export * from './kafka/group-commit.js';
export * from './kafka/consumer.js';
export * from './kafka/replication-lag.js';
export * from './kafka/fetch/fetcher.js';
export {
  RecordCursor,
  UnsupportedRecordsError,
  type AbortedTransaction,
} from './kafka/fetch/records.js';
export {
  LeanProducer,
  KafkaProduceError,
  type LeanProducerOptions,
} from './kafka/produce/producer.js';
export type { BatchSender, ProducerMessage, TopicMessages } from './kafka/produce/batch-sender.js';
export { InvalidRecordError } from './kafka/produce/records-writer.js';
