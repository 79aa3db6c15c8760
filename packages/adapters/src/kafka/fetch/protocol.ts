import type { AbortedTransaction } from './records.js';
import type { WireReader } from './wire.js';
import { WireWriter } from './wire.js';

/**
 * The three Kafka requests the fetch client needs, at the newest non-flexible versions (flexible
 * versions add compact encodings and tagged fields we would gain nothing from): ApiVersions v0,
 * Metadata v5 and Fetch v11. Apache Kafka 4.x accepts Metadata v0–v13 and Fetch v4–v17; Redpanda
 * serves these too. Pure encoders and decoders; see https://kafka.apache.org/protocol.html.
 */

export const ApiKey = { fetch: 1, metadata: 3, apiVersions: 18 } as const;
/** The version used per API. */
export const API_VERSION = { [ApiKey.fetch]: 11, [ApiKey.metadata]: 5, [ApiKey.apiVersions]: 0 };

/** Request header v1 followed by the body `body` writes; framed with its size. */
export function encodeRequest(
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  clientId: string,
  body: (w: WireWriter) => void,
): Buffer {
  const w = new WireWriter().int16(apiKey).int16(apiVersion).int32(correlationId).string(clientId);
  body(w);
  return w.framed();
}

/** Version range a broker serves, per API key. */
export type ApiVersions = Map<number, { min: number; max: number }>;

export function decodeApiVersions(r: WireReader): { errorCode: number; versions: ApiVersions } {
  const errorCode = r.int16();
  const versions: ApiVersions = new Map();
  for (const v of r.array((x) => ({ key: x.int16(), min: x.int16(), max: x.int16() })))
    versions.set(v.key, { min: v.min, max: v.max });
  return { errorCode, versions };
}

export function encodeMetadata(topics: readonly string[]): (w: WireWriter) => void {
  return (w) => {
    w.array(topics, (x, t) => x.string(t));
    w.int8(0); // allow_auto_topic_creation: never create a topic by reading it
  };
}

/** What a Metadata v5 response says about brokers and partition leaders. */
export interface ClusterMetadata {
  brokers: Map<number, { host: string; port: number }>;
  /** `topic` → partition → leader node id (-1 when leaderless), or the topic's error code. */
  topics: Map<
    string,
    { errorCode: number; leaders: Map<number, { leader: number; errorCode: number }> }
  >;
}

export function decodeMetadata(r: WireReader): ClusterMetadata {
  r.int32(); // throttle_time_ms
  const brokers = new Map<number, { host: string; port: number }>();
  for (const b of r.array((x) => {
    const nodeId = x.int32();
    const host = x.string() ?? '';
    const port = x.int32();
    x.string(); // rack
    return { nodeId, host, port };
  }))
    brokers.set(b.nodeId, { host: b.host, port: b.port });
  r.string(); // cluster_id
  r.int32(); // controller_id
  const topics: ClusterMetadata['topics'] = new Map();
  r.array((x) => {
    const errorCode = x.int16();
    const name = x.string() ?? '';
    x.int8(); // is_internal
    const leaders = new Map<number, { leader: number; errorCode: number }>();
    x.array((p) => {
      const pErr = p.int16();
      const partition = p.int32();
      const leader = p.int32();
      p.array((q) => q.int32()); // replica_nodes
      p.array((q) => q.int32()); // isr_nodes
      p.array((q) => q.int32()); // offline_replicas
      leaders.set(partition, { leader, errorCode: pErr });
    });
    topics.set(name, { errorCode, leaders });
  });
  return { brokers, topics };
}

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
  const byTopic = new Map<string, FetchPartition[]>();
  for (const p of opts.partitions) {
    const list = byTopic.get(p.topic);
    if (list) list.push(p);
    else byTopic.set(p.topic, [p]);
  }
  return (w) => {
    w.int32(-1) // replica_id: a consumer
      .int32(opts.maxWaitMs)
      .int32(opts.minBytes)
      .int32(opts.maxBytes)
      .int8(READ_COMMITTED)
      .int32(0) // session_id: no session
      .int32(-1) // session_epoch: full fetch, no session
      .array([...byTopic], (x, [topic, parts]) =>
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
  const partitions: FetchedPartition[] = [];
  r.array((x) => {
    const topic = x.string() ?? '';
    x.array((p) => {
      const partition = p.int32();
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
      partitions.push({
        topic,
        partition,
        errorCode: pErr,
        highWatermark,
        fetchOffset: 0,
        abortedTransactions,
        records,
      });
    });
  });
  return { errorCode, partitions };
}

/**
 * Error codes the client recovers from by refreshing metadata (a leader moved, a partition is
 * being created or reassigned) or simply retrying (a slow broker). Everything else fails the fetch.
 */
export const RETRIABLE_ERRORS: ReadonlySet<number> = new Set([
  3, // UNKNOWN_TOPIC_OR_PARTITION (metadata not yet propagated)
  5, // LEADER_NOT_AVAILABLE
  6, // NOT_LEADER_OR_FOLLOWER
  7, // REQUEST_TIMED_OUT
  9, // REPLICA_NOT_AVAILABLE
  13, // NETWORK_EXCEPTION
  56, // KAFKA_STORAGE_ERROR
  74, // FENCED_LEADER_EPOCH
  75, // UNKNOWN_LEADER_EPOCH
  78, // OFFSET_NOT_AVAILABLE
]);

/** Names of the error codes a fetch may meet, for messages. */
export const ERROR_NAMES: Readonly<Record<number, string>> = {
  1: 'OFFSET_OUT_OF_RANGE',
  3: 'UNKNOWN_TOPIC_OR_PARTITION',
  5: 'LEADER_NOT_AVAILABLE',
  6: 'NOT_LEADER_OR_FOLLOWER',
  7: 'REQUEST_TIMED_OUT',
  9: 'REPLICA_NOT_AVAILABLE',
  13: 'NETWORK_EXCEPTION',
  29: 'TOPIC_AUTHORIZATION_FAILED',
  35: 'UNSUPPORTED_VERSION',
  56: 'KAFKA_STORAGE_ERROR',
  74: 'FENCED_LEADER_EPOCH',
  75: 'UNKNOWN_LEADER_EPOCH',
  78: 'OFFSET_NOT_AVAILABLE',
};
