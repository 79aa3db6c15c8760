import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { clickSchema } from '@streambid/contracts';
import { FeatureExtractor } from '../domain/features.js';
import { CODE_PROBES, FULL_CLICK, privacyProbes } from '../testing/click-fixtures.js';
import { decodeClick } from './click-decode.js';
import { FastClickEncoder } from './click-fast.js';
import { clickLine, isPlainJson } from './tsv.js';

const base: Record<string, unknown> = { ...FULL_CLICK };

/** Values that probe every branch: types, bounds, number forms, escapes, addresses. */
const VALUES: unknown[] = [
  undefined,
  null,
  true,
  0,
  7,
  -1,
  1.5,
  1e3,
  999_999_999,
  1_000_000_000,
  2 ** 31,
  2 ** 53 - 1,
  123_456_789_012_345,
  ...CODE_PROBES,
  'tab\there',
  'back\\slash',
  'ünï ✓',
  'curl/8.5.0',
  'Googlebot/2.1',
  '10.1.2.3',
  '01.2.3.4',
  '1.2.3.256',
  '1.2.3.',
  '1.2.3.4.5',
  '2001:db8::1',
  '45.76.1.1',
  'a'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(257),
  { nested: 1 },
  [1],
  {},
  ...privacyProbes('coppa'),
  { p: 1, basis: 'tab\there' },
  { basis: 'coppa', p: 1, extra: { deeper: 1 } },
  { basis: 'coppa', p: 1, basis2: 'x' },
];

/** A small deterministic generator (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The general path's line, or null when the general path rejects the message. */
function generalLine(fx: FeatureExtractor, raw: Buffer, offset: string): string | null {
  const d = decodeClick(raw);
  if (!d.ok) return null;
  return clickLine(fx.click(d.value, { topic: 'clicks', partition: 3, offset }), isPlainJson(raw));
}

function fastLine(enc: FastClickEncoder, raw: Buffer, offset: string): string | null {
  if (enc.scan(raw) < 0) return null;
  const out = Buffer.alloc(FastClickEncoder.maxBytes(raw, 'clicks', offset));
  const end = enc.write(raw, out, 0, 'clicks', 3, offset);
  return out.toString('utf8', 0, end);
}

describe('the fast click encoder', () => {
  const fx = new FeatureExtractor();
  const enc = new FastClickEncoder(fx);

  it('encodes a typical tracker message exactly as the general path does', () => {
    const raw = Buffer.from(JSON.stringify(base));
    expect(fastLine(enc, raw, '42')).toBe(generalLine(fx, raw, '42'));
    expect(fastLine(enc, raw, '42')).toContain('\taws\t');
  });

  it('stores the privacy basis and permission bits on the fast path, as the general path does', () => {
    const raw = Buffer.from(JSON.stringify(base));
    expect(fastLine(enc, raw, '42')).toContain('\tgdpr_no_measurement\t383\t');
    const without = { ...base, privacy: undefined };
    const rawWithout = Buffer.from(JSON.stringify(without));
    expect(fastLine(enc, rawWithout, '42')).toBe(generalLine(fx, rawWithout, '42'));
    expect(fastLine(enc, rawWithout, '42')).toContain('\t\t0\tclicks\t');
  });

  it('leaves a click carrying a field it cannot check (the test flag) to the general way', () => {
    const raw = Buffer.from(JSON.stringify({ ...base, test: true }));
    expect(generalLine(fx, raw, '42')).not.toBeNull();
    expect(fastLine(enc, raw, '42')).toBeNull();
  });

  it('refuses a string one past the bound clickSchema gives it', () => {
    for (const [k, s] of Object.entries(clickSchema.shape)) {
      const inner = s instanceof z.ZodOptional ? s.unwrap() : s;
      if (!(inner instanceof z.ZodString) || inner.maxLength === null) continue;
      const at = Buffer.from(JSON.stringify({ ...base, [k]: 'a'.repeat(inner.maxLength) }));
      const over = Buffer.from(JSON.stringify({ ...base, [k]: 'a'.repeat(inner.maxLength + 1) }));
      expect(fastLine(enc, at, '1'), k).toBe(generalLine(fx, at, '1'));
      expect(fastLine(enc, over, '1'), k).toBeNull();
    }
  });

  it('never accepts what the general path rejects, and agrees byte for byte on the rest', () => {
    const next = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)] as T;
    const keys = Object.keys(base);
    let fastTaken = 0;
    for (let n = 0; n < 20_000; n++) {
      const o: Record<string, unknown> = { ...base };
      for (let m = Math.floor(next() * 4); m > 0; m--) {
        const k = pick([...keys, 'extra']);
        const v = pick(VALUES);
        o[k] = v;
      }
      const present = Object.keys(o).filter((k) => o[k] !== undefined);
      const order = next() < 0.3 ? present.reverse() : present;
      const sep = pick(['', ' ', '\n  ', '\t']);
      let text = `{${sep}${order.map((k) => `${JSON.stringify(k)}${sep}:${sep}${JSON.stringify(o[k])}`).join(`,${sep}`)}${sep}}${pick(['', ' ', '\n'])}`;
      if (next() < 0.05) text = text.replace('"eventId"', '"eventId":"dup","eventId"');
      if (next() < 0.05) text = text.replace(/"ts":\s*(\d+)/, '"ts":0$1');
      if (next() < 0.05) text = text.slice(0, Math.floor(next() * text.length));
      const raw = Buffer.from(text);
      const offset = String(Math.floor(next() * 1e12));
      const fast = fastLine(enc, raw, offset);
      if (fast === null) continue;
      fastTaken++;
      expect(fast, text).toBe(generalLine(fx, raw, offset));
    }
    expect(fastTaken).toBeGreaterThan(1000);
  });
});
