import type { Logger } from 'pino';
import { BrokerConnection } from '../network/connection.js';
import { API_VERSION, ApiKey } from '../protocol/apis.js';
import { KafkaError, errorName, isRetriableCode } from '../protocol/errors.js';
import type { ClusterMetadata } from '../protocol/metadata.js';
import { partitionForKey } from '../protocol/murmur2.js';
import {
  PRODUCE,
  decodeProduce,
  encodeProduce,
  type PartitionRecords,
} from '../protocol/produce.js';
import { RecordBatchWriter, type ProducerMessage } from '../protocol/records.js';
import type { BatchSender, TopicMessages } from './batch-sender.js';
import { BrokerClient } from './broker-client.js';

/**
 * A produce failed, through this producer or the kafkajs `Publisher` of @streambid/adapters:
 * `retriable` when sending the same messages again may succeed (retries ran out on a moved leader
 * or a lost connection), not when it cannot (unknown topic, record too large, producer closed).
 * `kafkaCode` is the broker's error code, when there is one.
 */
export class KafkaProduceError extends KafkaError {
  constructor(
    message: string,
    readonly kafkaCode: number | null,
    opts: { retriable: boolean; cause?: unknown },
  ) {
    super(message, { code: 'PRODUCE_FAILED', retriable: opts.retriable, cause: opts.cause });
  }
}

/** Options of {@link LeanProducer.connect}. */
export interface LeanProducerOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  clientId: string;
  /** -1: every in-sync replica has the records; 1: the leader has them. @default -1 */
  acks?: -1 | 1;
  /** How long the broker may wait for the replicas' acknowledgement. @default 30000 */
  timeoutMs?: number;
  /** How long past `timeoutMs` a response may take before its connection is dropped. @default 30000 */
  requestTimeoutMs?: number;
  /** Further attempts of a failed part (backoff from 100 ms, doubling, at most 1 s). @default 5 */
  retries?: number;
  logger?: Logger;
}

interface TopicInfo {
  /** Leader node per partition; -1 while a partition has none. */
  leaders: Int32Array;
  /** Partitions with a leader, for unkeyed messages. */
  live: number[];
  /** Round-robin position of unkeyed messages. */
  rr: number;
}

/** What a send to one leader left to retry. */
interface Unsent {
  batches: PartitionRecords[];
  cause: unknown;
}

const key = (topic: string, partition: number): string => `${topic}:${String(partition)}`;
/** Backoff between attempts: from 100 ms, doubling, at most 1 s. */
const BACKOFF = { firstMs: 100, maxMs: 1000 } as const;

/**
 * A plain Kafka producer for pre-encoded string messages, for hot paths where kafkajs's encoding
 * costs too much CPU: records are written straight into one buffer per partition batch (no object
 * per record), keys are hashed with 32-bit murmur2 into the partition kafkajs (and the Java client)
 * would pick, and each `sendBatch` is one Produce v3 request per partition leader, all in flight
 * at once on one pipelined connection per broker. Not idempotent: a retry after a lost connection
 * may write a batch twice (at least once, like kafkajs with `idempotent: false`). Uncompressed,
 * no headers, no explicit partitions.
 */
export class LeanProducer extends BrokerClient implements BatchSender {
  private readonly conns = new Map<string, BrokerConnection>();
  private nodes = new Map<number, string>();
  private readonly topics = new Map<string, TopicInfo>();
  private readonly writer = new RecordBatchWriter();
  private readonly inFlight = new Set<Promise<void>>();
  private partOf = new Int32Array(1024);
  private order = new Int32Array(1024);
  private closing: Promise<void> | null = null;
  /** Set once the connections are closed: nothing may open new ones. */
  private shut = false;
  private readonly o: Required<Omit<LeanProducerOptions, 'requestTimeoutMs' | 'logger'>>;

