/**
 * Kafka wire-format primitives (big-endian fixed-width integers, int16-length strings, zig-zag
 * varints) for the non-flexible request and response versions the clients speak, and the varint
 * and int64 helpers of the RecordBatch reader and writer. Pure: no I/O. See
 * https://kafka.apache.org/protocol#protocol_types.
 */

/** The response ended before a field it announced: a framing bug or a truncated frame. */
export class WireFormatError extends Error {
  readonly code = 'KAFKA_WIRE_FORMAT';
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

/** Builds one request body; grows its buffer as needed. */
export class WireWriter {
  private buf = Buffer.allocUnsafe(256);
  private pos = 0;

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int8(v: number): this {
    this.room(1);
    this.pos = this.buf.writeInt8(v, this.pos);
    return this;
  }

  int16(v: number): this {
    this.room(2);
    this.pos = this.buf.writeInt16BE(v, this.pos);
    return this;
  }

  int32(v: number): this {
    this.room(4);
    this.pos = this.buf.writeInt32BE(v, this.pos);
    return this;
  }

  int64(v: bigint): this {
    this.room(8);
    this.pos = this.buf.writeBigInt64BE(v, this.pos);
    return this;
  }

  /** An int16-length UTF-8 string; null is written as length -1. */
  string(v: string | null): this {
    if (v === null) return this.int16(-1);
    const n = Buffer.byteLength(v, 'utf8');
    this.int16(n);
    this.room(n);
    this.pos += this.buf.write(v, this.pos, 'utf8');
    return this;
  }

  /** An int32-length byte field (e.g. a produce request's records); null is written as -1. */
  bytes(v: Buffer | null): this {
    if (v === null) return this.int32(-1);
    this.int32(v.length);
    this.room(v.length);
    this.pos += v.copy(this.buf, this.pos);
    return this;
  }

  /** An int32-counted array. */
  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length);
    for (const item of items) each(this, item);
    return this;
  }

  /** The bytes written so far, framed with their int32 size as Kafka requests are. */
  framed(): Buffer {
    const out = Buffer.allocUnsafe(4 + this.pos);
    out.writeInt32BE(this.pos, 0);
    this.buf.copy(out, 4, 0, this.pos);
    return out;
  }
}

/**
 * Reads a response's array of topics, each a name and an array of partitions that starts with the
 * partition index; `each` reads the rest of one partition. Partitions come out flat, in order.
 */
export function readTopicPartitions<T>(
  r: WireReader,
  each: (p: WireReader, topic: string, partition: number) => T,
): T[] {
  const out: T[] = [];
  r.array((x) => {
    const topic = x.string() ?? '';
    x.array((p) => out.push(each(p, topic, p.int32())));
  });
  return out;
}

/**
 * Groups per-partition items by topic, topics in first-seen order: requests such as Fetch and
 * Produce name each topic once, with its partitions.
 */
export function groupByTopic<T extends { readonly topic: string }>(
  items: readonly T[],
): [topic: string, items: T[]][] {
  const byTopic = new Map<string, T[]>();
  for (const item of items) {
    const list = byTopic.get(item.topic);
    if (list) list.push(item);
    else byTopic.set(item.topic, [item]);
  }
  return [...byTopic];
}

/** Reads one response body; every read checks the bounds (a bad frame throws, never misreads). */
export class WireReader {
  constructor(
    readonly buf: Buffer,
    public pos = 0,
    readonly end = buf.length,
  ) {}

  private need(n: number): void {
    if (this.pos + n > this.end)
      throw new WireFormatError(
        `needs ${String(n)} bytes at ${String(this.pos)}, frame ends at ${String(this.end)}`,
      );
  }

  int8(): number {
    this.need(1);
    return this.buf.readInt8(this.pos++);
  }

  int16(): number {
    this.need(2);
    const v = this.buf.readInt16BE(this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = this.buf.readInt32BE(this.pos);
    this.pos += 4;
    return v;
  }

  /** An int64 as a number: offsets and timestamps stay far below 2^53 in practice. */
  int64(): number {
    this.need(8);
    const v = readInt64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    this.need(n);
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }

  /** An int32-length byte field as a zero-copy view; null for length -1. */
  bytes(): Buffer | null {
    const n = this.int32();
    if (n < 0) return null;
    this.need(n);
    const b = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return b;
  }

  /** An int32-counted array; a null array (-1) reads as empty. */
  array<T>(each: (r: this) => T): T[] {
    const n = this.int32();
    const out: T[] = [];
    for (let i = 0; i < n; i++) out.push(each(this));
    return out;
  }
}

/**
 * A big-endian int64 as a number (exact below 2^53). Two int32 reads instead of a BigInt keep the
 * record decoder free of allocations.
 */
export function readInt64(buf: Buffer, at: number): number {
  return buf.readInt32BE(at) * 4294967296 + buf.readUInt32BE(at + 4);
}

/**
 * Decodes a zig-zag varint (Kafka's record fields) at `at` into `out[0]`, returning the position
 * after it. Up to 10 bytes (varlong); values beyond 2^53 lose precision, which no field we read
 * (lengths, offset and timestamp deltas) comes near.
 */
export function readVarint(buf: Buffer, at: number, out: Float64Array): number {
  let raw = 0;
  let mul = 1;
  let pos = at;
  for (let i = 0; i < 10; i++) {
    const b = buf[pos++];
    if (b === undefined) throw new WireFormatError(`varint runs past the end at ${String(at)}`);
    raw += (b & 0x7f) * mul;
    if (b < 0x80) {
      // Zig-zag: even → non-negative, odd → negative.
      out[0] = raw % 2 === 0 ? raw / 2 : -(raw + 1) / 2;
      return pos;
    }
    mul *= 128;
  }
  throw new WireFormatError(`varint longer than 10 bytes at ${String(at)}`);
}

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
export function putVarint(buf: Buffer, pos: number, v: number): number {
  let z = v >= 0 ? v * 2 : -v * 2 - 1;
  while (z >= 128) {
    buf[pos++] = (z & 0x7f) | 0x80;
    z = Math.floor(z / 128);
  }
  buf[pos++] = z;
  return pos;
}

/** Encodes a zig-zag varint into a buffer of its own (for tests and tools that build batches). */
export function writeVarint(v: number): Buffer {
  const out = Buffer.allocUnsafe(varintSize(v));
  putVarint(out, 0, v);
  return out;
}

/** Writes `v` (|v| < 2^53) as a big-endian int64 at `pos`, without a BigInt. */
export function putInt64(buf: Buffer, pos: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  buf.writeInt32BE(hi, pos);
  buf.writeUInt32BE(v - hi * 4294967296, pos + 4);
}
