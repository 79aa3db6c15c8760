import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Session } from 'chdb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  chQuery,
  rawSql,
  silentLogger,
  sqlIdent,
  type ClickHouseClient,
} from '@streambid/adapters';
import { readClickHouse } from '../reconcile/clickhouse-source.js';
import { storedOffsets } from '../replay/plan.js';
import { DELIVERY_DIMENSIONS } from '../report/delivery-params.js';
import { runDelivery } from '../report/delivery.js';
import { privacyLineage } from '../report/lineage.js';
import { reportParamsSchema } from '../report/params.js';
import { runReport } from '../report/query.js';
import { entityScores } from '../scoring/blocklist-job.js';
import { scoreWindow } from '../scoring/scorer.js';
import { chdbClient } from '../testing/chdb-client.js';
import { BIDS, EXPECTED, H0, HOUR, insertDeliveryFixture } from '../testing/delivery-fixtures.js';
import { LEDGER_MIGRATIONS, ledgerTables, migrateLedger } from './ledger.js';
import { MIGRATIONS, migrate } from './migrations.js';
import { currentVersion, markVersion, switchCurrent } from './models.js';
import type { ModelTables } from './names.js';

/**
 * Every migration and report query of the project on a current ClickHouse engine (chdb, in
 * process), as the integration tests run them on the 18.16 server: the SQL must run on both.
 */
