import { describe, expect, it } from 'vitest';
import type { Region, Spend } from '@streambid/contracts';
import { SpendLedger } from './ledger.js';

const spend = (
  eventId: string,
  region: Region,
  amountMicros: number,
  ts = 1_700_000_000_000,
): Spend => ({
  eventId,
  ts,
  region,
  campaignId: 'c1',
  creativeId: 'cr1',
  bidId: eventId,
  requestId: `r-${eventId}`,
  cpmMicros: amountMicros * 1000,
  amountMicros,
  currency: 'USD',
});

describe('SpendLedger', () => {
  it('counts each spend event id once however often it is seen', () => {
    const l = new SpendLedger();
    expect(l.record(spend('a', 'eu', 100))).toBe(true);
    expect(l.record(spend('a', 'eu', 100))).toBe(false);
    expect(l.record(spend('b', 'us', 50))).toBe(true);
    expect(l.record(spend('b', 'us', 50))).toBe(false);
    expect(l.totals('c1')).toEqual({
      totalMicros: 150,
      byRegion: { eu: 100, us: 50 },
      events: 2,
      duplicates: 2,
    });
  });

  it('keeps spend per UTC day for the daily budget', () => {
    const l = new SpendLedger();
    const day = Date.UTC(2025, 0, 2);
    l.record(spend('a', 'eu', 100, day - 1));
    l.record(spend('b', 'eu', 30, day + 5));
    expect(l.spentToday('c1', day + 1000)).toBe(30);
    expect(l.spentToday('c1', day - 1000)).toBe(100);
  });

  it('weights recent spend rates by region', () => {
    const l = new SpendLedger(1000);
    const t = 1_700_000_000_000;
    for (let i = 0; i < 10; i++) l.record(spend(`e${String(i)}`, 'eu', 1000, t + i * 100));
    l.record(spend('u', 'us', 1000, t + 900));
    const r = l.recentRates('c1', t + 1000);
    expect(r.eu ?? 0).toBeGreaterThan(5 * (r.us ?? 0));
  });

  it('ignores further copies once a finished campaign is sealed, keeping its totals', () => {
    const l = new SpendLedger();
    l.record(spend('a', 'eu', 100));
    l.seal('c1');
    expect(l.record(spend('a', 'eu', 100))).toBe(false);
    expect(l.totals('c1').totalMicros).toBe(100);
    expect(l.trackedEventIds).toBe(0);
  });
});