  private constructor(opts: LeanProducerOptions) {
    const o = {
      brokers: [...opts.brokers],
      clientId: opts.clientId,
      acks: opts.acks ?? -1,
      timeoutMs: opts.timeoutMs ?? 30_000,
      retries: opts.retries ?? 5,
    };
    super(opts, {
      backoff: BACKOFF,
      apis: [
        [PRODUCE.apiKey, PRODUCE.version],
        [ApiKey.metadata, API_VERSION[ApiKey.metadata]],
      ],
      module: 'lean-producer',
    });
    this.o = o;
  }

  /** Checks the broker serves Produce v3 and Metadata v5 and learns the brokers. */
  static async connect(opts: LeanProducerOptions): Promise<LeanProducer> {
    const p = new LeanProducer(opts);
    await p.retrying(
      () => p.metadata([], true),
      p.o.retries + 1,
      async (_err, again) => {
        if (!again) await p.close(0);
      },
    );
    return p;
  }

  /**
   * Sends the messages; resolves once the broker acknowledged all of them (per `acks`). Keyed
   * messages go to `murmur2(key) % partitions`, unkeyed ones round robin over the partitions with
   * a leader. Rejects with a {@link KafkaProduceError} (or an `InvalidRecordError` for a bad
   * timestamp); on rejection some partitions may have been written.
   */
  sendBatch(topicMessages: TopicMessages[]): Promise<void> {
    if (this.closing !== null) return Promise.reject(closedError());
    const p = this.send(topicMessages);
    this.inFlight.add(p);
    const done = (): void => {
      this.inFlight.delete(p);
    };
    void p.then(done, done);
    return p;
  }

