import { createHash } from 'node:crypto';
import type { Message } from 'kafkajs';
import type { DeadLetter, TOPICS } from '@streambid/contracts';
import { StreambidError } from '../errors.js';
import { cutJsonString } from './codec.js';
import { toMessage, type Publisher } from './publisher.js';

/** A message that could not be applied, as read from its partition (raw bytes). */
export interface Poison {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  reason: string;
}

/**
 * Bounds of dead-letter records, in UTF-8 bytes as they go on the wire (JSON-escaped inside the
 * record's value). The broker checks `max.message.bytes` (default 1 MiB + 12, also Redpanda's)
 * against the whole record batch of one partition in one produce request, so a send is bounded
 * too, not only each record.
 */
export interface DeadLetterLimits {
  /** The original value kept, as a JSON string literal. @default 262144 */
  valueBytes: number;
  /** The original key kept, as a JSON string literal (it is also the record's key). @default 4096 */
  keyBytes: number;
  /** The reason kept, as a JSON string literal. @default 2048 */
  reasonBytes: number;
  /** Sum over the records of one send of key + value + 64 bytes of record framing. @default 786432 */
  batchBytes: number;
}

export const DEAD_LETTER_LIMITS: DeadLetterLimits = {
  valueBytes: 256 * 1024,
  keyBytes: 4096,
  reasonBytes: 2048,
  batchBytes: 768 * 1024,
};

/**
 * What a record is cut to when the topic refuses even one record within the limits (a topic
 * configured with a lower `max.message.bytes`): enough to find the message by its offset.
 */
const MINIMAL: Omit<DeadLetterLimits, 'batchBytes'> = {
  valueBytes: 1024,
  keyBytes: 256,
  reasonBytes: 512,
};

/** Varint lengths, attributes and timestamp/offset deltas of one record: at most 36 bytes. */
const RECORD_FRAMING = 64;
const MAX_EVENT_ID = 128;
/** Our own service name, bounded too so that every field of a record is. */
const MAX_SERVICE_BYTES = 256;
/**
 * Longest original key used as the record's message key; a longer one is replaced by the event id
 * (the record's `key` field still keeps it, cut to `keyBytes`). kafkajs's default partitioner
 * hashes keys in quadratic time on BigInts: 256 bytes take 0.4 ms, 4 KiB 18 ms, 600 KiB two minutes.
 */
const MAX_MESSAGE_KEY_BYTES = 256;

/** Dead-lettering failed; `delivered` records at the front of the list did reach the topic. */
export class DeadLetterError extends StreambidError {
  readonly delivered: number;
  constructor(topic: string, delivered: number, retriable: boolean, cause: unknown) {
    super(`dead-letter to ${topic} failed`, { code: 'DEAD_LETTER_FAILED', retriable, cause });
    this.delivered = delivered;
  }
}

/**
 * Whether retrying may help, from an error and its causes: an explicit `retriable: false` anywhere
 * in the chain wins (kafkajs marks MESSAGE_TOO_LARGE so; our KafkaProduceError wraps it as retriable),
 * except that kafkajs reports a retriable failure that ran out of retries as non-retriable
 * `KafkaJSNumberOfRetriesExceeded`.
 */
export function isRetriable(err: unknown): boolean {
  let retriable = false;
  let e: unknown = err;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const o = e as { name?: unknown; retriable?: unknown; cause?: unknown };
    if (o.name === 'KafkaJSNumberOfRetriesExceeded') return true;
    if (o.retriable === false) return false;
    if (o.retriable === true) retriable = true;
    e = o.cause;
  }
  return retriable;
}

function isTooLarge(err: unknown): boolean {
  let e: unknown = err;
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const o = e as { type?: unknown; cause?: unknown };
    if (o.type === 'MESSAGE_TOO_LARGE' || o.type === 'RECORD_LIST_TOO_LARGE') return true;
    e = o.cause;
  }
  return false;
}

/** `<topic>:<partition>:<offset>`, with the topic hashed when that would exceed the id limit. */
function eventIdOf(topic: string, partition: number, offset: string): string {
  const id = `${topic}:${String(partition)}:${offset}`;
  if (id.length <= MAX_EVENT_ID) return id;
  const h = createHash('sha256').update(topic).digest('hex').slice(0, 32);
  return `${h}:${String(partition)}:${offset}`;
}

