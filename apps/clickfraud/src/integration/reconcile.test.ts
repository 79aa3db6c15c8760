import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  chExec,
  createPublisher,
  ensureTopics,
  freePort,
  rawSql,
  sql,
  sqlIdent,
  waitFor,
  type ClickHouseClient,
  type Publisher,
} from '@streambid/adapters';
import {
  remoteTopicName,
  type BidEvent,
  type Campaign,
  type Catalogue,
  type Region,
  type Spend,
  type TopicDef,
  type WinEvent,
} from '@streambid/contracts';
import { makeCampaign } from '@streambid/testkit';
import {
  brokerFor,
  endpoints,
  testClickHouse,
  testKafka,
  testTopics,
  uniq,
} from '@streambid/testkit/services';
import { produceAll } from '../eval/run.js';
import type { Reconciliation } from '../reconcile/compare.js';
import type { DeliveryReport } from '../report/delivery.js';
import { ledgerTables } from '../schema/ledger.js';
import { count, ROOT, runEntry, yesterdayAtUtc } from './helpers.js';
import { ackEntry, acksFor, exactMicros, spendEvent } from './spend-fixtures.js';

const MIN = 60_000;
const T = yesterdayAtUtc(14);
const TOKEN = 'reconcile-test-token';
const REGIONS: Region[] = ['eu', 'us'];
const iso = (ms: number): string => new Date(ms).toISOString();

/** Local topics of a region plus one-hop copies of the replicated ones (as the load test makes). */
function regionTopics(region: Region, topics: Catalogue): TopicDef[] {
  const list: TopicDef[] = [
    topics.campaigns,
    topics.budget,
    topics.spend,
    topics.spendTotals,
    topics.billingAcks,
    topics.deadLetter,
    topics.bids,
    topics.wins,
  ];
  for (const other of REGIONS)
    if (other !== region)
      for (const t of [topics.campaigns, topics.budget, topics.spend, topics.spendTotals])
        list.push({ ...t, name: remoteTopicName(other, t.name) });
  // Analytics streams are copied to eu only.
  if (region === 'eu') list.push({ ...topics.wins, name: remoteTopicName('us', topics.wins.name) });
  return list;
}

/** The bid and the win notice behind a billed bid, on a publisher by the parity of its number. */
function bidAndWin(s: Spend): { bid: BidEvent; win: WinEvent } {
  const place = {
    publisherId: Number(s.bidId.at(-1)) % 2 ? 'pub-odd' : 'pub-even',
    siteDomain: 'news.example',
  };
  const common = {
    region: s.region,
    bidId: s.bidId,
    requestId: s.requestId,
    impId: '1',
    campaignId: s.campaignId,
    creativeId: s.creativeId,
    ...place,
  };
  return {
    bid: { ...common, eventId: s.bidId, ts: s.ts - 200, cpmMicros: s.cpmMicros },
    win: {
      ...common,
      eventId: s.bidId,
      ts: s.ts - 100,
      clearingCpmMicros: s.cpmMicros,
      currency: 'USD',
    },
  };
}

async function records(kafka: Kafka, topic: string): Promise<number> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const marks = await admin.fetchTopicOffsets(topic);
    return marks.reduce((n, m) => n + Number(m.high) - Number(m.low), 0);
  } finally {
    await admin.disconnect();
  }
}

