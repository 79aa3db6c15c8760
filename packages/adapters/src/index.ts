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
export * from './http-guard.js';
export * from './secrets.js';
export * from './cli/index.js';
export * from './service/index.js';
export * from './kafka/client.js';
export * from './kafka/admin.js';
export * from './kafka/codec.js';
export * from './kafka/publisher.js';
export * from './kafka/buffered.js';
export * from './kafka/group-commit.js';
export * from './kafka/consumer.js';
export * from './kafka/replication-lag.js';
// The hand-written Kafka clients, as the apps have always imported them from here.
export {
  PartitionFetcher,
  KafkaFetchError,
  type FetchStart,
  type FetchedPartition,
  type PartitionFetcherOptions,
  RecordCursor,
  UnsupportedRecordsError,
  type AbortedTransaction,
  LeanProducer,
  KafkaProduceError,
  type LeanProducerOptions,
  type BatchSender,
  type ProducerMessage,
  type TopicMessages,
  InvalidRecordError,
} from '@streambid/kafka-wire';
