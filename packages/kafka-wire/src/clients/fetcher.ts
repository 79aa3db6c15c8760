import type { Logger } from 'pino';
import { BrokerConnection } from '../network/connection.js';
import { API_VERSION, ApiKey } from '../protocol/apis.js';
import { KafkaError, errorName, isRetriableCode } from '../protocol/errors.js';
import { decodeFetch, encodeFetch, type FetchedPartition } from '../protocol/fetch.js';
import type { ClusterMetadata } from '../protocol/metadata.js';
import { offsetAfter } from '../protocol/records.js';
import { BrokerClient } from './broker-client.js';

export type { FetchedPartition } from '../protocol/fetch.js';

/** A fetch failed for a reason retrying does not fix, or retries ran out. */
export class KafkaFetchError extends KafkaError {
  constructor(
    message: string,
    readonly kafkaCode: number | null,
    cause?: unknown,
  ) {
    super(message, { code: 'KAFKA_FETCH', cause });
  }
}

/** Where to start reading one partition. */
export interface FetchStart {
  topic: string;
  partition: number;
  /** The first offset to read. */
  offset: number;
}

/** Options of {@link PartitionFetcher.open}. */
export interface PartitionFetcherOptions {
  /** Bootstrap brokers, `host:port`. */
  brokers: readonly string[];
  clientId: string;
  partitions: readonly FetchStart[];
  /** How long the broker may hold a fetch with no new data (follow mode). @default 200 */
  maxWaitMs?: number;
  /** Bytes per fetch response. @default 16 MiB */
  maxBytes?: number;
  /** Bytes per partition per response (grown when one batch does not fit). @default 2 MiB */
  partitionMaxBytes?: number;
  /**
   * Responses fetched ahead of the caller, per broker. Each holds up to `maxBytes`, so a fetcher
   * keeps at most (prefetch + 2) × maxBytes per broker (queued, in flight, in the caller's hands).
   * @default 2
   */
  prefetch?: number;
  /** Consecutive failed attempts (with backoff) before giving up. @default 8 */
  retries?: number;
  /** @default 30000 */
  requestTimeoutMs?: number;
  /** Where retries (a lost connection, a moved leader) are logged as warnings. @default silent */
  logger?: Logger;
}

interface Position {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
  leader: number;
}

/** The fetch loop of one partition leader. */
interface Leg {
  node: number;
  conn: BrokerConnection;
  queued: number;
  stopped: boolean;
}

const key = (topic: string, partition: number): string => `${topic}:${String(partition)}`;
const MAX_PARTITION_BYTES = 64 * 1024 * 1024;
/** Backoff between attempts to (re)connect: from 100 ms, doubling, at most 3 s. */
const BACKOFF = { firstMs: 100, maxMs: 3000 } as const;

/**
 * Reads a fixed set of partitions from explicit offsets with plain Fetch requests: no consumer
 * group, no offset commits, no per-record objects (see {@link RecordCursor}). For replays whose
 * positions live elsewhere (e.g. stored beside the rows in ClickHouse). Each partition leader gets
 * one connection whose next fetch is sent as soon as a response arrives — its offsets come from the
 * batch headers — so the broker prepares the next response while the caller decodes this one, with
 * at most `prefetch` responses waiting per broker. A moved leader, a lost connection or a
 * retriable error code refreshes metadata and, with backoff, resumes after the last response
 * received (responses received but not yet read are kept and still delivered); anything else
 * (OFFSET_OUT_OF_RANGE, authorisation, unsupported versions, a response that does not parse)
 * fails `next()`.
 */
export class PartitionFetcher extends BrokerClient {
  private readonly positions = new Map<string, Position>();
  private readonly ready: { leg: Leg; partitions: FetchedPartition[] }[] = [];
  private legs: Leg[] = [];
  private brokers: string[];
  private closed = false;
  private failure: unknown = undefined;
  private wake: () => void = () => undefined;
  private roomWaiters: (() => void)[] = [];
  private refreshing: Promise<void> | null = null;
  private attempts = 0;
  private rotation = 0;
  private readonly o: Required<
    Omit<PartitionFetcherOptions, 'partitions' | 'brokers' | 'requestTimeoutMs' | 'logger'>
  >;

