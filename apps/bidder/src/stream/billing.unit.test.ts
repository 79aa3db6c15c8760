import { describe, expect, it } from 'vitest';
import { AckCounter, BillingLedger } from './billing.js';

describe('billing ledger', () => {
  it('answers starting until the spend streams are read back, then claims once', () => {
    const l = new BillingLedger(10, 60_000);
    expect(l.claim('b1', 0)).toBe('starting');
    l.ready = true;
    expect(l.claim('b1', 0)).toBe('claimed');
    // Never "duplicate" before the spend is written: a second notice must retry.
    expect(l.claim('b1', 0)).toBe('busy');
    l.settle('b1', undefined, 0);
    expect(l.claim('b1', 0)).toBe('claimed');
    l.settle('b1', { ts: 0, cpmMicros: 1000, amountMicros: 1 }, 0);
    expect(l.claim('b1', 1)).toBe('billed');
  });

  it('knows bids billed elsewhere from the spend streams, and counts early evictions', () => {
    const l = new BillingLedger(2, 60_000);
    l.ready = true;
    l.markBilled('a', 0);
    expect(l.claim('a', 1)).toBe('billed');
    l.markBilled('b', 0);
    l.markBilled('c', 0);
    expect(l.evictions).toBe(1);
  });
});

describe('billing acks', () => {
  it('counts acknowledged billing per minute of the spend, cumulatively, once per change', () => {
    const a = new AckCounter('i1', 'eu');
    a.add({ ts: 60_000, cpmMicros: 1500, amountMicros: 1 });
    a.add({ ts: 119_999, cpmMicros: 500, amountMicros: 0 });
    a.add({ ts: 120_000, cpmMicros: 1000, amountMicros: 1 });
    const first = a.changed(130_000);
    expect(first.map((r) => [r.minute, r.acked, r.ackedMicros, r.ackedCpmMicros])).toEqual([
      [60_000, 2, 1, 2000],
      [120_000, 1, 1, 1000],
    ]);
    expect(a.changed(131_000)).toEqual([]);
    a.add({ ts: 120_500, cpmMicros: 1000, amountMicros: 1 });
    expect(a.changed(132_000).map((r) => [r.minute, r.acked])).toEqual([[120_000, 2]]);
    a.retry(first);
    expect(a.changed(133_000)).toHaveLength(2);
  });
});