/** An inventory service of one region, as its own process (apps never import each other). */
function startInventory(region: Region, ns: string, port: number): ChildProcess {
  return spawn(
    process.execPath,
    ['--conditions=@streambid/source', '--import', 'tsx', 'apps/inventory/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        ...process.env,
        REGION: region,
        KAFKA_BROKERS: brokerFor(region),
        TOPIC_NAMESPACE: ns,
        INVENTORY_TOKEN: TOKEN,
        INVENTORY_PORT: String(port),
        INVENTORY_HOST: '127.0.0.1',
        INVENTORY_REGIONS: REGIONS.join(','),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
}

/**
 * The four sources over a real namespace: spend and acknowledgements in both regions' own
 * clusters, MirrorMaker's copies, ClickHouse loaded from the copies, and both regions' inventory
 * services. Windows of the timeline (all yesterday, so the topics' retention keeps them):
 * - W0 [T, T+10m): campaigns A (home eu) and B (home us), flights inside W0, billed in both
 *   regions and acknowledged — everything agrees;
 * - W1 [T+20m, T+30m): one eu spend event nobody acknowledged;
 * - W2 [T+40m, T+50m): one us acknowledgement with no spend event;
 * - W3 [T+60m, T+70m): campaign C, flight inside W3, and one more spend event of C after W3,
 *   acknowledged: W3's events and acknowledgements agree, C's ledger holds one event more.
 */
describe('reconcile: acknowledgements, spend topics, ClickHouse and the inventory ledger', () => {
  const { ns, topics } = testTopics();
  const db = sqlIdent(uniq('rc').replace('-', '_'));
  const kafka = new Map<Region, Kafka>();
  const publishers = new Map<Region, Publisher>();
  const inventories: ChildProcess[] = [];
  const ports = new Map<Region, number>();
  let ch: ClickHouseClient;
  const flight = (from: number, to: number): Campaign['flight'] => ({ start: from, end: to });
  const campaigns = {
    A: makeCampaign({ id: `${ns}A`, homeRegion: 'eu', flight: flight(T + MIN, T + 9 * MIN) }),
    B: makeCampaign({ id: `${ns}B`, homeRegion: 'us', flight: flight(T + MIN, T + 9 * MIN) }),
    C: makeCampaign({
      id: `${ns}C`,
      homeRegion: 'eu',
      flight: flight(T + 61 * MIN, T + 69 * MIN),
    }),
  };
  const at = (start: number, i: number): number => start + 2 * MIN + i * 3_700;
  const w0 = {
    eu: Array.from({ length: 30 }, (_, i) =>
      spendEvent('w0eu', i, { ts: at(T, i), campaignId: i % 2 ? campaigns.A.id : campaigns.B.id }),
    ),
    us: Array.from({ length: 20 }, (_, i) =>
      spendEvent('w0us', i, {
        ts: at(T, i) + 500,
        region: 'us',
        campaignId: i % 3 ? campaigns.B.id : campaigns.A.id,
      }),
    ),
  };
  const unacked = spendEvent('w1', 0, { ts: T + 22 * MIN, campaignId: 'not-a-campaign' });
  const w3 = Array.from({ length: 5 }, (_, i) =>
    spendEvent('w3', i, { ts: at(T + 60 * MIN, i), campaignId: campaigns.C.id }),
  );
  const lateC = spendEvent('late', 0, { ts: T + 75 * MIN, campaignId: campaigns.C.id });

  const reconcileCli = async (
    args: string[],
    env: Record<string, string> = { TOPIC_NAMESPACE: ns },
  ): Promise<{ code: number | null; out: string; json: Reconciliation }> => {
    const r = await runEntry(
      'reconcile/cli',
      [
        ...args,
        '--brokers',
        REGIONS.map((g) => `${g}=${brokerFor(g)}`).join(','),
        '--inventory',
        REGIONS.map((g) => `${g}=http://127.0.0.1:${String(ports.get(g))}`).join(','),
      ],
      {
        CLICKHOUSE_URL: endpoints().clickhouse,
        KAFKA_BROKERS: brokerFor('eu'),
        REGION: 'eu',
        CLICKFRAUD_DB: db,
        INVENTORY_TOKEN: TOKEN,
        ...env,
      },
    ).done;
    const lines = r.stdout.trim().split('\n');
    const out = `exit ${String(r.code)}\n${r.stdout}\n${r.stderr}`;
    return { code: r.code, out, json: JSON.parse(lines.at(-1) ?? '{}') as Reconciliation };
  };
  const window = (from: number, to: number): string[] => ['--from', iso(from), '--to', iso(to)];

  beforeAll(async () => {
    ch = testClickHouse();
    for (const r of REGIONS) {
      kafka.set(r, testKafka(r));
      await ensureTopics(kafka.get(r) as Kafka, regionTopics(r, topics));
      publishers.set(r, await createPublisher(kafka.get(r) as Kafka));
    }
    const eu = publishers.get('eu') as Publisher;
    const us = publishers.get('us') as Publisher;
    await produceAll(eu, topics.campaigns, [campaigns.A, campaigns.C]);
    await produceAll(us, topics.campaigns, [campaigns.B]);
    const euSpend: Spend[] = [...w0.eu, unacked, ...w3, lateC];
    await produceAll(eu, topics.spend, euSpend);
    await produceAll(us, topics.spend, w0.us);
    // Bids (never replicated) and wins of W0 in the region that answered them, for the delivery report.
    for (const [p, list] of [
      [eu, w0.eu],
      [us, w0.us],
    ] as const) {
      await produceAll(
        p,
        topics.bids,
        list.map((s) => bidAndWin(s).bid),
      );
      await produceAll(
        p,
        topics.wins,
        list.map((s) => bidAndWin(s).win),
      );
    }
    // Two eu bidder processes; one rewrote its entry of a minute as it filled (the latest counts).
    const [firstHalf, secondHalf] = [w0.eu.slice(0, 15), w0.eu.slice(15)];
    const early = acksFor('eu', 'eu-1', firstHalf).map((a) => ({
      ...a,
      eventId: `${a.eventId}-early`,
      ts: a.ts - 20_000,
      acked: 1,
      ackedMicros: 1,
      ackedCpmMicros: 1000,
    }));
    await produceAll(eu, topics.billingAcks, [
      ...early,
      ...acksFor('eu', 'eu-1', firstHalf),
      ...acksFor('eu', 'eu-2', [...secondHalf, ...w3, lateC]),
    ]);
    await produceAll(us, topics.billingAcks, [
      ...acksFor('us', 'us-1', w0.us),
      ackEntry('us', 'us-1', T + 41 * MIN, [spendEvent('ghost', 0, { ts: T + 41 * MIN })]),
    ]);
    // Inventories rebuild from the log at start and seal campaigns whose flight ended long ago:
    // every copy must have arrived before they start.
    const copies: [Region, string, number][] = [
      ['eu', remoteTopicName('us', topics.spend.name), w0.us.length],
      ['us', remoteTopicName('eu', topics.spend.name), euSpend.length],
      ['eu', remoteTopicName('us', topics.campaigns.name), 1],
      ['us', remoteTopicName('eu', topics.campaigns.name), 2],
      ['eu', remoteTopicName('us', topics.wins.name), w0.us.length],
    ];
    await waitFor(
      async () => {
        for (const [r, t, n] of copies)
          if ((await records(kafka.get(r) as Kafka, t)) < n) return false;
        return true;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: 'MirrorMaker copies of spend and campaigns' },
    );
    for (const r of REGIONS) {
      ports.set(r, await freePort());
      inventories.push(startInventory(r, ns, ports.get(r) as number));
    }
    for (const r of REGIONS)
      await waitFor(
        async () => {
          const res = await fetch(`http://127.0.0.1:${String(ports.get(r))}/healthz`).catch(
            () => null,
          );
          return res?.status === 200;
        },
        { timeoutMs: 120_000, intervalMs: 250, what: `inventory ${r} ready` },
      );
  }, 300_000);

  afterAll(async () => {
    await Promise.all(
      inventories.map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      ),
    );
    for (const p of publishers.values()) await p.close();
    await chExec(ch, rawSql(`DROP DATABASE IF EXISTS ${db}`));
    await ch.close();
  });

  it('finds no mismatch when every billed bid was acknowledged, stored and ledgered', async () => {
    const r = await reconcileCli([...window(T, T + 10 * MIN), '--settle', '30']);
    expect(r.json.differences, r.out).toEqual([]);
    expect(r.code, r.out).toBe(0);
    const all = [...w0.eu, ...w0.us];
    const ofCampaign = (id: string): Spend[] => all.filter((s) => s.campaignId === id);
    expect(r.json).toMatchObject({
      acked_billing: all.length,
      spend_events: all.length,
      clickhouse_rows: all.length,
      // The banker's view: each campaign's exact floor(Σ cpm / 1000).
      ledger_micros:
        exactMicros(ofCampaign(campaigns.A.id)) + exactMicros(ofCampaign(campaigns.B.id)),
      mismatches: 0,
      ledger: { campaigns: [campaigns.A.id, campaigns.B.id] },
    });
    expect(r.json.micros.spend_events).toBe(exactMicros(all));
    expect(r.json.by_region['us']).toMatchObject({ acked: 20, spend_events: 20 });
  }, 120_000);

  it('does the same for a load-test run, from its summary', async () => {
    const reports = mkdtempSync(join(tmpdir(), 'reports-'));
    mkdirSync(join(reports, 'run1'));
    writeFileSync(
      join(reports, 'run1', 'summary.json'),
      JSON.stringify({
        run_id: 'run1',
        namespace: ns,
        regions: { eu: {}, us: {} },
        window: { from_ms: T, to_ms: T + 10 * MIN },
        campaigns: [
          { id: campaigns.A.id, home: 'eu' },
          { id: campaigns.B.id, home: 'us' },
        ],
      }),
    );
    // The namespace comes from the summary alone.
    const r = await reconcileCli(['--run', 'run1', '--reports', reports, '--settle', '30'], {
      TOPIC_NAMESPACE: '',
    });
    expect(r.code, r.out).toBe(0);
    expect(r.json).toMatchObject({ spend_events: 50, mismatches: 0, namespace: ns });

    // The delivery report of the run: its spend adds up to reconcile's ledger_micros exactly.
    const report = async (
      by: string,
    ): Promise<{ code: number | null; out: string; json: DeliveryReport }> => {
      const d = await runEntry(
        'report/cli',
        ['delivery', '--run', 'run1', '--reports', reports, '--by', by, '--format', 'json'],
        {
          CLICKHOUSE_URL: endpoints().clickhouse,
          KAFKA_BROKERS: brokerFor('eu'),
          REGION: 'eu',
          CLICKFRAUD_DB: db,
          TOPIC_NAMESPACE: '',
        },
      ).done;
      const last = d.stdout.trim().split('\n').at(-1) ?? '{}';
      return {
        code: d.code,
        out: `exit ${String(d.code)}\n${d.stdout}\n${d.stderr}`,
        json: JSON.parse(last) as DeliveryReport,
      };
    };
    const byCampaign = await report('campaign');
    expect(byCampaign.code, byCampaign.out).toBe(0);
    const sum = byCampaign.json.rows.reduce((n, row) => n + row.spend_micros, 0);
    expect(sum, byCampaign.out).toBe(r.json.ledger_micros);
    expect(byCampaign.json.rows.map((row) => row.key).sort()).toEqual([
      campaigns.A.id,
      campaigns.B.id,
    ]);
    // Bids come from each region's own cluster (us's stored as us.<ns>bids), wins from eu's copies;
    // every bid won and was billed. Loaded three times by now (the first test's reconcile, this
    // one's and the report's own load), each record is stored once: the loads resume.
    expect(byCampaign.json.totals).toMatchObject({ bids: 50, wins: 50 });
    expect(byCampaign.json.rows.every((row) => row.billed === row.wins)).toBe(true);
    // Even delivery: the flight lies inside the window's hours, so the plan is the whole budget.
    const a = byCampaign.json.rows.find((row) => row.key === campaigns.A.id);
    expect(a?.plan_micros).toBe(campaigns.A.budget.totalMicros);
    // Any other breakdown apportions each campaign's micros: the total stays exact.
    const byPublisher = await report('publisher');
    expect(byPublisher.code, byPublisher.out).toBe(0);
    expect(byPublisher.json.rows.map((row) => row.key).sort()).toEqual(['pub-even', 'pub-odd']);
    expect(byPublisher.json.totals.spend_micros).toBe(r.json.ledger_micros);
  }, 180_000);

  it('catches a spend event nobody acknowledged (exit 1)', async () => {
    const r = await reconcileCli([...window(T + 20 * MIN, T + 30 * MIN), '--settle', '0']);
    expect(r.code, r.out).toBe(1);
    expect(r.json.differences.map((d) => [d.check, d.region])).toEqual([['acked_vs_spend', 'eu']]);
    expect(r.json).toMatchObject({ acked_billing: 0, spend_events: 1, clickhouse_rows: 1 });
    expect(r.out).toContain('[acked_vs_spend] eu: 0 billing notices acknowledged');
  }, 120_000);

  it('catches an acknowledgement with no spend event (exit 1)', async () => {
    const r = await reconcileCli([...window(T + 40 * MIN, T + 50 * MIN), '--settle', '0']);
    expect(r.code, r.out).toBe(1);
    expect(r.json.differences.map((d) => [d.check, d.region])).toEqual([['acked_vs_spend', 'us']]);
    expect(r.json).toMatchObject({ acked_billing: 1, spend_events: 0 });
  }, 120_000);

  it("catches a ledger that disagrees with the window's spend events (exit 1)", async () => {
    const r = await reconcileCli([...window(T + 60 * MIN, T + 70 * MIN), '--settle', '0']);
    expect(r.code, r.out).toBe(1);
    expect(r.json.differences.map((d) => [d.check, d.region, d.campaign])).toEqual([
      ['ledger_vs_spend', 'eu', campaigns.C.id],
      ['ledger_vs_spend', 'us', campaigns.C.id],
    ]);
    expect(r.json.micros.ledger).toBe(exactMicros([...w3, lateC]));
  }, 120_000);

  // Last: it removes a row the other tests count.
  it('catches a spend event missing in ClickHouse (exit 1)', async () => {
    // Loaded and agreeing first (the first test did it already when the tests run in order).
    expect((await reconcileCli([...window(T, T + 10 * MIN), '--settle', '30'])).code).toBe(0);
    const gone = w0.us[7]?.bidId ?? '';
    const table = ledgerTables(db).spend;
    await chExec(ch, sql`ALTER TABLE ${rawSql(table)} DELETE WHERE bid_id = ${gone}`);
    await waitFor(async () => (await count(ch, table, sql`bid_id = ${gone}`.text)) === 0, {
      timeoutMs: 30_000,
      what: 'the row deleted',
    });
    // --no-load: compare ClickHouse as it is (a load would only resume after what it holds).
    const r = await reconcileCli([...window(T, T + 10 * MIN), '--settle', '0', '--no-load']);
    expect(r.code, r.out).toBe(1);
    expect(r.json.differences.map((d) => d.check)).toEqual([
      'clickhouse_missing',
      'clickhouse_totals',
    ]);
    expect(r.json.differences[0]?.sample).toEqual([gone]);
    expect(r.json.clickhouse_rows).toBe(49);
  }, 120_000);
});
