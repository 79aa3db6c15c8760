import { describe, expect, it } from 'vitest';
import { deadLetterSchema, TOPICS } from '@streambid/contracts';
// Deterministic generator: the same strings on every run, seed in the test name.
import { mulberry32 } from '@streambid/testkit';
import { cutJsonString, jsonStringBytes } from './codec.js';
import { DEAD_LETTER_LIMITS, deadLetterRecord, isRetriable } from './dead-letter.js';
import { toMessage } from './publisher.js';

/** Code units from every class JSON and UTF-8 treat differently, lone surrogates included. */
const UNITS = [
  0x41, 0x22, 0x5c, 0x0a, 0x01, 0x1f, 0x7f, 0xe9, 0x7ff, 0x800, 0x20ac, 0x2028, 0xd83d, 0xde00,
  0xdbff, 0xdc00, 0xfffd, 0xffff,
];

function randomText(next: () => number, maxLen: number): string {
  const len = Math.floor(next() * maxLen);
  let s = '';
  for (let i = 0; i < len; i++) {
    const u = UNITS[Math.floor(next() * UNITS.length)] ?? 0x41;
    s += next() < 0.2 ? '😀' : String.fromCharCode(u);
  }
  return s;
}

const wireBytes = (s: string): number => Buffer.byteLength(JSON.stringify(s));

describe('cutting strings to a byte budget as JSON', () => {
  it('measures exactly what JSON.stringify writes in UTF-8 (seed 13, 5,000 strings)', () => {
    const next = mulberry32(13);
    for (let i = 0; i < 5000; i++) {
      const s = randomText(next, 64);
      expect(jsonStringBytes(s)).toBe(wireBytes(s));
    }
  });

  it('keeps the longest prefix that fits and never splits a surrogate pair (seed 7)', () => {
    const next = mulberry32(7);
    for (let i = 0; i < 5000; i++) {
      const s = randomText(next, 64);
      const max = 2 + Math.floor(next() * 80);
      const c = cutJsonString(s, max);
      expect(s.startsWith(c.text)).toBe(true);
      expect(wireBytes(c.text)).toBe(c.bytes);
      expect(c.bytes).toBeLessThanOrEqual(max);
      expect(c.cut).toBe(c.text.length < s.length);
      if (c.cut) {
        // One more unit (or pair) would not fit.
        const hi = s.charCodeAt(c.text.length);
        const step =
          hi >= 0xd800 && hi <= 0xdbff && /[\udc00-\udfff]/.test(s[c.text.length + 1] ?? '')
            ? 2
            : 1;
        expect(wireBytes(s.slice(0, c.text.length + step))).toBeGreaterThan(max);
        const lastKept = c.text.charCodeAt(c.text.length - 1);
        const pairSplit =
          lastKept >= 0xd800 &&
          lastKept <= 0xdbff &&
          /[\udc00-\udfff]/.test(s[c.text.length] ?? '');
        expect(pairSplit).toBe(false);
      }
    }
  });
});

describe('dead-letter records', () => {
  const src = { service: 'test', topic: 'campaigns', partition: 3 };

  it('bounds a record of 64 Ki multi-byte characters by bytes, not characters, and notes the cut', () => {
    // 65,536 characters of U+0001 are 393,218 bytes once JSON-escaped: a 64 Ki-character slice does not bound bytes.
    const value = Buffer.from('\u0001€'.repeat(32_768));
    const key = Buffer.from('ключ'.repeat(100_000));
    const rec = deadLetterRecord(src, { offset: '42', key, value, reason: 'r'.repeat(10_000) }, 1);
    expect(deadLetterSchema.safeParse(rec).success).toBe(true);
    expect(rec.cut).toEqual({
      valueBytes: value.length,
      keyBytes: key.length,
      reasonBytes: 10_000,
    });
    expect(wireBytes(rec.value ?? '')).toBeLessThanOrEqual(DEAD_LETTER_LIMITS.valueBytes);
    expect(wireBytes(rec.key ?? '')).toBeLessThanOrEqual(DEAD_LETTER_LIMITS.keyBytes);
    expect(wireBytes(rec.reason)).toBeLessThanOrEqual(DEAD_LETTER_LIMITS.reasonBytes);
    const m = toMessage(TOPICS.deadLetter, rec);
    const total = Buffer.byteLength(m.key) + Buffer.byteLength(m.value);
    const fixed = 1024; // ids, names, numbers and the cut note
    expect(total).toBeLessThanOrEqual(
      DEAD_LETTER_LIMITS.valueBytes +
        2 * DEAD_LETTER_LIMITS.keyBytes +
        DEAD_LETTER_LIMITS.reasonBytes +
        fixed,
    );
  });

  it('leaves a small record whole, without a cut note', () => {
    const rec = deadLetterRecord(
      src,
      { offset: '1', key: Buffer.from('k'), value: Buffer.from('{nope'), reason: 'malformed JSON' },
      1,
    );
    expect(rec).toMatchObject({ key: 'k', value: '{nope', reason: 'malformed JSON', offset: '1' });
    expect(rec.cut).toBeUndefined();
  });

  it('keeps the event id within its schema limit for the longest legal topic name', () => {
    const rec = deadLetterRecord(
      { ...src, topic: 'x'.repeat(249) },
      { offset: '9007199254740993', key: null, value: null, reason: 'r' },
      1,
    );
    expect(deadLetterSchema.safeParse(rec).success).toBe(true);
  });
});

describe('retriability', () => {
  it('reads kafkajs and streambid error chains', () => {
    const tooLarge = Object.assign(new Error('too large'), {
      name: 'KafkaJSProtocolError',
      type: 'MESSAGE_TOO_LARGE',
      retriable: false,
    });
    const produce = Object.assign(new Error('produce failed'), {
      retriable: true,
      cause: tooLarge,
    });
    expect(isRetriable(produce)).toBe(false);
    const unknownTopic = Object.assign(new Error('unknown'), { retriable: true });
    const exhausted = Object.assign(new Error('retries'), {
      name: 'KafkaJSNumberOfRetriesExceeded',
      retriable: false,
      cause: unknownTopic,
    });
    expect(isRetriable(Object.assign(new Error('p'), { retriable: true, cause: exhausted }))).toBe(
      true,
    );
    expect(isRetriable(new Error('plain'))).toBe(false);
    expect(isRetriable(new TypeError('bug'))).toBe(false);
  });
});
