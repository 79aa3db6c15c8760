import { API_VERSION, ApiKey } from './apis.js';
import { groupByTopic, readTopicPartitions, type WireReader, type WireWriter } from './wire.js';

/*
 * Produce Request (Version: 3) => transactional_id acks timeout_ms [topic_data]
 *   transactional_id => NULLABLE_STRING
 *   acks => INT16
 *   timeout_ms => INT32
 *   topic_data => name [partition_data]
 *     name => STRING
 *     partition_data => index records
 *       index => INT32
 *       records => RECORDS
 *
 * Produce Response (Version: 3) => [responses] throttle_time_ms
 *   responses => name [partition_responses]
 *     name => STRING
 *     partition_responses => index error_code base_offset log_append_time_ms
 *       index => INT32
 *       error_code => INT16
 *       base_offset => INT64
 *       log_append_time_ms => INT64
 *   throttle_time_ms => INT32
 *
 * From https://kafka.apache.org/protocol#The_Messages_Produce.
 */

/** The Produce API key and the version sent (from {@link API_VERSION}). */
export const PRODUCE = { apiKey: ApiKey.produce, version: API_VERSION[ApiKey.produce] } as const;

/** One partition's encoded RecordBatch. */
export interface PartitionRecords {
  topic: string;
  partition: number;
  records: Buffer;
}

/** A Produce v3 request body: no transactional id; each topic once with its partitions. */
export function encodeProduce(opts: {
  acks: -1 | 1;
  timeoutMs: number;
  batches: readonly PartitionRecords[];
}): (w: WireWriter) => void {
  const byTopic = groupByTopic(opts.batches);
  return (w) => {
    w.string(null) // transactional_id
      .int16(opts.acks)
      .int32(opts.timeoutMs)
      .array(byTopic, (x, [topic, parts]) =>
        x.string(topic).array(parts, (y, p) => y.int32(p.partition).bytes(p.records)),
      );
  };
}

/** One partition of a produce response. */
export interface ProducedPartition {
  topic: string;
  partition: number;
  errorCode: number;
  /** Offset of the batch's first record; -1 on error. */
  baseOffset: number;
}

export function decodeProduce(r: WireReader): {
  partitions: ProducedPartition[];
  throttleTimeMs: number;
} {
  const partitions = readTopicPartitions(r, (p, topic, partition): ProducedPartition => {
    const errorCode = p.int16();
    const baseOffset = p.int64();
    p.int64(); // log_append_time_ms
    return { topic, partition, errorCode, baseOffset };
  });
  return { partitions, throttleTimeMs: r.int32() };
}
