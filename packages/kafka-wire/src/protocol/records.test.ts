import { describe, expect, it } from 'vitest';
import { RecordCursor, UnsupportedRecordsError, offsetAfter } from './records.js';
import { readRecords } from './read-records.testing.js';
import { writeVarint } from './wire.js';

interface TestRecord {
  offsetDelta: number;
  tsDelta: number;
  key: string | null;
  value: string | null;
  headers?: [string, string][];
}

const bytesField = (s: string | null): Buffer =>
  s === null ? writeVarint(-1) : Buffer.concat([writeVarint(Buffer.byteLength(s)), Buffer.from(s)]);

/** A RecordBatch v2 as a broker stores it (CRC left zero: the reader does not check it). */
function batch(opts: {
  baseOffset: number;
  baseTs?: number;
  attributes?: number;
  producerId?: number;
  lastOffsetDelta?: number;
  magic?: number;
  records: TestRecord[];
}): Buffer {
  const recs = opts.records.map((r) => {
    const headers = r.headers ?? [];
    const body = Buffer.concat([
      Buffer.from([0]),
      writeVarint(r.tsDelta),
      writeVarint(r.offsetDelta),
      bytesField(r.key),
      bytesField(r.value),
      writeVarint(headers.length),
      ...headers.flatMap(([k, v]) => [bytesField(k), bytesField(v)]),
    ]);
    return Buffer.concat([writeVarint(body.length), body]);
  });
  const h = Buffer.alloc(61);
  h.writeBigInt64BE(BigInt(opts.baseOffset), 0);
  h.writeInt32BE(0, 12); // partition leader epoch
  h.writeInt8(opts.magic ?? 2, 16);
  h.writeInt16BE(opts.attributes ?? 0, 21);
  const last = opts.lastOffsetDelta ?? Math.max(0, ...opts.records.map((r) => r.offsetDelta));
  h.writeInt32BE(last, 23);
  h.writeBigInt64BE(BigInt(opts.baseTs ?? 1_700_000_000_000), 27);
  h.writeBigInt64BE(BigInt(opts.baseTs ?? 1_700_000_000_000), 35);
  h.writeBigInt64BE(BigInt(opts.producerId ?? -1), 43);
  h.writeInt32BE(opts.records.length, 57);
  const out = Buffer.concat([h, ...recs]);
  out.writeInt32BE(out.length - 12, 8);
  return out;
}

/** A transaction marker: control batch with key (version 0, type 0 = abort / 1 = commit). */
function marker(offset: number, producerId: number, type: 0 | 1): Buffer {
  const b = batch({
    baseOffset: offset,
    attributes: 0x30,
    producerId,
    records: [{ offsetDelta: 0, tsDelta: 0, key: '\0\0\0\0', value: '\0\0\0\0\0\0' }],
  });
  // The key is int16 version then int16 type.
  const keyAt = b.length - 1 - 6 - 1 - 4; // headers count, value, its length, key
  b.writeInt16BE(type, keyAt + 2);
  return b;
}

