import { crc32c } from './crc32c.js';
import { KafkaError } from './errors.js';
import { putInt64, putVarint, readInt64, readVarint, varintSize } from './wire.js';

/*
 * RecordBatch v2, the only format Kafka 3+/4 and Redpanda write; from
 * https://kafka.apache.org/documentation/#recordbatch:
 *
 *   baseOffset: int64
 *   batchLength: int32
 *   partitionLeaderEpoch: int32
 *   magic: int8 (current magic value is 2)
 *   crc: uint32
 *   attributes: int16
 *       bit 0~2: compression (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd)
 *       bit 3: timestampType
 *       bit 4: isTransactional (0 means not transactional)
 *       bit 5: isControlBatch (0 means not a control batch)
 *       bit 6: hasDeleteHorizonMs
 *       bit 7~15: unused
 *   lastOffsetDelta: int32
 *   baseTimestamp: int64
 *   maxTimestamp: int64
 *   producerId: int64
 *   producerEpoch: int16
 *   baseSequence: int32
 *   records: [Record]
 *
 * Record =>
 *   length: varint
 *   attributes: int8
 *   timestampDelta: varlong
 *   offsetDelta: varint
 *   keyLength: varint
 *   key: byte[]
 *   valueLen: varint
 *   value: byte[]
 *   Headers => [Header]
 *
 * A control record's key is `version: int16, type: int16` (0 abort, 1 commit). The CRC-32C covers
 * attributes to the end of the batch.
 *
 * Both directions live here, on one header layout: the reader (`RecordCursor`) decodes record by
 * record into one reusable cursor, no object per record but the zero-copy key and value views;
 * the writer (`RecordBatchWriter`) encodes a plain producer's batches straight into one buffer.
 */

/** Codec ids in the low three bits of a batch's attributes. */
export const RecordCompression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * A batch this reader cannot decode: compressed (our producers write uncompressed batches — see
 * `createPublisher` — and decompressing would cost more than the replay saves), or an old
 * message format. Not retriable: read such a topic with the kafkajs consumer instead.
 */
export class UnsupportedRecordsError extends KafkaError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    what: string,
  ) {
    super(
      `${topic}[${String(partition)}] at offset ${String(offset)}: ${what}; the lean fetch path reads uncompressed RecordBatch v2 only`,
      { code: 'KAFKA_RECORDS_UNSUPPORTED' },
    );
  }
}

/** An aborted transaction from a fetch response (read_committed). */
export interface AbortedTransaction {
  producerId: number;
  firstOffset: number;
}

/** Batch header layout (byte positions from the batch start); the records follow it. */
const H = {
  baseOffset: 0,
  batchLength: 8,
  leaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
  records: 61,
} as const;
const TRANSACTIONAL = 0x10;
const CONTROL = 0x20;
const LOG_APPEND_TIME = 0x08;

/**
 * Walks the records of one partition's fetch response. `next()` moves to the next data record and
 * fills `offset`, `timestamp`, `key` and `value`; control batches (transaction markers), records
 * of aborted transactions and empty (compacted) batches are skipped. A trailing batch the broker
 * cut off at the size limit is left for the next fetch: `nextOffset` is the offset after the last
 * complete batch, i.e. where the next fetch of this partition starts.
 */
export class RecordCursor {
  offset = 0;
  timestamp = 0;
  key: Buffer | null = null;
  value: Buffer | null = null;
  /** Offset after the last complete batch seen; -1 until one is seen. */
  nextOffset = -1;

  private buf: Buffer = Buffer.alloc(0);
  private end = 0;
  /** Start of the next batch header. */
  private batchPos = 0;
  /** Next record in the current batch, and how many remain. */
  private pos = 0;
  private left = 0;
  private baseOffset = 0;
  private baseTimestamp = 0;
  private maxTimestamp = 0;
  private appendTime = false;
  private aborted: AbortedTransaction[] = [];
  private abortedAt = 0;
  private readonly abortedProducers = new Set<number>();
  private readonly v = new Float64Array(1);
  private topic = '';
  private partition = 0;

  /** Records below this offset (the start of the batch holding the fetch offset) are skipped. */
  private from = 0;

