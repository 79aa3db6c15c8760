// The public surface of @streambid/kafka-wire: the two clients, the record cursor their callers
// decode with, the partitioner both producers share, and the errors they throw.
export { KafkaError } from './protocol/errors.js';
export {
  RecordCursor,
  UnsupportedRecordsError,
  InvalidRecordError,
  type AbortedTransaction,
  type ProducerMessage,
} from './protocol/records.js';
export { partitionForKey } from './protocol/murmur2.js';
export { KafkaConnectionError } from './network/connection.js';
export type { BatchSender, TopicMessages } from './clients/batch-sender.js';
export {
  PartitionFetcher,
  KafkaFetchError,
  type FetchStart,
  type FetchedPartition,
  type PartitionFetcherOptions,
} from './clients/fetcher.js';
export { LeanProducer, KafkaProduceError, type LeanProducerOptions } from './clients/producer.js';
