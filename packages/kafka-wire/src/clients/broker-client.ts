import { pino, type Logger } from 'pino';
import type { BrokerConnection } from '../network/connection.js';
import { decodeApiVersions } from '../protocol/api-versions.js';
import { API_VERSION, ApiKey } from '../protocol/apis.js';
import { KafkaError } from '../protocol/errors.js';
import { decodeMetadata, encodeMetadata, type ClusterMetadata } from '../protocol/metadata.js';
import { pause, retrying, type Backoff } from './retry.js';

/** The options every client takes, which the base reads. */
export interface BrokerClientOptions {
  clientId: string;
  /** How long a request may take before its connection is dropped. @default 30000 */
  requestTimeoutMs?: number;
  /** Where retries are logged as warnings. @default silent */
  logger?: Logger;
}

/** What a client tells the base it builds on. */
export interface BrokerClientSettings {
  /** The client's backoff between attempts. */
  backoff: Backoff;
  /** The APIs the client sends, checked against what the broker serves (`[apiKey, version]`). */
  apis: readonly (readonly [number, number])[];
  /** The `module` field of the client's log lines. */
  module: string;
}

/**
 * What the fetcher and the producer share: cluster metadata from the first broker that answers
 * (with a check of the API versions), the retry loop, and the one backoff. A subclass says where a
 * metadata request goes, which failures end the lookup, and which error class it throws.
 */
export abstract class BrokerClient {
  protected readonly clientId: string;
  protected readonly requestTimeoutMs: number;
  protected readonly logger: Logger;
  private readonly backoff: Backoff;
  private readonly apis: readonly (readonly [number, number])[];

  protected constructor(opts: BrokerClientOptions, s: BrokerClientSettings) {
    this.clientId = opts.clientId;
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 30_000;
    this.backoff = s.backoff;
    this.apis = s.apis;
    this.logger = (opts.logger ?? pino({ level: 'silent' })).child({ module: s.module });
  }

  /** The connection a metadata request to `address` goes over. */
  protected abstract metadataConnection(address: string): BrokerConnection;

  /** Called once the metadata request over `conn` is done, whatever its outcome. */
  protected releaseMetadataConnection(_conn: BrokerConnection): void {
    // Pooled connections stay open.
  }

  /** True when `err` from one broker ends the lookup instead of moving on to the next broker. */
  protected abstract endsMetadataLookup(err: unknown): boolean;

  /** The client's own error; `kafkaCode` null when no broker sent one. */
  protected abstract error(message: string, kafkaCode: number | null, cause?: unknown): Error;

  /** Whether another attempt may succeed after `err` (lost connections, retriable codes). */
  protected isRetriable(err: unknown): boolean {
    return err instanceof KafkaError && err.retriable;
  }

  /** Waits the backoff after failed attempt `attempt` (1-based). */
  protected pause(attempt: number): Promise<void> {
    return pause(attempt, this.backoff);
  }

  /** Runs `op` up to `attempts` times while it fails retriably, with the backoff in between. */
  protected retrying<T>(
    op: () => Promise<T>,
    attempts: number,
    onFailure?: (err: unknown, again: boolean) => Promise<void> | void,
  ): Promise<T> {
    return retrying(op, {
      attempts,
      backoff: this.backoff,
      retriable: (err) => this.isRetriable(err),
      ...(onFailure === undefined ? {} : { onFailure }),
    });
  }

  /**
   * Cluster metadata for `topics` from the first of `addresses` that answers, after checking it
   * serves the client's API versions when `checkVersions`.
   */
  protected async clusterMetadata(
    addresses: readonly string[],
    topics: readonly string[],
    checkVersions: boolean,
  ): Promise<ClusterMetadata> {
    let last: unknown = undefined;
    for (const address of addresses) {
      let conn: BrokerConnection | undefined;
      try {
        conn = this.metadataConnection(address);
        await conn.ready;
        if (checkVersions) {
          const why = await unservedApi(conn, this.apis, this.requestTimeoutMs);
          if (why !== null) throw this.error(why, 35); // UNSUPPORTED_VERSION
        }
        return await requestMetadata(conn, topics, this.requestTimeoutMs);
      } catch (err) {
        if (this.endsMetadataLookup(err)) throw err;
        last = err;
      } finally {
        if (conn !== undefined) this.releaseMetadataConnection(conn);
      }
    }
    throw this.error(`no broker of ${addresses.join(',')} answered`, null, last);
  }
}

/**
 * Asks the broker which API versions it serves; returns why it cannot serve one of `wanted`
 * (`[apiKey, version]` pairs), or null when it serves them all.
 */
async function unservedApi(
  conn: BrokerConnection,
  wanted: readonly (readonly [number, number])[],
  timeoutMs: number,
): Promise<string | null> {
  const r = await conn.request(
    ApiKey.apiVersions,
    API_VERSION[ApiKey.apiVersions],
    () => undefined,
    timeoutMs,
  );
  const { versions } = decodeApiVersions(r);
  for (const [api, want] of wanted) {
    const v = versions.get(api);
    if (v === undefined || want < v.min || want > v.max)
      return `${conn.address} does not serve API ${String(api)} v${String(want)} (serves ${v ? `v${String(v.min)}–v${String(v.max)}` : 'none'})`;
  }
  return null;
}

/** Cluster metadata (brokers, partition leaders) for `topics`, over `conn`. */
async function requestMetadata(
  conn: BrokerConnection,
  topics: readonly string[],
  timeoutMs: number,
): Promise<ClusterMetadata> {
  const r = await conn.request(
    ApiKey.metadata,
    API_VERSION[ApiKey.metadata],
    encodeMetadata(topics),
    timeoutMs,
  );
  return decodeMetadata(r);
}
