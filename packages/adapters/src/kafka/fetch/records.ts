import { StreambidError } from '../../errors.js';
import { readInt64, readVarint } from './wire.js';

/**
 * RecordBatch v2 decoding (the only format Kafka 3+/4 and Redpanda write), record by record into
 * one reusable cursor: no object per record but the zero-copy key and value views. See
 * https://kafka.apache.org/documentation/#recordbatch.
 */

/** Codec ids in the low three bits of a batch's attributes. */
export const RecordCompression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
const CODEC_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/**
 * A batch this reader cannot decode: compressed (our producers write uncompressed batches — see
 * `createPublisher` — and decompressing would cost more than the replay saves), or an old
 * message format. Not retriable: read such a topic with the kafkajs consumer instead.
 */
export class UnsupportedRecordsError extends StreambidError {
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

/** Batch header layout (byte positions from the batch start). */
const H = {
  batchLength: 8,
  magic: 16,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
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
