import { describe, expect, it } from 'vitest';
import {
  WireFormatError,
  WireReader,
  WireWriter,
  readInt64,
  readVarint,
  writeVarint,
} from './wire.js';

describe('Kafka wire primitives', () => {
  it('reads back what the writer framed, field by field', () => {
    const frame = new WireWriter()
      .int8(-3)
      .int16(-2)
      .int32(123_456_789)
      .int64(2n ** 40n + 7n)
      .string('clicks')
      .string(null)
      .array([1, 2, 3], (w, n) => w.int32(n))
      .framed();
    expect(frame.readInt32BE(0)).toBe(frame.length - 4);
    const r = new WireReader(frame, 4);
    expect(r.int8()).toBe(-3);
    expect(r.int16()).toBe(-2);
    expect(r.int32()).toBe(123_456_789);
    expect(r.int64()).toBe(2 ** 40 + 7);
    expect(r.string()).toBe('clicks');
    expect(r.string()).toBeNull();
    expect(r.array((x) => x.int32())).toEqual([1, 2, 3]);
    expect(r.pos).toBe(frame.length);
  });

  it('reads negative int64 values exactly (below 2^53)', () => {
    const b = Buffer.alloc(8);
    for (const v of [-1n, -(2n ** 40n), -(2n ** 52n) + 1n]) {
      b.writeBigInt64BE(v);
      expect(readInt64(b, 0)).toBe(Number(v));
    }
  });

  it('round-trips zig-zag varints of every length Kafka uses', () => {
    const out = new Float64Array(1);
    for (const v of [0, 1, -1, 63, -64, 64, 300, -300, 2 ** 31 - 1, -(2 ** 31), 2 ** 45 + 3]) {
      const enc = writeVarint(v);
      expect(readVarint(enc, 0, out)).toBe(enc.length);
      expect(out[0]).toBe(v);
    }
  });

  it('throws instead of reading past the end of a frame', () => {
    const r = new WireReader(Buffer.from([0, 5, 0x61]));
    expect(() => r.string()).toThrow(WireFormatError);
    expect(() => readVarint(Buffer.from([0x80, 0x80]), 0, new Float64Array(1))).toThrow(
      WireFormatError,
    );
  });

  it('gives byte fields as views of the frame, not copies', () => {
    const frame = Buffer.from([0, 0, 0, 2, 7, 9]);
    const b = new WireReader(frame).bytes();
    expect(b).toEqual(Buffer.from([7, 9]));
    frame[4] = 8;
    expect(b?.[0]).toBe(8);
  });
});