  /** Starts over on one partition's `records` field, as fetched from offset `from`. */
  reset(
    topic: string,
    partition: number,
    records: Buffer | null,
    aborted: readonly AbortedTransaction[] | null,
    from = 0,
  ): this {
    this.from = from;
    this.topic = topic;
    this.partition = partition;
    this.buf = records ?? Buffer.alloc(0);
    this.end = this.buf.length;
    this.batchPos = 0;
    this.left = 0;
    this.nextOffset = -1;
    this.aborted =
      aborted === null || aborted.length === 0
        ? []
        : [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
    this.abortedAt = 0;
    this.abortedProducers.clear();
    return this;
  }

  /** True when every byte was a complete batch (nothing was cut off at the size limit). */
  get complete(): boolean {
    return this.batchPos >= this.end;
  }

  /** Advances to the next data record; false at the end of the complete batches. */
  next(): boolean {
    for (;;) {
      while (this.left === 0) if (!this.nextBatch()) return false;
      this.readRecord();
      if (this.offset >= this.from) return true;
    }
  }

  private readRecord(): void {
    this.left--;
    const buf = this.buf;
    const v = this.v;
    let p = readVarint(buf, this.pos, v);
    const recordEnd = p + (v[0] as number);
    p += 1; // attributes
    p = readVarint(buf, p, v);
    this.timestamp = this.appendTime ? this.maxTimestamp : this.baseTimestamp + (v[0] as number);
    p = readVarint(buf, p, v);
    this.offset = this.baseOffset + (v[0] as number);
    p = readVarint(buf, p, v);
    let n = v[0] as number;
    this.key = n < 0 ? null : buf.subarray(p, (p += n));
    p = readVarint(buf, p, v);
    n = v[0] as number;
    this.value = n < 0 ? null : buf.subarray(p, p + n);
    // Headers are not read: the record length says where the next record starts.
    this.pos = recordEnd;
  }

  /** Reads the next complete batch header; false when none is left. */
  private nextBatch(): boolean {
    const buf = this.buf;
    const at = this.batchPos;
    if (at + H.records > this.end) return false;
    const size = 12 + buf.readInt32BE(at + H.batchLength);
    if (at + size > this.end) return false; // cut off at the size limit: fetched again next time
    const base = readInt64(buf, at);
    const magic = buf.readInt8(at + H.magic);
    if (magic !== 2)
      throw new UnsupportedRecordsError(
        this.topic,
        this.partition,
        base,
        `message format v${String(magic)}`,
      );
    const attributes = buf.readInt16BE(at + H.attributes);
    const codec = attributes & 0x07;
    if (codec !== RecordCompression.none)
      throw new UnsupportedRecordsError(
        this.topic,
        this.partition,
        base,
        `${CODEC_NAMES[codec] ?? `codec ${String(codec)}`}-compressed batch`,
      );
    const last = base + buf.readInt32BE(at + H.lastOffsetDelta);
    this.batchPos = at + size;
    this.nextOffset = last + 1;
    const count = buf.readInt32BE(at + H.recordCount);
    if ((attributes & TRANSACTIONAL) !== 0 && this.skipTransactional(at, attributes, last))
      return true;
    this.baseOffset = base;
    this.baseTimestamp = readInt64(buf, at + H.baseTimestamp);
    this.maxTimestamp = readInt64(buf, at + H.maxTimestamp);
    this.appendTime = (attributes & LOG_APPEND_TIME) !== 0;
    this.pos = at + H.records;
    this.left = count;
    return true;
  }

  /**
   * read_committed: true when the transactional batch at `at` holds no data to return — a control
   * batch (an abort marker also ends that producer's aborted run) or part of an aborted
   * transaction (its producer has an aborted transaction starting at or before the batch).
   */
  private skipTransactional(at: number, attributes: number, last: number): boolean {
    const producerId = readInt64(this.buf, at + H.producerId);
    while (this.abortedAt < this.aborted.length) {
      const a = this.aborted[this.abortedAt];
      if (a === undefined || a.firstOffset > last) break;
      this.abortedProducers.add(a.producerId);
      this.abortedAt++;
    }
    if ((attributes & CONTROL) !== 0) {
      if (this.controlType(at) === 0) this.abortedProducers.delete(producerId);
      return true;
    }
    return this.abortedProducers.has(producerId);
  }

  /** The control record's type (0 = abort, 1 = commit), read from its key. */
  private controlType(at: number): number {
    const v = this.v;
    let p = readVarint(this.buf, at + H.records, v); // length
    p += 1; // attributes
    p = readVarint(this.buf, p, v); // timestamp delta
    p = readVarint(this.buf, p, v); // offset delta
    p = readVarint(this.buf, p, v); // key length
    // Key: int16 version, int16 type.
    return (v[0] as number) >= 4 ? this.buf.readInt16BE(p + 2) : -1;
  }
}

/**
 * The offset after the last complete batch in a partition's `records`, or -1 when it holds none
 * (empty, or one batch cut off at the size limit). Reads batch headers only, so the next fetch can
 * be sent before the records are decoded.
 */
export function offsetAfter(records: Buffer | null): number {
  if (records === null) return -1;
  let next = -1;
  let at = 0;
  while (at + H.records <= records.length) {
    const size = 12 + records.readInt32BE(at + H.batchLength);
    if (at + size > records.length) break;
    next = readInt64(records, at) + records.readInt32BE(at + H.lastOffsetDelta) + 1;
    at += size;
  }
  return next;
}

/**
 * A pre-encoded message: the subset of kafkajs's `Message` that both the kafkajs `Publisher` and
 * the `LeanProducer` send. The timestamp is milliseconds since the epoch as a decimal string (as in
 * kafkajs); absent, the send time is used.
 */
export interface ProducerMessage {
  key: string | null;
  value: string | Buffer;
  timestamp?: string;
}

/** A message that cannot be encoded (a caller bug); not retriable. */
export class InvalidRecordError extends KafkaError {
  constructor(message: string) {
    super(message, { code: 'KAFKA_RECORD_INVALID' });
  }
}

/**
 * Encodes batches of messages for a plain (non-idempotent, non-transactional) producer:
 * uncompressed, no headers, written straight into one buffer of the exact size per batch. Lengths
 * and timestamps of a batch live in reused typed arrays, so no object is made per record. One
 * writer per producer (its scratch arrays are reused, so a batch must be encoded to the end before
 * the next starts — `encode` is synchronous).
 */
export class RecordBatchWriter {
  /** Per record: key length (-1 for null), value length, record body length. */
  private lengths = new Int32Array(3 * 1024);
  private stamps = new Float64Array(1024);
  private identity = new Int32Array(0);

