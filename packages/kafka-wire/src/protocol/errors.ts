/**
 * Base class of this package's errors: a stable `code`, whether retrying may help, and the cause
 * (the shape of `StreambidError` in @streambid/adapters, which this package cannot import).
 */
export class KafkaError extends Error {
  readonly code: string;
  readonly retriable: boolean;

  constructor(message: string, opts: { code: string; retriable?: boolean; cause?: unknown }) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = new.target.name;
    this.code = opts.code;
    this.retriable = opts.retriable ?? false;
  }
}

/** One Kafka error code: its name and whether the clients retry it. */
export interface KafkaErrorCode {
  readonly name: string;
  /**
   * True when refreshing metadata (a leader moved, a partition is being created or reassigned) or
   * simply sending again (a slow broker, too few in-sync replicas) may succeed.
   */
  readonly retriable: boolean;
}

/**
 * The error codes the fetcher and the producer meet, from
 * https://kafka.apache.org/protocol#protocol_error_codes. `retriable` is the protocol guide's
 * flag except for CORRUPT_MESSAGE: the guide marks it retriable (a bit flipped on the wire), but
 * the batches we send are written in memory, so one the broker calls corrupt would be again.
 * A code not listed is not retriable.
 */
export const KAFKA_ERRORS: Readonly<Record<number, KafkaErrorCode>> = {
  1: { name: 'OFFSET_OUT_OF_RANGE', retriable: false },
  2: { name: 'CORRUPT_MESSAGE', retriable: false },
  3: { name: 'UNKNOWN_TOPIC_OR_PARTITION', retriable: true }, // metadata not yet propagated
  5: { name: 'LEADER_NOT_AVAILABLE', retriable: true },
  6: { name: 'NOT_LEADER_OR_FOLLOWER', retriable: true },
  7: { name: 'REQUEST_TIMED_OUT', retriable: true },
  9: { name: 'REPLICA_NOT_AVAILABLE', retriable: true },
  10: { name: 'MESSAGE_TOO_LARGE', retriable: false },
  13: { name: 'NETWORK_EXCEPTION', retriable: true },
  17: { name: 'INVALID_TOPIC_EXCEPTION', retriable: false },
  18: { name: 'RECORD_LIST_TOO_LARGE', retriable: false },
  19: { name: 'NOT_ENOUGH_REPLICAS', retriable: true },
  20: { name: 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', retriable: true },
  21: { name: 'INVALID_REQUIRED_ACKS', retriable: false },
  29: { name: 'TOPIC_AUTHORIZATION_FAILED', retriable: false },
  32: { name: 'INVALID_TIMESTAMP', retriable: false },
  35: { name: 'UNSUPPORTED_VERSION', retriable: false },
  43: { name: 'UNSUPPORTED_FOR_MESSAGE_FORMAT', retriable: false },
  44: { name: 'POLICY_VIOLATION', retriable: false },
  56: { name: 'KAFKA_STORAGE_ERROR', retriable: true },
  74: { name: 'FENCED_LEADER_EPOCH', retriable: true },
  75: { name: 'UNKNOWN_LEADER_EPOCH', retriable: true },
  78: { name: 'OFFSET_NOT_AVAILABLE', retriable: true },
  87: { name: 'INVALID_RECORD', retriable: false },
};

/** The name of a Kafka error code, for messages. */
export function errorName(code: number): string {
  return KAFKA_ERRORS[code]?.name ?? `Kafka error ${String(code)}`;
}

/** Whether the clients retry a Kafka error code (see {@link KAFKA_ERRORS}). */
export function isRetriableCode(code: number): boolean {
  return KAFKA_ERRORS[code]?.retriable ?? false;
}
