import { describe, expect, it } from 'vitest';
import type { BlocklistEntry, Campaign, Spend, SpendTotal } from '@streambid/contracts';
import { StreamView } from './stream-view.js';

const campaign = (id: string, version: number, budgetMicros: number): Campaign =>
  ({
    id,
    version,
    name: `campaign ${id}`,
    homeRegion: 'eu',
    budget: { totalMicros: budgetMicros },
  }) as Campaign;

const spend = (eventId: string, region: 'eu' | 'us', campaignId: string, cpm: number): Spend =>
  ({ eventId, ts: 1000, region, campaignId, cpmMicros: cpm }) as Spend;

const block = (
  kind: 'site' | 'ip',
  value: string,
  score: number,
  expiresAt = 9e15,
): BlocklistEntry =>
  ({ eventId: value, ts: 1, kind, value, score, reasons: ['ctr'], expiresAt }) as BlocklistEntry;

describe('the stream view', () => {
  it('lists a region’s campaigns by its spend, with allowance, global spend and budget, idle ones last', () => {
    const v = new StreamView();
    v.applyCampaign(campaign('a', 1, 5_000_000));
    v.applyCampaign(campaign('a', 2, 7_000_000));
    v.applyCampaign(campaign('a', 1, 1));
    v.applyCampaign(campaign('b', 1, 2_000_000));
    v.applyAllowance({ campaignId: 'a', region: 'us', capMicros: 3_000_000, ts: 5 } as never);
    v.applyAllowance({ campaignId: 'a', region: 'us', capMicros: 1, ts: 4 } as never);
    // 2 impressions at CPM 2 (2000 micros each) in us, one copied twice; 1 in eu at CPM 5.
    v.applySpend('us', spend('s1', 'us', 'a', 2_000_000));
    v.applySpend('us', spend('s1', 'us', 'a', 2_000_000));
    v.applySpend('us', spend('s2', 'us', 'a', 2_000_000));
    v.applySpend('eu', spend('s3', 'eu', 'a', 5_000_000));
    v.applySpend('us', spend('s4', 'us', 'b', 9_000_000));
    v.applyCampaign(campaign('c', 1, 1_000_000));
    expect(v.topCampaigns('us', 5)).toEqual([
      {
        id: 'b',
        name: 'campaign b',
        homeRegion: 'eu',
        spendMicros: 9000,
        allowanceMicros: null,
        globalSpendMicros: 9000,
        budgetMicros: 2_000_000,
      },
      {
        id: 'a',
        name: 'campaign a',
        homeRegion: 'eu',
        spendMicros: 4000,
        allowanceMicros: 3_000_000,
        globalSpendMicros: 9000,
        budgetMicros: 7_000_000,
      },
      {
        id: 'c',
        name: 'campaign c',
        homeRegion: 'eu',
        spendMicros: 0,
        allowanceMicros: null,
        globalSpendMicros: 0,
        budgetMicros: 1_000_000,
      },
    ]);
    expect(v.topCampaigns('us', 1).map((r) => r.id)).toEqual(['b']);
  });

  it('counts a region’s spend from its latest total plus the events after the cut', () => {
    const v = new StreamView();
    const total = (cutTs: number, totalMicros: number): SpendTotal =>
      ({
        campaignId: 'a',
        region: 'eu',
        cutTs,
        totalMicros,
        remainderNanos: 0,
        events: 3,
      }) as SpendTotal;
    v.applySpendTotal('eu', total(500, 30_000));
    v.applySpend('eu', spend('late', 'eu', 'a', 1_000_000));
    // A spend event of another region read from this one's topic is not this region's spend.
    v.applySpend('eu', spend('x', 'us', 'a', 1_000_000));
    expect(v.topCampaigns('eu', 5)[0]?.spendMicros).toBe(31_000);
  });

  it('ranks the unexpired blocked sites of a region by score and drops unblocked ones', () => {
    const v = new StreamView();
    v.applyBlock('us', 'site:a.example', block('site', 'a.example', 0.7));
    v.applyBlock('us', 'site:b.example', block('site', 'b.example', 0.95));
    v.applyBlock('us', 'site:old.example', block('site', 'old.example', 0.99, 10));
    v.applyBlock('us', 'ip:10.0.0.1', block('ip', '10.0.0.1', 1));
    v.applyBlock('us', 'site:c.example', block('site', 'c.example', 0.9));
    v.applyBlock('us', 'site:c.example', null);
    expect(v.topInvalidSites('us', 5, 100).map((s) => s.site)).toEqual(['b.example', 'a.example']);
    expect(v.blocklistSize('us', 100)).toBe(3);
    expect(v.blocklistSize('eu', 100)).toBe(0);
  });
});
