import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';
import { readRecords } from './read-records.testing.js';
import { InvalidRecordError, RecordBatchWriter, type ProducerMessage } from './records.js';
import { readInt64, varintSize } from './wire.js';

const NOW = 1_700_000_000_000;

describe('RecordBatchWriter', () => {
  it('writes a batch the fetch cursor reads back record for record', () => {
    const messages: ProducerMessage[] = [
      { key: 'bid-1', value: '{"price":1.25}', timestamp: String(NOW + 5) },
      { key: null, value: 'x'.repeat(300), timestamp: String(NOW) },
      { key: 'ключ-🎯', value: Buffer.from('bytes ü'), timestamp: String(NOW + 90_000_000_000) },
      { key: '', value: '' },
    ];
    const batch = new RecordBatchWriter().encodeAll(messages, NOW + 7);
    const { out, next, complete } = readRecords(batch);
    expect(out).toEqual([
      { offset: 0, ts: NOW + 5, key: 'bid-1', value: '{"price":1.25}' },
      { offset: 1, ts: NOW, key: null, value: 'x'.repeat(300) },
      { offset: 2, ts: NOW + 90_000_000_000, key: 'ключ-🎯', value: 'bytes ü' },
      { offset: 3, ts: NOW + 7, key: '', value: '' },
    ]);
    expect(next).toBe(4);
    expect(complete).toBe(true);
  });

  it('fills the header as a plain producer does, with the CRC-32C of attributes onwards', () => {
    const batch = new RecordBatchWriter().encodeAll(
      [
        { key: 'a', value: 'v', timestamp: String(NOW + 3) },
        { key: 'b', value: 'w', timestamp: String(NOW + 1) },
      ],
      NOW,
    );
    expect(readInt64(batch, 0)).toBe(0); // base offset
    expect(batch.readInt32BE(8)).toBe(batch.length - 12);
    expect(batch.readInt32BE(12)).toBe(-1); // partition leader epoch
    expect(batch.readInt8(16)).toBe(2); // magic
    expect(batch.readUInt32BE(17)).toBe(crc32c(batch, 21, batch.length));
    expect(batch.readInt16BE(21)).toBe(0); // attributes
    expect(batch.readInt32BE(23)).toBe(1); // last offset delta
    expect(readInt64(batch, 27)).toBe(NOW + 1); // base timestamp: the earliest
    expect(readInt64(batch, 35)).toBe(NOW + 3); // max timestamp
    expect(readInt64(batch, 43)).toBe(-1); // producer id
    expect(batch.readInt16BE(51)).toBe(-1); // producer epoch
    expect(batch.readInt32BE(53)).toBe(-1); // base sequence
    expect(batch.readInt32BE(57)).toBe(2); // record count
  });

  it('encodes the chosen messages in the given order, growing its scratch for large batches', () => {
    const messages: ProducerMessage[] = Array.from({ length: 3000 }, (_, i) => ({
      key: `k${String(i)}`,
      value: `v${String(i)}`,
      timestamp: String(NOW + i),
    }));
    const indices = Int32Array.from({ length: 3000 }, (_, i) => 2999 - i);
    const w = new RecordBatchWriter();
    const { out } = readRecords(w.encode(messages, indices, 1000, 3000, NOW));
    expect(out).toHaveLength(2000);
    expect(out[0]).toEqual({ offset: 0, ts: NOW + 1999, key: 'k1999', value: 'v1999' });
    expect(out[1999]).toEqual({ offset: 1999, ts: NOW, key: 'k0', value: 'v0' });
  });

  it('refuses a timestamp that is not integer milliseconds, and an empty batch', () => {
    const w = new RecordBatchWriter();
    expect(() => w.encodeAll([{ key: null, value: 'v', timestamp: 'yesterday' }], NOW)).toThrow(
      InvalidRecordError,
    );
    expect(() => w.encodeAll([], NOW)).toThrow(InvalidRecordError);
  });

  it('sizes zig-zag varints at the 7-bit boundaries', () => {
    const cases: [number, number][] = [
      [0, 1],
      [-1, 1],
      [63, 1],
      [-64, 1],
      [64, 2],
      [-65, 2],
      [8191, 2],
      [8192, 3],
      [2 ** 31 - 1, 5],
      [-(2 ** 31), 5],
      [2 ** 40, 6],
    ];
    for (const [v, n] of cases) expect(varintSize(v), String(v)).toBe(n);
  });
});
