import { describe, expect, it } from 'vitest';
import type { Region } from '@streambid/contracts';
import { reconcile } from './compare.js';
import {
  alignToMinutes,
  type ChTotals,
  type Facts,
  type LedgerTotals,
  type RegionAcks,
  type RegionSpend,
  type SpendFact,
} from './facts.js';

const T = Date.UTC(2024, 4, 1, 12, 0, 0);

function fact(bidId: string, region: Region, cpmMicros: number, over: Partial<SpendFact> = {}) {
  return {
    bidId,
    eventId: bidId,
    ts: T + 1000,
    region,
    campaignId: 'c1',
    cpmMicros,
    amountMicros: Math.floor(cpmMicros / 1000),
    ...over,
  } satisfies SpendFact;
}

function regionSpend(facts: SpendFact[]): RegionSpend {
  return {
    bids: new Map(facts.map((f) => [f.bidId, f])),
    records: facts.length,
    invalid: { count: 0, sample: [] },
    eventIdNotBidId: [],
    exists: true,
  };
}

function acks(facts: SpendFact[]): RegionAcks {
  return {
    acked: facts.length,
    ackedMicros: facts.reduce((a, f) => a + f.amountMicros, 0),
    entries: 1,
    instances: 1,
    invalid: { count: 0, sample: [] },
    exists: true,
  };
}

function chTotals(facts: SpendFact[]): ChTotals {
  const cpm = facts.reduce((a, f) => a + BigInt(f.cpmMicros), 0n);
  return {
    bids: facts.length,
    cpm,
    micros: Number(cpm / 1000n),
    wholeMicros: facts.reduce((a, f) => a + f.amountMicros, 0),
  };
}

/** Four sources that agree on `eu` and `us` spend, with the campaign's ledger in both regions. */
function agreeing(eu: SpendFact[], us: SpendFact[]): Facts {
  const all = [...eu, ...us];
  const cpm = all.reduce((a, f) => a + BigInt(f.cpmMicros), 0n);
  const ledger: LedgerTotals = {
    events: all.length,
    totalMicros: Number(cpm / 1000n),
    remainderNanos: Number(cpm % 1000n),
  };
  return {
    window: { fromMs: T, toMs: T + 60_000 },
    namespace: 'ns-',
    regions: ['eu', 'us'],
    spend: new Map([
      ['eu', regionSpend(eu)],
      ['us', regionSpend(us)],
    ]),
    acks: new Map([
      ['eu', acks(eu)],
      ['us', acks(us)],
    ]),
    clickhouse: {
      table: 'db.spend',
      topics: ['ns-spend', 'us.ns-spend'],
      total: chTotals(all),
      byRegion: new Map([
        ['eu', chTotals(eu)],
        ['us', chTotals(us)],
      ]),
      bids: new Map(all.map((f) => [f.bidId, { cpm: f.cpmMicros, region: f.region }])),
      rows: all.length,
      loaded: all.length,
    },
    ledger: {
      campaigns: [{ id: 'c1', homeRegion: 'eu' }],
      selection: 'test',
      byRegion: new Map([
        ['eu', { ok: true, url: 'x', totals: new Map([['c1', ledger]]) }],
        ['us', { ok: true, url: 'y', totals: new Map([['c1', { ...ledger }]]) }],
      ]),
    },
  };
}

const EU = [fact('b1', 'eu', 1_500), fact('b2', 'eu', 2_700)];
const US = [fact('b3', 'us', 999)];