  private constructor(opts: PartitionFetcherOptions) {
    const o = {
      clientId: opts.clientId,
      maxWaitMs: opts.maxWaitMs ?? 200,
      maxBytes: opts.maxBytes ?? 16 * 1024 * 1024,
      partitionMaxBytes: opts.partitionMaxBytes ?? 2 * 1024 * 1024,
      prefetch: opts.prefetch ?? 2,
      retries: opts.retries ?? 8,
    };
    super(opts, {
      backoff: BACKOFF,
      apis: [ApiKey.fetch, ApiKey.metadata].map((k) => [k, API_VERSION[k]] as const),
      module: 'partition-fetcher',
    });
    this.o = o;
    this.brokers = [...opts.brokers];
    for (const p of opts.partitions)
      this.positions.set(key(p.topic, p.partition), {
        ...p,
        maxBytes: this.o.partitionMaxBytes,
        leader: -1,
      });
  }

  /** Checks the broker's protocol versions, looks up the leaders and starts fetching. */
  static async open(opts: PartitionFetcherOptions): Promise<PartitionFetcher> {
    const f = new PartitionFetcher(opts);
    await f.retrying(
      () => f.connectLegs(true),
      f.o.retries,
      (_err, again) => {
        f.close();
        if (!again) return;
        f.closed = false;
        f.legs = [];
      },
    );
    return f;
  }

