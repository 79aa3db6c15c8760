import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { crc32c } from './crc32c.js';

/** Bit-at-a-time CRC-32C: slow, but nothing in it can share a bug with the tables. */
function reference(buf: Buffer): number {
  let crc = 0xffffffff;
  for (const b of buf) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32c', () => {
  it('matches the published CRC-32C check values', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
    expect(crc32c(Buffer.alloc(32, 0))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
  });

  it('agrees with a bitwise implementation on every length and alignment of random data', () => {
    const data = randomBytes(300);
    for (let start = 0; start < 9; start++)
      for (let end = start; end <= data.length; end += 7)
        expect(crc32c(data, start, end)).toBe(reference(data.subarray(start, end)));
  });
});