  /**
   * One batch of `messages[indices[from]] … messages[indices[to - 1]]`, in that order, with offset
   * deltas 0…n-1. A message without a timestamp gets `now`. The base timestamp is the earliest.
   */
  encode(
    messages: readonly ProducerMessage[],
    indices: Int32Array,
    from: number,
    to: number,
    now: number,
  ): Buffer {
    const count = to - from;
    if (count <= 0) throw new InvalidRecordError('a record batch needs at least one record');
    if (count > this.stamps.length) {
      this.stamps = new Float64Array(count * 2);
      this.lengths = new Int32Array(count * 6);
    }
    const lengths = this.lengths;
    const stamps = this.stamps;
    let first = Infinity;
    let max = -Infinity;
    for (let j = 0; j < count; j++) {
      const m = messages[indices[from + j] as number] as ProducerMessage;
      const ts = m.timestamp ? Number(m.timestamp) : now;
      if (!Number.isSafeInteger(ts))
        throw new InvalidRecordError(
          `timestamp ${String(m.timestamp)} is not integer milliseconds`,
        );
      stamps[j] = ts;
      if (ts < first) first = ts;
      if (ts > max) max = ts;
      lengths[3 * j] = m.key === null ? -1 : Buffer.byteLength(m.key);
      lengths[3 * j + 1] =
        typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.length;
    }
    let size: number = H.records;
    for (let j = 0; j < count; j++) {
      const keyLen = lengths[3 * j] as number;
      const valueLen = lengths[3 * j + 1] as number;
      const body =
        1 + // attributes
        varintSize((stamps[j] as number) - first) +
        varintSize(j) +
        varintSize(keyLen) +
        Math.max(keyLen, 0) +
        varintSize(valueLen) +
        valueLen +
        1; // header count: 0
      lengths[3 * j + 2] = body;
      size += varintSize(body) + body;
    }

    const buf = Buffer.allocUnsafe(size);
    let p: number = H.records;
    for (let j = 0; j < count; j++) {
      const m = messages[indices[from + j] as number] as ProducerMessage;
      p = putVarint(buf, p, lengths[3 * j + 2] as number);
      buf[p++] = 0; // attributes
      p = putVarint(buf, p, (stamps[j] as number) - first);
      p = putVarint(buf, p, j);
      p = putVarint(buf, p, lengths[3 * j] as number);
      if (m.key !== null) p += buf.write(m.key, p, 'utf8');
      p = putVarint(buf, p, lengths[3 * j + 1] as number);
      p += typeof m.value === 'string' ? buf.write(m.value, p, 'utf8') : m.value.copy(buf, p);
      buf[p++] = 0; // headers
    }

    putInt64(buf, H.baseOffset, 0); // the broker assigns it
    buf.writeInt32BE(size - H.leaderEpoch, H.batchLength); // what follows the length field
    buf.writeInt32BE(-1, H.leaderEpoch); // set by the broker
    buf.writeInt8(2, H.magic);
    buf.writeInt16BE(0, H.attributes); // no compression, create time, not transactional
    buf.writeInt32BE(count - 1, H.lastOffsetDelta);
    putInt64(buf, H.baseTimestamp, first);
    putInt64(buf, H.maxTimestamp, max);
    putInt64(buf, H.producerId, -1); // not idempotent
    buf.writeInt16BE(-1, H.producerEpoch);
    buf.writeInt32BE(-1, H.baseSequence);
    buf.writeInt32BE(count, H.recordCount);
    buf.writeUInt32BE(crc32c(buf, H.attributes, size), H.crc);
    return buf;
  }

  /** One batch of all `messages`, in order. */
  encodeAll(messages: readonly ProducerMessage[], now: number): Buffer {
    if (this.identity.length < messages.length) {
      this.identity = new Int32Array(messages.length);
      for (let i = 0; i < messages.length; i++) this.identity[i] = i;
    }
    return this.encode(messages, this.identity, 0, messages.length, now);
  }
}
