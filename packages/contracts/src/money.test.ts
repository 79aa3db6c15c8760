import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { addImpression, addSpend, impressionCostMicros, ZERO_SPEND } from './money.js';
import { LIMITS } from './limits.js';

const cpm = fc.integer({ min: 0, max: LIMITS.cpm * 1_000_000 });

describe('exact spend sums', () => {
  it('bills impressions below one micro: a thousand at 500 µ CPM cost 500 micros', () => {
    let s = ZERO_SPEND;
    for (let i = 0; i < 1000; i++) s = addImpression(s, 500);
    expect(s).toEqual({ micros: 500, nanos: 0 });
    expect(impressionCostMicros(500)).toBe(0);
  });

  test.prop([fc.array(cpm, { maxLength: 200 })])(
    'adds up to floor(Σ cpm / 1000) micros with the rest as nanos, in any order',
    (cpms) => {
      const total = cpms.reduce((a, b) => a + BigInt(b), 0n);
      const forward = cpms.reduce(addImpression, ZERO_SPEND);
      const backward = [...cpms].reverse().reduce(addImpression, ZERO_SPEND);
      expect(BigInt(forward.micros)).toBe(total / 1000n);
      expect(BigInt(forward.nanos)).toBe(total % 1000n);
      expect(backward).toEqual(forward);
    },
  );

  test.prop([fc.array(cpm, { maxLength: 50 }), fc.array(cpm, { maxLength: 50 })])(
    'gives the same total whether two ledgers are merged or one counts everything',
    (a, b) => {
      const merged = addSpend(
        a.reduce(addImpression, ZERO_SPEND),
        b.reduce(addImpression, ZERO_SPEND),
      );
      expect(merged).toEqual([...a, ...b].reduce(addImpression, ZERO_SPEND));
    },
  );

  it('stays an exact integer below 2^53 for a budget far beyond what cpm sums could hold', () => {
    // 10^4 impressions at the largest CPM: ~10^16 cpm-micros in all, past 2^53 as a plain sum.
    let s = ZERO_SPEND;
    const max = LIMITS.cpm * 1_000_000;
    for (let i = 0; i < 10_000; i++) s = addImpression(s, max - 1);
    expect(Number.isSafeInteger(s.micros)).toBe(true);
    expect(BigInt(s.micros) * 1000n + BigInt(s.nanos)).toBe(BigInt(max - 1) * 10_000n);
  });
});
