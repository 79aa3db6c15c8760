import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  chExec,
  createMetricsRegistry,
  rawSql,
  silentLogger,
  sqlIdent,
  type ClickHouseClient,
} from '@streambid/adapters';
import { testClickHouse, testKafka, testTopics, uniq } from '@streambid/testkit/services';
import { startHttp } from '../http/server.js';
import type { DeliveryReport } from '../report/delivery.js';
import { migrateLedger } from '../schema/ledger.js';
import { migrate } from '../schema/migrations.js';
import type { ModelTables } from '../schema/names.js';
import { delivery, httpReportSettings, report, type ServiceDeps } from '../service.js';
import { EXPECTED, H0, HOUR, insertDeliveryFixture } from '../testing/delivery-fixtures.js';
import { clickfraudEnv, serviceDeps } from './helpers.js';

const TOKEN = 'report-http-test-token';
const iso = (ms: number): string => new Date(ms).toISOString();
const WINDOW = `from=${iso(H0)}&to=${iso(H0 + 2 * HOUR)}`;

/**
 * The HTTP reports as `serve` and `follow` run them (read-only ClickHouse settings and a maximum
 * execution time of one second here), over the delivery fixture in a database of their own.
 */
describe('HTTP reports: bearer token, bounds, read-only queries and timeouts', () => {
  const { ns } = testTopics();
  const db = sqlIdent(uniq('rh').replace('-', '_'));
  let ch: ClickHouseClient;
  let deps: ServiceDeps;
  let t: ModelTables;
  let http: { port: number; close: () => void };
  const get = (path: string, token: string | null = TOKEN): Promise<Response> =>
    fetch(`http://127.0.0.1:${String(http.port)}${path}`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    ch = testClickHouse();
    deps = serviceDeps(testKafka('eu'), ch, {
      ...clickfraudEnv(ns, db),
      CLICKFRAUD_REPORT_MAX_EXECUTION_S: '1',
    });
    await migrateLedger(ch, db);
    t = await migrate(ch, db, 'v1');
    await insertDeliveryFixture(ch, t, db);
    const settings = httpReportSettings(deps.config);
    http = await startHttp(0, {
      report: (p) => report(deps, p, settings),
      delivery: (p) => delivery(deps, p, settings),
      healthy: () => true,
      metrics: createMetricsRegistry('clickfraud-report-http-test'),
      logger: silentLogger(),
      access: { token: TOKEN, maxRangeMs: 48 * HOUR, maxLimit: 100 },
    });
  }, 60_000);
  afterAll(async () => {
    http.close();
    await chExec(ch, rawSql(`DROP DATABASE IF EXISTS ${db}`));
    await ch.close();
  });

  it('serves the delivery report as JSON to a holder of the token', async () => {
    const res = await get(`/reports/delivery?${WINDOW}&by=campaign`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as DeliveryReport;
    expect(body.rows.map((r) => [r.key, r.bids, r.wins, r.spend_micros])).toEqual([
      ['cA', EXPECTED.bids.cA, EXPECTED.wins.cA, EXPECTED.spend.cA],
      ['cB', EXPECTED.bids.cB, EXPECTED.wins.cB, EXPECTED.spend.cB],
    ]);
    const byHour = (await (
      await get(`/reports/delivery?${WINDOW}&by=hour`)
    ).json()) as DeliveryReport;
    expect(byHour.rows.map((r) => r.key)).toEqual([iso(H0), iso(H0 + HOUR)]);
  });

  it('answers 401 with the reason without the token or with a wrong one, on both reports', async () => {
    for (const path of [
      `/reports/delivery?${WINDOW}&by=campaign`,
      `/reports/fraud?${WINDOW}&by=site`,
    ]) {
      const missing = await get(path, null);
      expect(missing.status, path).toBe(401);
      expect(missing.headers.get('www-authenticate')).toBe('Bearer');
      expect(((await missing.json()) as { error: string }).error).toMatch(/^missing bearer token/);
      const wrong = await get(path, `${TOKEN}-not`);
      expect(wrong.status, path).toBe(401);
      expect(await wrong.json()).toEqual({ error: 'wrong bearer token' });
    }
    // Operations endpoints stay open.
    expect((await get('/healthz', null)).status).toBe(200);
    expect((await get('/metrics', null)).status).toBe(200);
  });

  it('answers 400 naming from/to for a window over the maximum and limit for too many rows', async () => {
    const wide = `from=${iso(H0)}&to=${iso(H0 + 49 * HOUR)}`;
    for (const path of [
      `/reports/delivery?${wide}&by=campaign`,
      `/reports/fraud?${wide}&by=site`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      const body = (await res.json()) as { error: string; param: string };
      expect(body.param).toBe('to');
      expect(body.error).toMatch(/--from to --to is over the maximum of 48 h/);
    }
    for (const path of [
      `/reports/delivery?${WINDOW}&by=campaign&limit=101`,
      `/reports/fraud?${WINDOW}&by=site&limit=101`,
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(400);
      expect(await res.json()).toMatchObject({ param: 'limit' });
    }
    // Inside the bounds both answer; a run is a CLI matter.
    expect((await get(`/reports/delivery?${WINDOW}&by=campaign&limit=100`)).status).toBe(200);
    const run = await get(`/reports/delivery?by=campaign&run=r1`);
    expect(run.status).toBe(400);
    expect(await run.json()).toMatchObject({ param: 'run' });
  });

  it('answers 503 with the reason when a report runs over the maximum execution time', async () => {
    // A deliberately heavy history: 20M bids in the window, each its own bid id. The deal report
    // looks up the deal of every bid of the window (four times), far over one second.
    await chExec(
      ch,
      rawSql(`INSERT INTO ${t.bids} (ts, ts_ms, region, event_id, bid_id, request_id, imp_id,
        campaign_id, creative_id, deal_id, cpm_micros, publisher, inventory, is_app, country,
        device_type, test, src_topic, src_partition, src_offset)
        SELECT toDateTime(${String(H0 / 1000)} + number % 7200), ${String(H0)} + (number % 7200) * 1000,
          'eu', concat('heavy-', toString(number)), concat('heavy-', toString(number)), 'r', '1',
          'cA', 'crA1', concat('deal-', toString(number % 1000)), 1000000, 'p1', 'a.example', 0,
          'DEU', 2, 0, 'heavy-bids', 0, number
        FROM system.numbers LIMIT 20000000`),
    );
    const started = Date.now();
    const res = await get(`/reports/delivery?${WINDOW}&by=deal`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { error: string }).error).toMatch(/^report timed out/);
    // ClickHouse stopped it at its limit (1 s), not after the whole query.
    expect(Date.now() - started).toBeLessThan(15_000);
    // The server keeps serving.
    expect((await get(`/reports/delivery?${WINDOW}&by=region`)).status).toBe(200);
  }, 180_000);
});
