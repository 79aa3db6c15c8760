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
    expect(l.record(spend('a', 'eu', 100))).toBe('counted');
    expect(l.record(spend('a', 'eu', 100))).toBe('duplicate');
    expect(l.record(spend('b', 'us', 50))).toBe('counted');
    expect(l.record(spend('b', 'us', 50))).toBe('duplicate');
    expect(l.totals('c1')).toEqual({
      totalMicros: 150,
      remainderNanos: 0,
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
    const l = new SpendLedger({ rateTauMs: 1000 });
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
    expect(l.record(spend('a', 'eu', 100))).toBe('duplicate');
    expect(l.totals('c1').totalMicros).toBe(100);
    expect(l.trackedEventIds).toBe(0);
  });

  it('keeps the remainder below one micro exactly across regions', () => {
    const l = new SpendLedger();
    // 1,500 CPM micros cost 1.5 micros each: two of them are 3 micros, not 2.
    l.record({ ...spend('a', 'eu', 1), cpmMicros: 1500 });
    l.record({ ...spend('b', 'us', 1), cpmMicros: 1500 });
    l.record({ ...spend('c', 'us', 0), cpmMicros: 999 });
    expect(l.totals('c1')).toMatchObject({ totalMicros: 3, remainderNanos: 999 });
    expect(l.totals('c1').byRegion).toEqual({ eu: 1, us: 2 });
  });

  it('rebuilds from a region total plus the tail, and writes totals only for what grew', () => {
    const t = 1_700_000_000_000;
    const writer = new SpendLedger();
    writer.record(spend('a', 'eu', 100, t));
    writer.record(spend('b', 'eu', 50, t + 10_000));
    const drafts = writer.totalsToWrite('eu', t + 5_000);
    expect(drafts).toEqual([
      {
        campaignId: 'c1',
        region: 'eu',
        cutTs: t + 5_000,
        totalMicros: 100,
        remainderNanos: 0,
        events: 1,
      },
    ]);
    const [draft] = drafts;
    if (!draft) throw new Error('no total to write');
    const total = { eventId: 'tot-1', ts: t + 6_000, ...draft };
    expect(writer.applyTotal(total)).toBe(true);
    expect(writer.totalsToWrite('eu', t + 5_000)).toEqual([]);
    expect(writer.cutOf('c1', 'eu')).toEqual({ cutTs: t + 5_000, events: 1 });

    // A restart after retention deleted event a: the total stands in for it.
    const rebuilt = new SpendLedger();
    expect(rebuilt.record(spend('b', 'eu', 50, t + 10_000))).toBe('counted');
    rebuilt.applyTotal(total);
    expect(rebuilt.totals('c1')).toMatchObject({ totalMicros: 150, events: 2 });
    // A late copy of a (replication) is covered by the total, not counted again.
    expect(rebuilt.record(spend('a', 'eu', 100, t))).toBe('covered');
    expect(rebuilt.totals('c1').totalMicros).toBe(150);
  });
});
