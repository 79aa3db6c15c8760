import type { ClickHouseClient } from '@streambid/adapters';
import { ledgerTables } from '../schema/ledger.js';
import type { ModelTables } from '../schema/names.js';

/**
 * A small delivery history as table rows, inserted straight into ClickHouse (the replay is tested
 * on its own): two campaigns over two hours, a deal, two publishers, a test bid, a loss, a bid
 * billed twice (a copy from another region's topic, later) and CPMs with sub-micro parts, so
 * per-row floors and exact campaign totals differ.
 */
export const H0 = Date.UTC(2026, 0, 5, 10);
export const HOUR = 3_600_000;

interface BidSpec {
  bid: string;
  campaign: string;
  creative: string;
  deal: string;
  publisher: string;
  site: string;
  country: string;
  region: 'eu' | 'us';
  ts: number;
  cpm: number;
  won: boolean;
  impressed: boolean;
  clicked: boolean;
  billedTwice?: boolean;
  test?: boolean;
}

export const BIDS: readonly BidSpec[] = [
  {
    bid: 'b1',
    campaign: 'cA',
    creative: 'crA1',
    deal: 'd1',
    publisher: 'p1',
    site: 'a.example',
    country: 'DEU',
    region: 'eu',
    ts: H0 + 60_000,
    cpm: 1_500_333,
    won: true,
    impressed: true,
    clicked: true,
  },
  {
    bid: 'b2',
    campaign: 'cA',
    creative: 'crA1',
    deal: '',
    publisher: 'p1',
    site: 'a.example',
    country: 'DEU',
    region: 'eu',
    ts: H0 + 120_000,
    cpm: 2_000_777,
    won: true,
    impressed: true,
    clicked: false,
    billedTwice: true,
  },
  {
    bid: 'b3',
    campaign: 'cA',
    creative: 'crA2',
    deal: 'd1',
    publisher: 'p2',
    site: 'b.example',
    country: 'USA',
    region: 'us',
    ts: H0 + HOUR + 60_000,
    cpm: 999_999,
    won: true,
    impressed: true,
    clicked: false,
  },
  {
    bid: 'b4',
    campaign: 'cB',
    creative: 'crB1',
    deal: '',
    publisher: 'p2',
    site: 'b.example',
    country: 'USA',
    region: 'us',
    ts: H0 + HOUR + 120_000,
    cpm: 3_000_501,
    won: true,
    impressed: true,
    clicked: true,
  },
  {
    bid: 'b5',
    campaign: 'cB',
    creative: 'crB1',
    deal: '',
    publisher: 'p1',
    site: 'a.example',
    country: 'DEU',
    region: 'eu',
    ts: H0 + 180_000,
    cpm: 1_000_000,
    won: false,
    impressed: false,
    clicked: false,
  },
  {
    bid: 'b6',
    campaign: 'cB',
    creative: 'crB1',
    deal: '',
    publisher: 'p1',
    site: 'a.example',
    country: 'DEU',
    region: 'eu',
    ts: H0 + 240_000,
    cpm: 1_000_000,
    won: false,
    impressed: false,
    clicked: false,
    test: true,
  },
];

const sec = (ms: number): number => Math.floor(ms / 1000);
const src = (topic: string, i: number) => ({
  src_topic: topic,
  src_partition: 0,
  src_offset: String(i),
});

/** Expected figures of the fixture (what a report must say). */
export const EXPECTED = {
  /** Exact spend per campaign: floor(Σ cpm / 1000) over distinct billed bids. */
  spend: {
    cA: Math.floor((1_500_333 + 2_000_777 + 999_999) / 1000),
    cB: Math.floor(3_000_501 / 1000),
  },
  bids: { cA: 3, cB: 2 },
  wins: { cA: 3, cB: 1 },
  impressions: { cA: 3, cB: 1 },
  clicks: { cA: 1, cB: 1 },
};

async function insert(ch: ClickHouseClient, table: string, rows: Record<string, unknown>[]) {
  if (rows.length > 0) await ch.insert({ table, values: rows, format: 'JSONEachRow' });
}

