import { StreambidError } from '../../errors.js';
import type { ProducerMessage } from './batch-sender.js';
import { crc32c } from './crc32c.js';

/**
 * RecordBatch v2 encoding for a plain (non-idempotent, non-transactional) producer: uncompressed,
 * no headers, written straight into one buffer of the exact size per batch. Lengths and timestamps
 * of a batch live in reused typed arrays, so no object is made per record. See
 * https://kafka.apache.org/documentation/#recordbatch.
 */

/** A message that cannot be encoded (a caller bug); not retriable. */
export class InvalidRecordError extends StreambidError {
  constructor(message: string) {
    super(message, { code: 'KAFKA_RECORD_INVALID' });
  }
}

/** Size of the batch header; the records follow it. */
const HEADER = 61;
/** The CRC covers attributes (at 21) to the end of the batch. */
const CRC_AT = 17;
const CRC_FROM = 21;

/** Bytes of the zig-zag varint of `v` (|v| < 2^52). */
export function varintSize(v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  let n = 1;
  while (z >= 128) {
    z = Math.floor(z / 128);
    n++;
  }
  return n;
}

/** Writes the zig-zag varint of `v` at `pos`; returns the position after it. */
function putVarint(buf: Buffer, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

function putInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * 4294967296, pos + 4);
}

/**
 * Encodes batches of messages; one writer per producer (its scratch arrays are reused, so a batch
 * must be encoded to the end before the next starts — `encode` is synchronous).
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
    let size = HEADER;
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
    let p = HEADER;
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

    putInt64(buf, 0, 0); // base offset: the broker assigns it
    buf.writeInt32BE(size - 12, 8); // batch length: what follows this field
    buf.writeInt32BE(-1, 12); // partition leader epoch: set by the broker
    buf.writeInt8(2, 16); // magic
    buf.writeInt16BE(0, CRC_FROM); // attributes: no compression, create time, not transactional
    buf.writeInt32BE(count - 1, 23); // last offset delta
    putInt64(buf, 27, first);
    putInt64(buf, 35, max);
    putInt64(buf, 43, -1); // producer id: not idempotent
    buf.writeInt16BE(-1, 51); // producer epoch
    buf.writeInt32BE(-1, 53); // base sequence
    buf.writeInt32BE(count, 57);
    buf.writeUInt32BE(crc32c(buf, CRC_FROM, size), CRC_AT);
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