  /**
   * The next response's partitions that carry records, in broker order; null once closed. As in
   * Kafka, `records` may begin with records below the requested `fetchOffset` (the whole batch that
   * holds it) and end in a batch cut off at the size limit; {@link RecordCursor} skips both.
   */
  async next(): Promise<FetchedPartition[] | null> {
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      if (this.closed) return null;
      const item = this.ready.shift();
      if (item) {
        item.leg.queued--;
        for (const w of this.roomWaiters.splice(0)) w();
        return item.partitions;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  /** Stops fetching a partition (e.g. it reached its end). Responses already fetched still hold it. */
  remove(topic: string, partition: number): void {
    this.positions.delete(key(topic, partition));
  }

  /** Closes the connections; a pending `next()` resolves with null. */
  close(): void {
    this.closed = true;
    for (const leg of this.legs) this.stopLeg(leg);
    for (const w of this.roomWaiters.splice(0)) w();
    this.wake();
  }

  private stopLeg(leg: Leg): void {
    leg.stopped = true;
    leg.conn.close();
  }

  /** Metadata → one leg per leader of the partitions still wanted. */
  private async connectLegs(first: boolean): Promise<void> {
    const meta = await this.metadata(first);
    for (const a of meta.brokers.values()) {
      const addr = `${a.host}:${String(a.port)}`;
      if (!this.brokers.includes(addr)) this.brokers.push(addr);
    }
    const byLeader = new Map<number, number>();
    for (const p of this.positions.values()) {
      const t = meta.topics.get(p.topic);
      const topicError = t === undefined ? 3 : t.errorCode;
      if (topicError !== 0)
        throw new KafkaFetchError(`topic ${p.topic}: ${errorName(topicError)}`, topicError);
      const info = t?.leaders.get(p.partition);
      if (info === undefined)
        throw new KafkaFetchError(`${p.topic} has no partition ${String(p.partition)}`, 3);
      p.leader = info.errorCode !== 0 ? -1 : info.leader;
      byLeader.set(p.leader, (byLeader.get(p.leader) ?? 0) + 1);
    }
    if (byLeader.has(-1)) throw new KafkaFetchError('a partition has no leader yet', 5);
    for (const node of byLeader.keys()) {
      const b = meta.brokers.get(node);
      if (b === undefined) throw new KafkaFetchError(`leader ${String(node)} is not listed`, 5);
      const conn = new BrokerConnection(`${b.host}:${String(b.port)}`, this.o.clientId);
      await conn.ready;
      const leg: Leg = { node, conn, queued: 0, stopped: false };
      this.legs.push(leg);
      this.runLeg(leg).catch((err: unknown) => {
        // A response that does not parse: nothing to retry.
        this.failure ??= err;
        this.wake();
      });
    }
  }

  /** Cluster metadata from the first bootstrap broker that answers (versions checked once). */
  private metadata(checkVersions: boolean): Promise<ClusterMetadata> {
    const topics = [...new Set([...this.positions.values()].map((p) => p.topic))];
    return this.clusterMetadata(this.brokers, topics, checkVersions);
  }

  /** A connection of its own per metadata request, closed after it. */
  protected override metadataConnection(address: string): BrokerConnection {
    return new BrokerConnection(address, this.o.clientId);
  }

  protected override releaseMetadataConnection(conn: BrokerConnection): void {
    conn.close();
  }

  /** A broker that answers with an error ends the lookup; one that does not answer is skipped. */
  protected override endsMetadataLookup(err: unknown): boolean {
    return err instanceof KafkaFetchError;
  }

  protected override error(message: string, kafkaCode: number | null, cause?: unknown): Error {
    return new KafkaFetchError(message, kafkaCode, cause);
  }

  /** Connection failures and retriable Kafka error codes; not version or authorisation errors. */
  protected override isRetriable(err: unknown): boolean {
    if (err instanceof KafkaFetchError)
      return err.kafkaCode === null || isRetriableCode(err.kafkaCode);
    return super.isRetriable(err);
  }

  /** Fetch, hand the response over, fetch again — while there is room and partitions to read. */
  private async runLeg(leg: Leg): Promise<void> {
    while (!leg.stopped && !this.closed) {
      if (leg.queued >= this.o.prefetch) {
        await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
        continue;
      }
      const wanted = [...this.positions.values()].filter((p) => p.leader === leg.node);
      if (wanted.length === 0) return;
      // Rotate the order so no partition is always last when the response is full.
      const start = this.rotation++ % wanted.length;
      const parts = [...wanted.slice(start), ...wanted.slice(0, start)];
      const requested = new Map(parts.map((p) => [key(p.topic, p.partition), p.offset]));
      let res: ReturnType<typeof decodeFetch>;
      try {
        const r = await leg.conn.request(
          ApiKey.fetch,
          API_VERSION[ApiKey.fetch],
          encodeFetch({
            maxWaitMs: this.o.maxWaitMs,
            minBytes: 1,
            maxBytes: this.o.maxBytes,
            partitions: parts,
          }),
          this.requestTimeoutMs + this.o.maxWaitMs,
        );
        res = decodeFetch(r);
      } catch (err) {
        if (leg.stopped) return;
        // A lost connection or a timeout is retried; a response that does not parse would parse
        // no better the next time.
        if (this.isRetriable(err)) this.retry(err);
        else {
          this.failure ??= err;
          this.wake();
        }
        return;
      }
      if (leg.stopped) return;
      if (res.errorCode !== 0) {
        this.onErrorCode(res.errorCode, 'fetch');
        return;
      }
      const data: FetchedPartition[] = [];
      let retriable = 0;
      for (const fp of res.partitions) {
        const pos = this.positions.get(key(fp.topic, fp.partition));
        if (fp.errorCode !== 0) {
          if (!isRetriableCode(fp.errorCode)) {
            this.onErrorCode(fp.errorCode, `${fp.topic}[${String(fp.partition)}]`);
            return;
          }
          retriable = fp.errorCode;
          continue;
        }
        if (pos === undefined || fp.records === null || fp.records.length === 0) continue;
        fp.fetchOffset = requested.get(key(fp.topic, fp.partition)) ?? 0;
        const next = offsetAfter(fp.records);
        // One batch larger than the partition limit: ask for more next time.
        if (next < 0) pos.maxBytes = Math.min(pos.maxBytes * 2, MAX_PARTITION_BYTES);
        else if (next > pos.offset) pos.offset = next;
        data.push(fp);
      }
      this.attempts = 0;
      if (data.length > 0) {
        leg.queued++;
        this.ready.push({ leg, partitions: data });
        this.wake();
      }
      if (retriable !== 0) {
        this.retry(new KafkaFetchError(errorName(retriable), retriable));
        return;
      }
    }
  }

  private onErrorCode(code: number, where: string): void {
    if (isRetriableCode(code)) {
      this.retry(new KafkaFetchError(`${where}: ${errorName(code)}`, code));
      return;
    }
    this.failure ??= new KafkaFetchError(`${where}: ${errorName(code)}`, code);
    this.wake();
  }

  /** Drops every leg, waits with backoff, then rebuilds the legs from fresh metadata. */
  private retry(cause: unknown): void {
    if (this.closed) return;
    if (this.refreshing !== null) {
      // A leg of the refresh under way failed already: refresh again once it is done.
      void this.refreshing.then(() => this.retry(cause));
      return;
    }
    this.logger.warn({ err: cause, attempt: this.attempts + 1 }, 'fetch retry');
    for (const leg of this.legs) this.stopLeg(leg);
    this.legs = [];
    this.refreshing = (async () => {
      while (!this.closed) {
        if (++this.attempts > this.o.retries) {
          this.failure ??= new KafkaFetchError(
            `fetch failed ${String(this.o.retries)} times`,
            cause instanceof KafkaFetchError ? cause.kafkaCode : null,
            cause,
          );
          this.wake();
          return;
        }
        await this.pause(this.attempts);
        try {
          if (!this.closed) await this.connectLegs(false);
          return;
        } catch (err) {
          if (!this.isRetriable(err)) {
            this.failure ??= err;
            this.wake();
            return;
          }
          cause = err;
          for (const leg of this.legs) this.stopLeg(leg);
          this.legs = [];
        }
      }
    })().finally(() => (this.refreshing = null));
  }
}