/** Inserts the fixture into a model version's raw tables and the database's spend ledger. */
export async function insertDeliveryFixture(
  ch: ClickHouseClient,
  t: ModelTables,
  db: string,
): Promise<void> {
  const place = (b: BidSpec) => ({
    publisher: b.publisher,
    inventory: b.site,
    is_app: 0,
    country: b.country,
  });
  const notice = (b: BidSpec, ts: number) => ({
    ts: sec(ts),
    ts_ms: ts,
    region: b.region,
    event_id: b.bid,
    bid_id: b.bid,
    request_id: `r-${b.bid}`,
    imp_id: '1',
    campaign_id: b.campaign,
    creative_id: b.creative,
  });
  const raw = (b: BidSpec, ts: number, i: number, topic: string) => ({
    ts: sec(ts),
    ts_ms: ts,
    region: b.region,
    event_id: `${topic}-${b.bid}`,
    bid_id: b.bid,
    campaign_id: b.campaign,
    creative_id: b.creative,
    user_id: `u-${b.bid}`,
    ip: '10.0.0.1',
    subnet: '10.0.0.0/24',
    ua: 'Mozilla/5.0',
    ...place(b),
    placement: 'top',
    device_type: 2,
    privacy_basis: 'test',
    privacy_p: 0,
    ...src(topic, i),
  });
  await insert(
    ch,
    t.bids,
    BIDS.map((b, i) => ({
      ...notice(b, b.ts),
      deal_id: b.deal,
      cpm_micros: b.cpm,
      ...place(b),
      device_type: 2,
      test: b.test === true ? 1 : 0,
      ...src('bids', i),
    })),
  );
  await insert(
    ch,
    t.wins,
    BIDS.filter((b) => b.won).map((b, i) => ({
      ...notice(b, b.ts + 100),
      exchange: 'x',
      clearing_cpm_micros: b.cpm,
      currency: 'USD',
      ...place(b),
      test: 0,
      ...src('wins', i),
    })),
  );
  await insert(
    ch,
    t.losses,
    BIDS.filter((b) => !b.won && b.test !== true).map((b, i) => ({
      ...notice(b, b.ts + 100),
      exchange: 'x',
      reason: 102,
      clearing_cpm_micros: 0,
      test: 0,
      ...src('losses', i),
    })),
  );
  await insert(
    ch,
    t.impressions,
    BIDS.filter((b) => b.impressed).map((b, i) => raw(b, b.ts + 200, i, 'impressions')),
  );
  await insert(
    ch,
    t.clicks,
    BIDS.filter((b) => b.clicked).map((b, i) => ({
      ...raw(b, b.ts + (b.campaign === 'cB' ? 400 : 5000), i, 'clicks'),
      impression_ts_ms: b.ts + 200,
      // cB's click is a declared bot 200 ms after its impression: invalid traffic for scoring.
      ctit_ms: b.campaign === 'cB' ? 200 : 4800,
      dc_provider: '',
      bot_ua: b.campaign === 'cB' ? 1 : 0,
    })),
  );
  const billed = BIDS.filter((b) => b.won);
  const spendRow = (b: BidSpec, ts: number, region: string, topic: string, i: number) => ({
    bid_id: b.bid,
    event_id: b.bid,
    ts: sec(ts),
    ts_ms: ts,
    region,
    campaign_id: b.campaign,
    creative_id: b.creative,
    request_id: `r-${b.bid}`,
    cpm_micros: b.cpm,
    amount_micros: Math.floor(b.cpm / 1000),
    currency: 'USD',
    notice: 'burl',
    exchange: 'x',
    ...src(topic, i),
  });
  const spend = ledgerTables(db).spend;
  await insert(
    ch,
    spend,
    billed.map((b, i) => spendRow(b, b.ts + 300, b.region, 'spend', i)),
  );
  // The double bill: the same bid billed again later in the other region (counts once), read
  // from the copy topic in an insert of its own, as a replay lane would.
  await insert(
    ch,
    spend,
    billed
      .filter((b) => b.billedTwice === true)
      .map((b, i) => spendRow(b, b.ts + 900, 'us', 'us.spend', i)),
  );
}
