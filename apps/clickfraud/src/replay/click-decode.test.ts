import { describe, expect, it } from 'vitest';
import { decode } from '@streambid/adapters';
import { clickSchema, TOPICS } from '@streambid/contracts';
import { CODE_PROBES, FULL_CLICK, privacyProbes } from '../testing/click-fixtures.js';
import { checkClick, decodeClick } from './click-decode.js';

// The test flag too, so every field of the schema is probed.
const valid = { ...FULL_CLICK, test: true };

/** Values that probe every check zod makes: type, length bounds, integer, sign, safe range. */
const PROBES: unknown[] = [
  undefined,
  null,
  true,
  0,
  -1,
  1.5,
  2 ** 53,
  2 ** 53 - 1,
  -(2 ** 53),
  ...CODE_PROBES,
  '5',
  'é'.repeat(64),
  'a'.repeat(65),
  'a'.repeat(128),
  'a'.repeat(129),
  'a'.repeat(256),
  'a'.repeat(257),
  'a'.repeat(1024),
  'a'.repeat(1025),
  [],
  {},
  false,
  ...privacyProbes('gdpr'),
  { basis: 'gdpr', p: 1, extra: 'stripped' },
];

function cases(): unknown[] {
  const out: unknown[] = [null, [], 'click', 5, {}, valid, { ...valid, extra: 1, __proto__x: 2 }];
  for (const key of Object.keys(valid)) {
    for (const p of PROBES) out.push({ ...valid, [key]: p });
    const { [key]: _omit, ...rest } = valid as Record<string, unknown>;
    out.push(rest);
  }
  return out;
}

describe('checkClick', () => {
  it('accepts exactly what clickSchema accepts and returns the same value', () => {
    let accepted = 0;
    for (const c of cases()) {
      // Through JSON, as messages arrive (drops undefined keys like the wire does).
      const json: unknown = c === undefined ? c : JSON.parse(JSON.stringify(c));
      const z = clickSchema.safeParse(json);
      const mine = checkClick(json);
      expect(mine, JSON.stringify(json)).toEqual(z.success ? z.data : null);
      if (mine !== null) {
        accepted++;
        expect(Object.keys(mine)).toEqual(Object.keys(z.data ?? {}));
      }
    }
    expect(accepted).toBeGreaterThan(50);
  });

  it('decodes like the topic codec, with zod’s reason on failure', () => {
    for (const raw of [
      JSON.stringify(valid),
      JSON.stringify({ ...valid, ts: -5 }),
      '{"eventId":',
      'null',
    ]) {
      const b = Buffer.from(raw);
      expect(decodeClick(b)).toEqual(decode(TOPICS.clicks, b));
    }
  });
});
