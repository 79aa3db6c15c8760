import type { AbortedTransaction } from './records.js';
import { groupByTopic, readTopicPartitions, type WireReader, type WireWriter } from './wire.js';

/*
 * Fetch Request (Version: 11) => replica_id max_wait_ms min_bytes max_bytes isolation_level session_id session_epoch [topics] [forgotten_topics_data] rack_id
 *   replica_id => INT32
 *   max_wait_ms => INT32
 *   min_bytes => INT32
 *   max_bytes => INT32
 *   isolation_level => INT8
 *   session_id => INT32
 *   session_epoch => INT32
 *   topics => topic [partitions]
 *     topic => STRING
 *     partitions => partition current_leader_epoch fetch_offset log_start_offset partition_max_bytes
 *       partition => INT32
 *       current_leader_epoch => INT32
 *       fetch_offset => INT64
 *       log_start_offset => INT64
 *       partition_max_bytes => INT32
 *   forgotten_topics_data => topic [partitions]
 *     topic => STRING
 *     partitions => INT32
 *   rack_id => STRING
 *
 * Fetch Response (Version: 11) => throttle_time_ms error_code session_id [responses]
 *   throttle_time_ms => INT32
 *   error_code => INT16
 *   session_id => INT32
 *   responses => topic [partitions]
 *     topic => STRING
 *     partitions => partition_index error_code high_watermark last_stable_offset log_start_offset [aborted_transactions] preferred_read_replica records
 *       partition_index => INT32
 *       error_code => INT16
 *       high_watermark => INT64
 *       last_stable_offset => INT64
 *       log_start_offset => INT64
 *       aborted_transactions => producer_id first_offset
 *         producer_id => INT64
 *         first_offset => INT64
 *       preferred_read_replica => INT32
 *       records => RECORDS
 *
 * From https://kafka.apache.org/protocol#The_Messages_Fetch.
 */

/** One partition of a fetch request. */
export interface FetchPartition {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
}

/** Only committed records: what a consumer with the default isolation sees. */
const READ_COMMITTED = 1;

/** A Fetch v11 request body without fetch sessions (every request names all its partitions). */
export function encodeFetch(opts: {
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitions: readonly FetchPartition[];
}): (w: WireWriter) => void {
  const byTopic = groupByTopic(opts.partitions);
  return (w) => {
    w.int32(-1) // replica_id: a consumer
      .int32(opts.maxWaitMs)
      .int32(opts.minBytes)
      .int32(opts.maxBytes)
      .int8(READ_COMMITTED)
      .int32(0) // session_id: no session
      .int32(-1) // session_epoch: full fetch, no session
      .array(byTopic, (x, [topic, parts]) =>
        x.string(topic).array(parts, (y, p) =>
          y
            .int32(p.partition)
            .int32(-1) // current_leader_epoch: unknown, no fencing
            .int64(BigInt(p.offset))
            .int64(-1n) // log_start_offset: only followers send it
            .int32(p.maxBytes),
        ),
      )
      .int32(0) // forgotten_topics_data
      .string(''); // rack_id
  };
}

/** One partition of a fetch response; `records` views the response frame (no copy). */
export interface FetchedPartition {
  topic: string;
  partition: number;
  errorCode: number;
  highWatermark: number;
  /** The offset this partition was fetched from (set by the fetcher). */
  fetchOffset: number;
  abortedTransactions: AbortedTransaction[] | null;
  records: Buffer | null;
}

export function decodeFetch(r: WireReader): { errorCode: number; partitions: FetchedPartition[] } {
  r.int32(); // throttle_time_ms
  const errorCode = r.int16();
  r.int32(); // session_id
  const partitions = readTopicPartitions(r, (p, topic, partition): FetchedPartition => {
    const pErr = p.int16();
    const highWatermark = p.int64();
    p.int64(); // last_stable_offset
    p.int64(); // log_start_offset
    const n = p.int32();
    let abortedTransactions: AbortedTransaction[] | null = null;
    if (n >= 0) {
      abortedTransactions = [];
      for (let i = 0; i < n; i++)
        abortedTransactions.push({ producerId: p.int64(), firstOffset: p.int64() });
    }
    p.int32(); // preferred_read_replica
    const records = p.bytes();
    return {
      topic,
      partition,
      errorCode: pErr,
      highWatermark,
      fetchOffset: 0,
      abortedTransactions,
      records,
    };
  });
  return { errorCode, partitions };
}