  /** Waits for sends in flight (at most `timeoutMs`), then closes the connections. Idempotent. */
  close(timeoutMs = 5000): Promise<void> {
    this.closing ??= this.shutdown(timeoutMs);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    if (this.inFlight.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(this.inFlight),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs))),
      ]);
      clearTimeout(timer);
    }
    this.shut = true;
    for (const c of this.conns.values()) c.close();
    this.conns.clear();
  }

  private async send(topicMessages: readonly TopicMessages[]): Promise<void> {
    const byTopic = new Map<string, ProducerMessage[]>();
    for (const { topic, messages } of topicMessages) {
      if (messages.length === 0) continue;
      // A topic named twice must become one batch per partition: a broker keeps only one.
      const seen = byTopic.get(topic);
      byTopic.set(topic, seen ? seen.concat(messages) : messages);
    }
    if (byTopic.size === 0) return;
    await this.ensureTopics([...byTopic.keys()]);
    await this.deliver(this.encode(byTopic));
  }

  /** Looks up the topics not cached yet; an unknown topic rejects (not retriable). */
  private async ensureTopics(names: readonly string[]): Promise<void> {
    await this.retrying(async () => {
      const missing = names.filter((t) => !this.topics.has(t));
      if (missing.length > 0) await this.refresh(missing);
    }, this.o.retries + 1);
  }

  /** Partitions every message and encodes one batch per partition; synchronous (shared scratch). */
  private encode(byTopic: ReadonlyMap<string, readonly ProducerMessage[]>): PartitionRecords[] {
    const now = Date.now();
    const out: PartitionRecords[] = [];
    for (const [topic, messages] of byTopic) {
      const info = this.topics.get(topic);
      if (info === undefined)
        throw new KafkaProduceError(`topic ${topic} is not known`, 3, { retriable: false });
      const n = messages.length;
      const numPartitions = info.leaders.length;
      if (this.partOf.length < n) {
        this.partOf = new Int32Array(n * 2);
        this.order = new Int32Array(n * 2);
      }
      const partOf = this.partOf;
      const order = this.order;
      // Counting sort of message indices by partition: starts[p] is where partition p begins.
      const starts = new Int32Array(numPartitions + 1);
      for (let i = 0; i < n; i++) {
        const k = (messages[i] as ProducerMessage).key;
        const p = k === null ? this.roundRobin(info) : partitionForKey(k, numPartitions);
        partOf[i] = p;
        starts[p + 1] = (starts[p + 1] as number) + 1;
      }
      for (let p = 0; p < numPartitions; p++)
        starts[p + 1] = (starts[p + 1] as number) + (starts[p] as number);
      const fill = starts.slice(0, numPartitions);
      for (let i = 0; i < n; i++) {
        const p = partOf[i] as number;
        const at = fill[p] as number;
        order[at] = i;
        fill[p] = at + 1;
      }
      for (let p = 0; p < numPartitions; p++) {
        const from = starts[p] as number;
        const to = starts[p + 1] as number;
        if (to > from)
          out.push({
            topic,
            partition: p,
            records: this.writer.encode(messages, order, from, to, now),
          });
      }
    }
    return out;
  }

  private roundRobin(info: TopicInfo): number {
    info.rr = (info.rr + 1) & 0x7fffffff;
    const live = info.live;
    return live.length > 0
      ? (live[info.rr % live.length] as number)
      : info.rr % info.leaders.length;
  }

  /**
   * Sends every batch to its leader; batches that fail retriably are sent again after fresh
   * metadata and a backoff, up to `retries` times. Batches already acknowledged are not resent.
   */
  private async deliver(batches: PartitionRecords[]): Promise<void> {
    let pending = batches;
    for (let attempt = 1; ; attempt++) {
      const unsent = await this.sendOnce(pending);
      if (unsent === null) return;
      const topics = [...new Set(unsent.batches.map((b) => b.topic))];
      if (attempt > this.o.retries)
        throw new KafkaProduceError(
          `produce to ${topics.join(',')} failed ${String(attempt)} times: ${String(unsent.cause)}`,
          unsent.cause instanceof KafkaProduceError ? unsent.cause.kafkaCode : null,
          { retriable: true, cause: unsent.cause },
        );
      this.logger.warn(
        { err: unsent.cause, attempt, partitions: unsent.batches.length },
        'produce retry',
      );
      await this.pause(attempt);
      try {
        await this.refresh(topics);
      } catch (err) {
        // A topic deleted meanwhile fails the send; a broker that does not answer is retried.
        if (!this.isRetriable(err)) throw err;
      }
      pending = unsent.batches;
    }
  }

  /** One Produce request per leader, all in parallel; null when every batch was acknowledged. */
  private async sendOnce(batches: readonly PartitionRecords[]): Promise<Unsent | null> {
    const byLeader = new Map<number, PartitionRecords[]>();
    const unsent: Unsent = { batches: [], cause: undefined };
    for (const b of batches) {
      const leader = this.topics.get(b.topic)?.leaders[b.partition] ?? -1;
      if (leader < 0) {
        unsent.batches.push(b);
        unsent.cause = new KafkaProduceError(
          `${b.topic}[${String(b.partition)}] has no leader`,
          5,
          { retriable: true },
        );
        continue;
      }
      const list = byLeader.get(leader);
      if (list) list.push(b);
      else byLeader.set(leader, [b]);
    }
    const settled = await Promise.allSettled(
      [...byLeader].map(([node, parts]) => this.sendToLeader(node, parts)),
    );
    for (const s of settled) {
      if (s.status === 'rejected') throw s.reason;
      if (s.value.batches.length === 0) continue;
      unsent.batches.push(...s.value.batches);
      unsent.cause = s.value.cause;
    }
    return unsent.batches.length === 0 ? null : unsent;
  }

  /** One Produce request; resolves with the retriable failures, rejects on any other. */
  private async sendToLeader(node: number, batches: PartitionRecords[]): Promise<Unsent> {
    const address = this.nodes.get(node);
    if (address === undefined)
      return {
        batches,
        cause: new KafkaProduceError(`leader ${String(node)} is not listed`, 5, {
          retriable: true,
        }),
      };
    let res: ReturnType<typeof decodeProduce>;
    try {
      const conn = this.connection(address);
      await conn.ready;
      const r = await conn.request(
        PRODUCE.apiKey,
        PRODUCE.version,
        encodeProduce({ acks: this.o.acks, timeoutMs: this.o.timeoutMs, batches }),
        this.o.timeoutMs + this.requestTimeoutMs,
      );
      res = decodeProduce(r);
    } catch (err) {
      if (this.isRetriable(err)) return { batches, cause: err };
      if (err instanceof KafkaError) throw err;
      throw new KafkaProduceError(`produce to ${address} failed`, null, {
        retriable: false,
        cause: err,
      });
    }
    const codes = new Map(res.partitions.map((p) => [key(p.topic, p.partition), p.errorCode]));
    const unsent: Unsent = { batches: [], cause: undefined };
    for (const b of batches) {
      const code = codes.get(key(b.topic, b.partition));
      if (code === 0) continue;
      const where = `${b.topic}[${String(b.partition)}]`;
      if (code === undefined)
        throw new KafkaProduceError(`${address} did not answer for ${where}`, null, {
          retriable: false,
        });
      const err = new KafkaProduceError(`${where}: ${errorName(code)}`, code, {
        retriable: isRetriableCode(code),
      });
      if (!err.retriable) throw err;
      unsent.batches.push(b);
      unsent.cause = err;
    }
    return unsent;
  }

  /** Fresh leaders of `topics`; rejects (not retriable) when one does not exist. */
  private async refresh(topics: readonly string[]): Promise<void> {
    const meta = await this.metadata(topics, false);
    for (const name of topics) {
      const t = meta.topics.get(name);
      const code = t === undefined ? 3 : t.errorCode;
      if (code === 3) {
        this.topics.delete(name);
        throw new KafkaProduceError(`topic ${name} does not exist`, 3, { retriable: false });
      }
      if (t === undefined || code !== 0)
        throw new KafkaProduceError(`topic ${name}: ${errorName(code)}`, code, {
          retriable: isRetriableCode(code),
        });
      const leaders = new Int32Array(t.leaders.size).fill(-1);
      const live: number[] = [];
      for (const [partition, p] of t.leaders) {
        if (partition >= leaders.length) continue;
        const leader = p.errorCode === 0 ? p.leader : -1;
        leaders[partition] = leader;
        if (leader >= 0) live.push(partition);
      }
      const rr = this.topics.get(name)?.rr ?? Math.floor(Math.random() * 0x7fffffff);
      this.topics.set(name, { leaders, live, rr });
    }
  }

  /** Metadata from the first broker that answers, known brokers first; learns broker addresses. */
  private async metadata(
    topics: readonly string[],
    checkVersions: boolean,
  ): Promise<ClusterMetadata> {
    const addresses = [...new Set([...this.nodes.values(), ...this.o.brokers])];
    const meta = await this.clusterMetadata(addresses, topics, checkVersions);
    this.nodes = new Map([...meta.brokers].map(([id, b]) => [id, `${b.host}:${String(b.port)}`]));
    return meta;
  }

  /** Metadata requests share the pooled connection of their broker. */
  protected override metadataConnection(address: string): BrokerConnection {
    return this.connection(address);
  }

  /** A broker that does not answer is skipped; any other failure ends the lookup. */
  protected override endsMetadataLookup(err: unknown): boolean {
    return !this.isRetriable(err);
  }

  protected override error(message: string, kafkaCode: number | null, cause?: unknown): Error {
    return new KafkaProduceError(message, kafkaCode, {
      retriable: kafkaCode === null || isRetriableCode(kafkaCode),
      cause,
    });
  }

  /** The open connection to `address`, or a new one in place of a failed one. */
  private connection(address: string): BrokerConnection {
    if (this.shut) throw closedError();
    let c = this.conns.get(address);
    if (c === undefined || !c.usable) {
      c = new BrokerConnection(address, this.o.clientId);
      this.conns.set(address, c);
    }
    return c;
  }
}

function closedError(): KafkaProduceError {
  return new KafkaProduceError('the producer is closed', null, { retriable: false });
}
