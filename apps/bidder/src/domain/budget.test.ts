import { describe, expect, it } from 'vitest';
import type { BudgetAllowance, Spend } from '@streambid/contracts';
import { BudgetView } from './budget.js';

const allowance = (over: Partial<BudgetAllowance> = {}): BudgetAllowance => ({
  eventId: 'a1',
  ts: 0,
  campaignId: 'c1',
  region: 'eu',
  capMicros: 10_000,
  paceMicrosPerSec: 1_000_000,
  exhausted: false,
  ...over,
});
const spend = (eventId: string, amountMicros: number, over: Partial<Spend> = {}): Spend => ({
  eventId,
  ts: 0,
  region: 'eu',
  campaignId: 'c1',
  creativeId: 'cr',
  bidId: eventId,
  requestId: 'r',
  cpmMicros: amountMicros * 1000,
  amountMicros,
  currency: 'USD',
  ...over,
});

describe('BudgetView', () => {
  it('refuses a campaign without an allowance unless allowances are optional', () => {
    expect(new BudgetView({ region: 'eu' }).reserve('c1', 10, 0)).toBe('no_allowance');
    expect(
      new BudgetView({ region: 'eu', requireAllowance: false }).reserve('c1', 10, 0),
    ).toBeUndefined();
  });

  it('ignores allowances and spend of other regions', () => {
    const v = new BudgetView({ region: 'eu' });
    v.applyAllowance(allowance({ region: 'us' }), 0);
    expect(v.reserve('c1', 10, 0)).toBe('no_allowance');
    v.applyAllowance(allowance(), 0);
    v.applySpend(spend('s1', 10_000, { region: 'us' }));
    expect(v.regionSpend('c1')).toBe(0);
  });

  it('stops bids once region spend plus the next impression would pass the cap', () => {
    const v = new BudgetView({ region: 'eu' });
    v.applyAllowance(allowance(), 0);
    v.applySpend(spend('s1', 9_000));
    expect(v.reserve('c1', 1_000, 0)).toBeUndefined();
    expect(v.reserve('c1', 1_001, 0)).toBe('budget_spent');
  });

  it('counts a redelivered spend event once', () => {
    const v = new BudgetView({ region: 'eu' });
    v.applySpend(spend('s1', 500));
    v.applySpend(spend('s1', 500));
    expect(v.regionSpend('c1')).toBe(500);
  });

  it('counts wins billed here until the spend stream shows them, and not twice after', () => {
    const v = new BudgetView({ region: 'eu' });
    v.recordBilled('b1', 'c1', 700);
    expect(v.regionSpend('c1')).toBe(700);
    expect(v.hasSpend('b1', 'c1')).toBe(true);
    v.applySpend(spend('b1', 700));
    expect(v.regionSpend('c1')).toBe(700);
  });

  it('knows the spend before a total after retention deleted it, exactly, and not twice', () => {
    const v = new BudgetView({ region: 'eu' });
    v.applyAllowance(allowance(), 0);
    const total = { eventId: 't1', ts: 0, campaignId: 'c1', cutTs: 100, events: 3 };
    // Another region's total is not this region's spend.
    v.applyTotal({ ...total, region: 'us', totalMicros: 5_000, remainderNanos: 0 });
    expect(v.regionSpend('c1')).toBe(0);
    v.applyTotal({ ...total, region: 'eu', totalMicros: 8_999, remainderNanos: 500 });
    v.applySpend(spend('s9', 0, { ts: 150, cpmMicros: 500 }));
    // 8,999.5 + 0.5 micros: exactly 9,000.
    expect(v.regionSpend('c1')).toBe(9_000);
    // A late copy of an event inside the total is not counted again.
    v.applySpend(spend('s1', 1_000, { ts: 50 }));
    expect(v.regionSpend('c1')).toBe(9_000);
    expect(v.reserve('c1', 1_001, 0)).toBe('budget_spent');
  });

  it('refuses an exhausted campaign and forgets a tombstoned allowance', () => {
    const v = new BudgetView({ region: 'eu' });
    v.applyAllowance(allowance({ exhausted: true }), 0);
    expect(v.reserve('c1', 1, 0)).toBe('exhausted');
    v.removeAllowance('c1:eu');
    expect(v.reserve('c1', 1, 0)).toBe('no_allowance');
  });

  it('paces bids to its share of the allowance rate', () => {
    const v = new BudgetView({ region: 'eu', paceShare: 0.5, burstS: 1 });
    v.applyAllowance(allowance({ capMicros: 1e12, paceMicrosPerSec: 2_000 }), 0);
    expect(v.reserve('c1', 1_000, 0)).toBeUndefined();
    expect(v.reserve('c1', 1_000, 0)).toBe('pacing');
    expect(v.reserve('c1', 1_000, 1_000)).toBeUndefined();
  });
});
