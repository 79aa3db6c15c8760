import { describe, expect, it } from 'vitest';
import { indexEntriesOf, LIMITS, type Campaign } from '@streambid/contracts';
import { countryCodes, makeCampaign } from '@streambid/testkit';
import { CampaignIndex, type CreativeEntry } from './campaign-index.js';
import { parseRates, type FxRates } from './fx.js';

const rates = parseRates('EUR=1.25') as FxRates;

/** Two creatives × 256 countries × `devices` device types. */
function wide(devices: number, over: Partial<Campaign> = {}): Campaign {
  const base = makeCampaign();
  const cr = base.creatives[0] as Campaign['creatives'][number];
  return makeCampaign({
    creatives: [cr, { ...cr, id: 'cr-2' }],
    targeting: {
      countries: countryCodes(LIMITS.targetCountries),
      deviceTypes: Array.from({ length: devices }, (_, i) => i),
    },
    ...over,
  });
}

const candidates = (index: CampaignIndex): readonly CreativeEntry[] =>
  index.openBuckets(['b:300x250'], 'DEU', 2).flat();

describe('CampaignIndex limits', () => {
  it('counts creatives × distinct countries × distinct device types, or creatives × deals', () => {
    const c = makeCampaign();
    expect(indexEntriesOf(c)).toBe(1);
    expect(indexEntriesOf(wide(8))).toBe(2 * 256 * 8);
    expect(
      indexEntriesOf({
        ...c,
        targeting: { countries: ['DEU', 'DEU', 'FRA'], deviceTypes: [2, 2] },
      }),
    ).toBe(2);
    expect(indexEntriesOf({ ...wide(8), deals: [{ id: 'd1' }, { id: 'd2' }, { id: 'd1' }] })).toBe(
      4,
    );
  });

  it('indexes a campaign at the limit and refuses one over it, which then never bids', () => {
    const index = new CampaignIndex(rates);
    const atLimit = wide(8);
    expect(indexEntriesOf(atLimit)).toBe(LIMITS.indexEntriesPerCampaign);
    expect(index.upsert(atLimit)).toBeUndefined();
    expect(candidates(index).some((e) => e.ic.c.id === atLimit.id)).toBe(true);

    const over = wide(9);
    expect(index.upsert(over)).toEqual({
      reason: 'index_entries',
      message: expect.stringContaining(`${over.id} version 1 needs 4608 index entries`) as string,
    });
    expect(candidates(index).some((e) => e.ic.c.id === over.id)).toBe(false);
    // Known, so an older copy (a remote region's) cannot bring an earlier version back.
    expect(index.get(over.id)?.c.version).toBe(1);
  });

  it('unindexes the earlier version of a campaign whose update is refused, and keeps it out', () => {
    const index = new CampaignIndex(rates);
    const v1 = makeCampaign({ targeting: { countries: ['DEU'] } });
    index.upsert(v1);
    expect(candidates(index).map((e) => e.ic.c.id)).toEqual([v1.id]);
    const v2 = wide(9, { id: v1.id, version: 2 });
    expect(index.upsert(v2)?.reason).toBe('index_entries');
    expect(candidates(index)).toEqual([]);
    expect(index.upsert(v1)).toBeUndefined();
    expect(candidates(index)).toEqual([]);
    // A later version within the limit is indexed again.
    index.upsert({ ...v1, version: 3 });
    expect(candidates(index).map((e) => e.ic.c.id)).toEqual([v1.id]);
  });

  it('refuses a deal campaign whose creatives × deals is over the limit', () => {
    const index = new CampaignIndex(rates);
    const base = makeCampaign();
    const cr = base.creatives[0] as Campaign['creatives'][number];
    const c = makeCampaign({
      creatives: Array.from({ length: 17 }, (_, i) => ({ ...cr, id: `cr-${String(i)}` })),
      deals: Array.from({ length: 256 }, (_, i) => ({ id: `deal-${String(i)}` })),
    });
    expect(index.upsert(c)?.reason).toBe('index_entries');
    const out: CreativeEntry[] = [];
    index.dealCandidates('deal-0', index.nextStamp(), out);
    expect(out).toEqual([]);
  });
});