/** The dead-letter record of one message, its fields cut to `limits` and the cuts noted. */
export function deadLetterRecord(
  src: { service: string; topic: string; partition: number },
  p: Poison,
  now: number,
  limits: Omit<DeadLetterLimits, 'batchBytes'> = DEAD_LETTER_LIMITS,
): DeadLetter {
  const cut: NonNullable<DeadLetter['cut']> = {};
  const keep = (
    text: string | null,
    max: number,
    originalBytes: number,
    field: keyof typeof cut,
  ): string | null => {
    if (text === null) return null;
    const c = cutJsonString(text, max);
    if (c.cut) cut[field] = originalBytes;
    return c.text;
  };
  const reason = keep(p.reason, limits.reasonBytes, Buffer.byteLength(p.reason), 'reasonBytes');
  const record: DeadLetter = {
    eventId: eventIdOf(src.topic, src.partition, p.offset),
    ts: now,
    service: cutJsonString(src.service, MAX_SERVICE_BYTES).text,
    sourceTopic: src.topic,
    partition: src.partition,
    offset: p.offset,
    key: keep(p.key?.toString('utf8') ?? null, limits.keyBytes, p.key?.length ?? 0, 'keyBytes'),
    value: keep(
      p.value?.toString('utf8') ?? null,
      limits.valueBytes,
      p.value?.length ?? 0,
      'valueBytes',
    ),
    reason: reason ?? '',
  };
  if (Object.keys(cut).length > 0) record.cut = cut;
  return record;
}

/** The record as a validated message, its key bounded (see {@link MAX_MESSAGE_KEY_BYTES}). */
function message(topic: (typeof TOPICS)['deadLetter'], r: DeadLetter): Message {
  const m = toMessage(topic, r);
  return Buffer.byteLength(m.key) > MAX_MESSAGE_KEY_BYTES ? { ...m, key: r.eventId } : m;
}

/** Bytes a message adds to a record batch. */
function messageBytes(m: Message): number {
  const len = (v: Message['key']): number =>
    v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
  return len(m.key) + len(m.value) + RECORD_FRAMING;
}

/**
 * Writes dead-letter records, each bounded by the limits and sent in requests whose record batch
 * stays under `batchBytes`, so the default broker limit accepts every send. If the topic still
 * refuses a send as too large, each of its records is sent again alone, cut to a minimal form.
 */
export class DeadLetterWriter {
  private readonly limits: DeadLetterLimits;

  constructor(
    private readonly publisher: Publisher,
    private readonly topic: (typeof TOPICS)['deadLetter'],
    private readonly service: string,
    limits: Partial<DeadLetterLimits> = {},
  ) {
    this.limits = { ...DEAD_LETTER_LIMITS, ...limits };
  }

  /**
   * Sends one record per poison message, in order. Throws a {@link DeadLetterError} saying how many
   * were delivered before the failure and whether retrying may help. Returns how many were cut.
   */
  async write(sourceTopic: string, partition: number, poison: readonly Poison[]): Promise<number> {
    const src = { service: this.service, topic: sourceTopic, partition };
    const now = Date.now();
    const records = poison.map((p) => deadLetterRecord(src, p, now, this.limits));
    const messages = records.map((r) => message(this.topic, r));
    let delivered = 0;
    try {
      for (const chunk of this.chunks(messages)) {
        const at = delivered;
        try {
          await this.publisher.sendBatch([{ topic: this.topic.name, messages: chunk }]);
        } catch (err) {
          if (!isTooLarge(err)) throw err;
          for (let i = 0; i < chunk.length; i++) {
            const p = poison[at + i];
            if (p === undefined) continue;
            const small = deadLetterRecord(src, p, now, MINIMAL);
            if (small.cut) records[at + i] = small;
            await this.publisher.sendBatch([
              { topic: this.topic.name, messages: [message(this.topic, small)] },
            ]);
            delivered++;
          }
          continue;
        }
        delivered += chunk.length;
      }
    } catch (err) {
      throw new DeadLetterError(this.topic.name, delivered, isRetriable(err), err);
    }
    return records.filter((r) => r.cut !== undefined).length;
  }

  private *chunks(messages: readonly Message[]): Generator<Message[]> {
    let chunk: Message[] = [];
    let bytes = 0;
    for (const m of messages) {
      const b = messageBytes(m);
      if (chunk.length > 0 && bytes + b > this.limits.batchBytes) {
        yield chunk;
        chunk = [];
        bytes = 0;
      }
      chunk.push(m);
      bytes += b;
    }
    if (chunk.length > 0) yield chunk;
  }
}