describe('RecordCursor', () => {
  it('yields every record of consecutive batches with offsets, timestamps, keys and values', () => {
    const records = Buffer.concat([
      batch({
        baseOffset: 10,
        records: [
          { offsetDelta: 0, tsDelta: 0, key: 'a', value: '{"x":1}' },
          { offsetDelta: 1, tsDelta: 5, key: null, value: '{"x":2}', headers: [['h', 'v']] },
        ],
      }),
      batch({ baseOffset: 12, records: [{ offsetDelta: 0, tsDelta: -3, key: 'c', value: null }] }),
    ]);
    const { out, next, complete } = readRecords(records);
    expect(out).toEqual([
      { offset: 10, ts: 1_700_000_000_000, key: 'a', value: '{"x":1}' },
      { offset: 11, ts: 1_700_000_000_005, key: null, value: '{"x":2}' },
      { offset: 12, ts: 1_699_999_999_997, key: 'c', value: null },
    ]);
    expect(next).toBe(13);
    expect(complete).toBe(true);
    expect(offsetAfter(records)).toBe(13);
  });

  it('leaves a batch cut off at the size limit for the next fetch', () => {
    const first = batch({
      baseOffset: 0,
      records: [{ offsetDelta: 0, tsDelta: 0, key: null, value: 'v' }],
    });
    const second = batch({
      baseOffset: 1,
      records: [{ offsetDelta: 0, tsDelta: 0, key: null, value: 'w' }],
    });
    const cut = Buffer.concat([first, second.subarray(0, second.length - 3)]);
    const { out, next, complete } = readRecords(cut);
    expect(out.map((r) => r.offset)).toEqual([0]);
    expect(next).toBe(1);
    expect(complete).toBe(false);
    expect(offsetAfter(second.subarray(0, 20))).toBe(-1);
  });

  it('moves past compacted gaps by the batch header, not the last record seen', () => {
    const records = batch({
      baseOffset: 100,
      lastOffsetDelta: 9,
      records: [{ offsetDelta: 4, tsDelta: 0, key: 'k', value: 'v' }],
    });
    const { out, next } = readRecords(records);
    expect(out.map((r) => r.offset)).toEqual([104]);
    expect(next).toBe(110);
  });

  it('skips aborted transactions and transaction markers but keeps committed ones', () => {
    const txn = 0x10;
    const records = Buffer.concat([
      batch({
        baseOffset: 0,
        attributes: txn,
        producerId: 7,
        records: [{ offsetDelta: 0, tsDelta: 0, key: null, value: 'aborted' }],
      }),
      batch({
        baseOffset: 1,
        attributes: txn,
        producerId: 8,
        records: [{ offsetDelta: 0, tsDelta: 0, key: null, value: 'committed' }],
      }),
      marker(2, 7, 0),
      marker(3, 8, 1),
      // Producer 7 again after its abort marker: a new, committed transaction.
      batch({
        baseOffset: 4,
        attributes: txn,
        producerId: 7,
        records: [{ offsetDelta: 0, tsDelta: 0, key: null, value: 'later' }],
      }),
      batch({
        baseOffset: 5,
        records: [{ offsetDelta: 0, tsDelta: 0, key: null, value: 'plain' }],
      }),
      marker(6, 7, 1),
    ]);
    const { out, next } = readRecords(records, [{ producerId: 7, firstOffset: 0 }]);
    expect(out.map((r) => r.value)).toEqual(['committed', 'later', 'plain']);
    expect(next).toBe(7);
  });

  it('refuses compressed batches and old message formats, naming what it met', () => {
    const gz = batch({
      baseOffset: 3,
      attributes: 1,
      records: [{ offsetDelta: 0, tsDelta: 0, key: null, value: 'x' }],
    });
    expect(() => readRecords(gz)).toThrow(/gzip-compressed batch/);
    expect(() => readRecords(gz)).toThrow(UnsupportedRecordsError);
    const v1 = batch({ baseOffset: 3, magic: 1, records: [] });
    expect(() => readRecords(v1)).toThrow(/message format v1/);
  });

  it('skips the records of the first batch that lie below the fetch offset', () => {
    const records = batch({
      baseOffset: 20,
      records: [0, 1, 2, 3].map((d) => ({ offsetDelta: d, tsDelta: 0, key: null, value: 'v' })),
    });
    const c = new RecordCursor().reset('t', 0, records, null, 22);
    const got: number[] = [];
    while (c.next()) got.push(c.offset);
    expect(got).toEqual([22, 23]);
  });

  it('reads nothing from an empty or absent record set', () => {
    expect(readRecords(Buffer.alloc(0)).out).toEqual([]);
    const c = new RecordCursor().reset('t', 0, null, null);
    expect(c.next()).toBe(false);
    expect(c.nextOffset).toBe(-1);
  });
});