describe('SQL on current ClickHouse (chdb)', () => {
  let dir: string;
  let session: Session;
  let ch: ClickHouseClient;
  const db = 'cf';

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'chdb-'));
    session = new Session(dir, {
      connectionArgs: ['--output_format_json_quote_64bit_integers=1'],
    });
    ch = chdbClient(session);
  });
  afterEach(() => {
    session.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  const version = async (): Promise<string> =>
    (await chQuery<{ v: string }>(ch, rawSql('SELECT version() AS v')))[0]?.v ?? '';

  async function seeded(): Promise<ModelTables> {
    await migrateLedger(ch, db);
    const t = await migrate(ch, db, 'v1');
    await insertDeliveryFixture(ch, t, db);
    return t;
  }

  it('applies every model and ledger migration, and a second run changes nothing', async () => {
    expect(Number((await version()).split('.')[0])).toBeGreaterThanOrEqual(24);
    await migrateLedger(ch, db);
    const t = await migrate(ch, db, 'v1');
    const tables = (
      await chQuery<{ name: string }>(
        ch,
        rawSql(`SELECT name FROM system.tables WHERE database = '${db}'`),
      )
    ).map((r) => `${sqlIdent(db)}.${sqlIdent(r.name)}`);
    for (const [k, name] of Object.entries(t)) if (k !== 'version') expect(tables).toContain(name);
    expect(tables).toContain(ledgerTables(db).spend);
    const applied = async (): Promise<string[]> =>
      (
        await chQuery<{ m: string; id: number }>(
          ch,
          rawSql(`SELECT model AS m, id FROM ${db}.schema_migrations ORDER BY m, id`),
        )
      ).map((r) => `${r.m}:${String(r.id)}`);
    const first = await applied();
    expect(first).toEqual([
      ...LEDGER_MIGRATIONS.map((m) => `spend-ledger:${String(m.id)}`),
      ...MIGRATIONS.map((m) => `v1:${String(m.id)}`),
    ]);
    await migrateLedger(ch, db);
    await migrate(ch, db, 'v1');
    expect(await applied()).toEqual(first);
  });

  it('answers the delivery report by every dimension, rows adding up to the exact spend', async () => {
    const t = await seeded();
    const spend = ledgerTables(db).spend;
    const scope = { fromMs: H0, toMs: H0 + 2 * HOUR, campaigns: null, spendTopics: null };
    const total = EXPECTED.spend.cA + EXPECTED.spend.cB;
    for (const by of DELIVERY_DIMENSIONS) {
      const r = await runDelivery(ch, t, spend, { ...scope, by }, null, 50);
      expect(r.totals, by).toEqual({
        bids: 5,
        wins: 4,
        impressions: 4,
        clicks: 2,
        spend_micros: total,
      });
      expect(
        r.rows.reduce((n, x) => n + x.billed, 0),
        by,
      ).toBe(4);
    }
    const byCampaign = await runDelivery(ch, t, spend, { ...scope, by: 'campaign' }, null, 50);
    expect(
      byCampaign.rows.map((r) => [
        r.key,
        r.bids,
        r.wins,
        r.losses,
        r.impressions,
        r.clicks,
        r.spend_micros,
      ]),
    ).toEqual([
      ['cA', 3, 3, 0, 3, 1, EXPECTED.spend.cA],
      ['cB', 2, 1, 1, 1, 1, EXPECTED.spend.cB],
    ]);
    // Wins, impressions and spend reach a deal through their bid.
    const byDeal = await runDelivery(ch, t, spend, { ...scope, by: 'deal' }, null, 50);
    expect(byDeal.rows.find((r) => r.key === 'd1')).toMatchObject({
      bids: 2,
      wins: 2,
      impressions: 2,
      clicks: 1,
    });
    const byHour = await runDelivery(ch, t, spend, { ...scope, by: 'hour' }, null, 50);
    expect(byHour.rows.map((r) => [r.key, r.bids])).toEqual([
      [new Date(H0).toISOString(), 3],
      [new Date(H0 + HOUR).toISOString(), 2],
    ]);
    // Filters: one campaign, and a run's spend topics (the later copy of the double bill only).
    const onlyB = await runDelivery(
      ch,
      t,
      spend,
      { ...scope, by: 'region', campaigns: ['cB'] },
      null,
      50,
    );
    expect(onlyB.totals).toMatchObject({ bids: 2, spend_micros: EXPECTED.spend.cB });
    const copies = await runDelivery(
      ch,
      t,
      spend,
      { ...scope, by: 'campaign', spendTopics: ['us.spend'] },
      null,
      50,
    );
    expect(copies.totals.spend_micros).toBe(Math.floor((BIDS[1]?.cpm ?? 0) / 1000));
  });

  it('scores clicks and answers the fraud report and the blocklist query', async () => {
    const t = await seeded();
    const win = { fromMs: H0, toMs: H0 + 2 * HOUR };
    const scored = await scoreWindow(ch, t, win, { logger: silentLogger() });
    expect(scored).toMatchObject({ clicks: 2, invalid: 1 });
    for (const by of ['site', 'publisher', 'ip', 'subnet', 'campaign', 'region'] as const) {
      const p = reportParamsSchema.parse({
        from: new Date(H0).toISOString(),
        to: new Date(H0 + 2 * HOUR).toISOString(),
        by,
      });
      const r = await runReport(ch, t, p);
      expect(
        r.rows.reduce((n, x) => n + x.clicks, 0),
        by,
      ).toBe(2);
      expect(
        r.rows.reduce((n, x) => n + x.invalid_clicks, 0),
        by,
      ).toBe(1);
    }
    const p = reportParamsSchema.parse({
      from: new Date(H0).toISOString(),
      to: new Date(H0 + 2 * HOUR).toISOString(),
      by: 'campaign',
    });
    const rows = (await runReport(ch, t, p)).rows;
    expect(rows.find((r) => r.key === 'cB')).toMatchObject({
      clicks: 1,
      invalid_clicks: 1,
      impressions: 1,
    });
    expect(rows.find((r) => r.key === 'cB')?.reasons).toContain('bot_ua');
    const entities = await entityScores(ch, t, win);
    expect(entities.find((e) => e.kind === 'publisher')).toMatchObject({
      value: 'p2',
      invalidClicks: 1,
    });
  });

  it("runs reconcile's ledger queries, the replay's resume positions, lineage and model switches", async () => {
    const t = await seeded();
    const spend = ledgerTables(db).spend;
    const side = await readClickHouse(
      ch,
      spend,
      ['spend', 'us.spend'],
      { fromMs: H0, toMs: H0 + 2 * HOUR },
      null,
    );
    const cpm = BIDS.filter((b) => b.won).reduce((a, b) => a + BigInt(b.cpm), 0n);
    expect(side.total).toMatchObject({ bids: 4, cpm, micros: Number(cpm / 1000n) });
    expect(side.bids.get('b2')).toMatchObject({ region: 'eu' });
    expect(await storedOffsets(ch, t.bids)).toEqual(new Map([['bids:0', 5n]]));
    expect(await storedOffsets(ch, spend)).toEqual(
      new Map([
        ['spend:0', 3n],
        ['us.spend:0', 0n],
      ]),
    );
    const lineage = await privacyLineage(ch, t, { fromMs: H0, toMs: H0 + 2 * HOUR });
    expect(lineage).toEqual({ clicks: { test: 2 }, impressions: { test: 4 } });
    expect(await currentVersion(ch, db)).toBeNull();
    await markVersion(ch, db, 'v1', 'complete', { fromMs: H0, toMs: H0 + HOUR });
    await switchCurrent(ch, db, 'v1');
    expect(await currentVersion(ch, db)).toBe('v1');
  });
});
