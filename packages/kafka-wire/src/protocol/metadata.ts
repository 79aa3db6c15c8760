import type { WireReader, WireWriter } from './wire.js';

/*
 * Metadata Request (Version: 5) => [topics] allow_auto_topic_creation
 *   topics => name
 *     name => STRING
 *   allow_auto_topic_creation => BOOLEAN
 *
 * Metadata Response (Version: 5) => throttle_time_ms [brokers] cluster_id controller_id [topics]
 *   throttle_time_ms => INT32
 *   brokers => node_id host port rack
 *     node_id => INT32
 *     host => STRING
 *     port => INT32
 *     rack => NULLABLE_STRING
 *   cluster_id => NULLABLE_STRING
 *   controller_id => INT32
 *   topics => error_code name is_internal [partitions]
 *     error_code => INT16
 *     name => STRING
 *     is_internal => BOOLEAN
 *     partitions => error_code partition_index leader_id [replica_nodes] [isr_nodes] [offline_replicas]
 *       error_code => INT16
 *       partition_index => INT32
 *       leader_id => INT32
 *       replica_nodes => INT32
 *       isr_nodes => INT32
 *       offline_replicas => INT32
 *
 * From https://kafka.apache.org/protocol#The_Messages_Metadata.
 */

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
