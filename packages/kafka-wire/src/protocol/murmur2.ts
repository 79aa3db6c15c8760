/**
 * The murmur2 hash of the Java client's default partitioner (and of kafkajs's DefaultPartitioner),
 * so a keyed message lands in the partition every other Kafka producer would choose for its key.
 * 32-bit arithmetic with Math.imul: the Java int semantics without 64-bit emulation.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;

/** murmur2 of `data[start, end)` as a signed 32-bit int, like Java's `Utils.murmur2`. */
export function murmur2(data: Buffer, start = 0, end = data.length): number {
  const length = end - start;
  let h = SEED ^ length;
  const tail = start + (length & ~3);
  for (let i = start; i < tail; i += 4) {
    let k =
      (data[i] as number) |
      ((data[i + 1] as number) << 8) |
      ((data[i + 2] as number) << 16) |
      ((data[i + 3] as number) << 24);
    k = Math.imul(k, M);
    k ^= k >>> 24;
    k = Math.imul(k, M);
    h = Math.imul(h, M) ^ k;
  }
  const rest = length & 3;
  if (rest > 0) {
    if (rest === 3) h ^= (data[tail + 2] as number) << 16;
    if (rest >= 2) h ^= (data[tail + 1] as number) << 8;
    h ^= data[tail] as number;
    h = Math.imul(h, M);
  }
  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h;
}

let scratch = Buffer.allocUnsafe(256);

/**
 * The partition of a keyed message among `numPartitions`: `toPositive(murmur2(utf8(key))) % n`.
 * The key is encoded into a reused buffer, so hashing allocates nothing.
 */
export function partitionForKey(key: string, numPartitions: number): number {
  // A UTF-16 code unit takes at most 3 UTF-8 bytes.
  if (key.length * 3 > scratch.length) scratch = Buffer.allocUnsafe(key.length * 3);
  const n = scratch.write(key, 0, 'utf8');
  return (murmur2(scratch, 0, n) & 0x7fffffff) % numPartitions;
}