describe('reconciling the four sources', () => {
  it('finds no mismatch when every source agrees, with exact micros of floor(Σ cpm / 1000)', () => {
    const r = reconcile(agreeing(EU, US));
    expect(r.differences).toEqual([]);
    expect(r).toMatchObject({
      acked_billing: 3,
      spend_events: 3,
      clickhouse_rows: 3,
      // 1500 + 2700 + 999 = 5199 CPM micros: 5 micros exactly, where per-event floors give 1 + 2 + 0.
      ledger_micros: 5,
      mismatches: 0,
    });
    expect(r.micros).toMatchObject({ spend_events: 5, spend_events_whole: 3, clickhouse_rows: 5 });
  });

  it('catches a spend event without an acknowledgement, in its region', () => {
    const f = agreeing(EU, US);
    f.acks.set('eu', acks(EU.slice(1)));
    const r = reconcile(f);
    expect(r.mismatches).toBe(1);
    expect(r.differences[0]).toMatchObject({ check: 'acked_vs_spend', region: 'eu' });
  });

  it('catches an acknowledgement without a spend event even when another region has the opposite', () => {
    const f = agreeing(EU, US);
    // eu acknowledged one more, us one fewer: the totals agree, the regions do not.
    f.acks.set('eu', { ...acks(EU), acked: 3 });
    f.acks.set('us', { ...acks(US), acked: 0 });
    const r = reconcile(f);
    expect(r.acked_billing).toBe(r.spend_events);
    expect(r.differences.map((d) => [d.check, d.region])).toEqual([
      ['acked_vs_spend', 'eu'],
      ['acked_vs_spend', 'us'],
    ]);
  });

  it('counts a bid billed in two regions once, and reports it as billed twice', () => {
    const twice = fact('b3', 'eu', 999, { ts: T + 5000 });
    const f = agreeing([...EU, twice], US);
    // ClickHouse and the ledger hold the bid once.
    const once = agreeing(EU, US);
    f.clickhouse = once.clickhouse;
    f.ledger = once.ledger;
    const r = reconcile(f);
    expect(r.spend_events).toBe(3);
    expect(r.acked_billing).toBe(4);
    expect(r.differences.map((d) => d.check)).toEqual(['billed_in_several_regions']);
    expect(r.differences[0]?.sample).toEqual(['b3']);
  });

  it('catches a row missing in ClickHouse, an extra one, and another price', () => {
    const f = agreeing(EU, US);
    f.clickhouse.bids.delete('b1');
    f.clickhouse.bids.set('zz', { cpm: 1, region: 'eu' });
    f.clickhouse.bids.set('b2', { cpm: 2_701, region: 'eu' });
    const r = reconcile(f);
    expect(r.differences.map((d) => d.check)).toEqual([
      'clickhouse_missing',
      'clickhouse_extra',
      'clickhouse_price',
    ]);
  });

  it('catches ClickHouse totals that disagree with the topics', () => {
    const f = agreeing(EU, US);
    f.clickhouse.total = { ...f.clickhouse.total, micros: 4 };
    expect(reconcile(f).differences.map((d) => d.check)).toEqual(['clickhouse_totals']);
  });

  it('holds the ledger to exact micros and its remainder, in every region', () => {
    const f = agreeing(EU, US);
    const us =
      f.ledger !== undefined && 'byRegion' in f.ledger ? f.ledger.byRegion.get('us') : null;
    if (!us?.ok) throw new Error('fixture');
    // Whole micros per event (3) instead of floor(Σ cpm / 1000) (5): the sub-micro parts were lost.
    us.totals.set('c1', { events: 3, totalMicros: 3, remainderNanos: null });
    const r = reconcile(f);
    expect(r.differences).toHaveLength(1);
    expect(r.differences[0]).toMatchObject({
      check: 'ledger_vs_spend',
      region: 'us',
      campaign: 'c1',
    });
    expect(r.ledger_micros).toBe(5); // the home region's (eu) view
  });

  it('reports an unavailable ledger and an unknown campaign, never silently', () => {
    const f = agreeing(EU, US);
    if ('skipped' in f.ledger) throw new Error('fixture');
    f.ledger.byRegion.set('us', { ok: false, url: 'http://us', reason: 'ECONNREFUSED' });
    f.ledger.byRegion.set('eu', { ok: true, url: 'x', totals: new Map([['c1', 'not_found']]) });
    expect(reconcile(f).differences.map((d) => [d.check, d.region])).toEqual([
      ['ledger_missing_campaign', 'eu'],
      ['ledger_unavailable', 'us'],
    ]);
  });

  it('says when the ledger was left out', () => {
    const f = agreeing(EU, US);
    f.ledger = { skipped: 'left out' };
    const r = reconcile(f);
    expect(r.ledger_micros).toBeNull();
    expect(r.ledger).toEqual({ skipped: 'left out' });
    expect(r.mismatches).toBe(0);
  });

  it('flags invalid records and events whose id is not their bid id', () => {
    const f = agreeing(EU, US);
    const eu = f.spend.get('eu');
    if (!eu) throw new Error('fixture');
    eu.invalid = { count: 2, sample: ['0@1: cpmMicros: expected number'] };
    eu.eventIdNotBidId = ['b2'];
    expect(reconcile(f).differences.map((d) => d.check)).toEqual([
      'invalid_spend_records',
      'event_id_not_bid_id',
    ]);
  });

  it('grows a window to whole minutes', () => {
    expect(alignToMinutes({ fromMs: T + 59_999, toMs: T + 60_001 })).toEqual({
      fromMs: T,
      toMs: T + 120_000,
    });
    expect(alignToMinutes({ fromMs: T, toMs: null })).toEqual({ fromMs: T, toMs: null });
  });
});
