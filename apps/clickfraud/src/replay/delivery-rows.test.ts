import { describe, expect, it } from 'vitest';
import { BID_COLUMNS, bidLine, bidRow, LOSS_COLUMNS, lossRow, winRow } from './delivery-rows.js';

const src = { topic: 'us.bids', partition: 3, offset: '42' };
const bid = {
  eventId: 'b1',
  ts: 1_767_607_260_123,
  region: 'us' as const,
  requestId: 'r1',
  impId: '1',
  bidId: 'b1',
  campaignId: 'c1',
  creativeId: 'cr1',
  cpmMicros: 1_500_333,
};

describe('delivery rows', () => {
  it('keeps the bid, its deal, the app it was bought on and its Kafka position', () => {
    const r = bidRow(
      { ...bid, dealId: 'd1', appBundle: 'com.example', siteDomain: 'ignored.example', test: true },
      src,
    );
    expect(r).toMatchObject({
      ts: 1_767_607_260,
      ts_ms: bid.ts,
      deal_id: 'd1',
      inventory: 'com.example',
      is_app: 1,
      test: 1,
      src_topic: 'us.bids',
      src_partition: 3,
      src_offset: '42',
    });
    expect(Object.keys(r).sort()).toEqual([...BID_COLUMNS].sort());
    // One field per column, tabs and newlines in text escaped.
    const line = bidLine({ ...bid, publisherId: 'a\tb' }, src);
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1).split('\t')).toHaveLength(BID_COLUMNS.length);
    expect(line).toContain('a\\tb');
  });

  it('stores an absent loss reason as -1 and an absent site as empty, not as a guess', () => {
    const l = lossRow({ ...bid, reason: undefined }, src);
    expect(l).toMatchObject({ reason: -1, clearing_cpm_micros: 0, test: 0, exchange: '' });
    expect(Object.keys(l).sort()).toEqual([...LOSS_COLUMNS].sort());
    expect(lossRow({ ...bid, reason: 102, clearingCpmMicros: 2_000_000 }, src)).toMatchObject({
      reason: 102,
      clearing_cpm_micros: 2_000_000,
    });
    const w = winRow(
      { ...bid, clearingCpmMicros: 1_400_000, currency: 'EUR', siteDomain: 's.example' },
      src,
    );
    expect(w).toMatchObject({ inventory: 's.example', is_app: 0, publisher: '', currency: 'EUR' });
  });
});
