import { ERROR_NAMES, RETRIABLE_ERRORS } from '../fetch/protocol.js';
import type { WireReader, WireWriter } from '../fetch/wire.js';

/**
 * Produce v3, the newest non-flexible version and the oldest Apache Kafka 4.x still accepts (it
 * dropped v0–v2). Pure encoder and decoder; see https://kafka.apache.org/protocol.html#The_Messages_Produce.
 */

export const PRODUCE = { apiKey: 0, version: 3 } as const;

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
  const byTopic = new Map<string, PartitionRecords[]>();
  for (const b of opts.batches) {
    const list = byTopic.get(b.topic);
    if (list) list.push(b);
    else byTopic.set(b.topic, [b]);
  }
  return (w) => {
    w.string(null) // transactional_id
      .int16(opts.acks)
      .int32(opts.timeoutMs)
      .array([...byTopic], (x, [topic, parts]) =>
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
  const partitions: ProducedPartition[] = [];
  r.array((x) => {
    const topic = x.string() ?? '';
    x.array((p) => {
      const partition = p.int32();
      const errorCode = p.int16();
      const baseOffset = p.int64();
      p.int64(); // log_append_time_ms
      partitions.push({ topic, partition, errorCode, baseOffset });
    });
  });
  return { partitions, throttleTimeMs: r.int32() };
}

/**
 * Codes a produce recovers from by refreshing metadata and sending again: the fetch set (leader
 * moves, unknown partitions while metadata propagates, timeouts) plus too few in-sync replicas.
 */
export const PRODUCE_RETRIABLE: ReadonlySet<number> = new Set([
  ...RETRIABLE_ERRORS,
  19, // NOT_ENOUGH_REPLICAS
  20, // NOT_ENOUGH_REPLICAS_AFTER_APPEND
]);

const PRODUCE_ERROR_NAMES: Readonly<Record<number, string>> = {
  ...ERROR_NAMES,
  2: 'CORRUPT_MESSAGE',
  10: 'MESSAGE_TOO_LARGE',
  17: 'INVALID_TOPIC_EXCEPTION',
  18: 'RECORD_LIST_TOO_LARGE',
  19: 'NOT_ENOUGH_REPLICAS',
  20: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  21: 'INVALID_REQUIRED_ACKS',
  32: 'INVALID_TIMESTAMP',
  43: 'UNSUPPORTED_FOR_MESSAGE_FORMAT',
  44: 'POLICY_VIOLATION',
  87: 'INVALID_RECORD',
};

/** The name of a Kafka error code, for messages. */
export function errorName(code: number): string {
  return PRODUCE_ERROR_NAMES[code] ?? `Kafka error ${String(code)}`;
}
