import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  chExec,
  rawSql,
  silentLogger,
  sqlIdent,
  waitFor,
  type ClickHouseClient,
} from '@streambid/adapters';
import type { Traffic } from '@streambid/traffic';
import {
  endpoints,
  testClickHouse,
  testKafka,
  testTopics,
  uniq,
} from '../../../../test/support/env.js';
import { loadClickfraudConfig } from '../config.js';
import { currentVersion } from '../schema/models.js';
import { modelTables } from '../schema/names.js';
import { runReplay, type ServiceDeps } from '../service.js';
import { count, produceTraffic, runEntry, yesterdayAtUtc } from './helpers.js';

const START = yesterdayAtUtc(10);

describe('replaying click history into ClickHouse', () => {
  const { ns, topics } = testTopics();
  const db = sqlIdent(uniq('cf').replace('-', '_'));
  let kafka: Kafka;
  let ch: ClickHouseClient;
  let traffic: Traffic;
  let deps: ServiceDeps;
  const env = (): Record<string, string> => ({
    CLICKHOUSE_URL: endpoints().clickhouse,
    KAFKA_BROKERS: endpoints().kafka.eu ?? '',
    CLICKFRAUD_DB: db,
    TOPIC_NAMESPACE: ns,
  });

  beforeAll(async () => {
    kafka = testKafka('eu');
    ch = testClickHouse();
    traffic = await produceTraffic(kafka, topics, {
      seed: 11,
      startTs: START,
      humanImpressions: 20_000,
      humanCtr: 0.03,
      bots: { datacentre: 100, injection: 100, no_impression: 100 },
    });
    deps = { config: loadClickfraudConfig(env()), kafka, ch, logger: silentLogger() };
  });
  afterAll(async () => {
    await chExec(ch, rawSql(`DROP DATABASE IF EXISTS ${db}`));
    await ch.close();
  });

  const all = { fromMs: null, toMs: null, regions: null, maxRate: null, publish: false };

  it('stores every event once, and replaying again (same or fresh version) gives identical counts', async () => {
    await runReplay(deps, { ...all, into: 'v1' });
    const t1 = modelTables(db, 'v1');
    const first = [await count(ch, t1.clicks), await count(ch, t1.impressions)];
    expect(first).toEqual([traffic.clicks.length, traffic.impressions.length]);
    await runReplay(deps, { ...all, into: 'v1' });
    expect([await count(ch, t1.clicks), await count(ch, t1.impressions)]).toEqual(first);
    await runReplay(deps, { ...all, into: 'v2' });
    const t2 = modelTables(db, 'v2');
    expect([await count(ch, t2.clicks), await count(ch, t2.impressions)]).toEqual(first);
    expect(await count(ch, t2.clickScores)).toBe(traffic.clicks.length);
    expect(await currentVersion(ch, db)).toBe('v2');
  }, 120_000);

  it('a time-window replay holds exactly the events of that window', async () => {
    const fromMs = START + 20 * 60_000;
    const toMs = START + 35 * 60_000;
    await runReplay(deps, { ...all, fromMs, toMs, into: 'win' });
    const t = modelTables(db, 'win');
    const inWin = (ts: number): boolean => ts >= fromMs && ts < toMs;
    const expected = traffic.clicks.filter((c) => inWin(c.event.ts)).length;
    expect(expected).toBeGreaterThan(100);
    expect(await count(ch, t.clicks)).toBe(expected);
    expect(await count(ch, t.impressions)).toBe(
      traffic.impressions.filter((c) => inWin(c.event.ts)).length,
    );
    expect(await count(ch, t.clicks, `ts_ms < ${String(fromMs)} OR ts_ms >= ${String(toMs)}`)).toBe(
      0,
    );
  }, 120_000);

  it('--max-rate paces the replay', async () => {
    const total = traffic.clicks.length + traffic.impressions.length;
    const maxRate = 8000;
    const t0 = Date.now();
    await runReplay(deps, { ...all, maxRate, into: 'paced' });
    const elapsed = Date.now() - t0;
    const t = modelTables(db, 'paced');
    expect([await count(ch, t.clicks), await count(ch, t.impressions)]).toEqual([
      traffic.clicks.length,
      traffic.impressions.length,
    ]);
    // Never faster than the limit (a little slack for the first slice of records).
    expect(elapsed).toBeGreaterThanOrEqual((total / maxRate) * 1000 * 0.9);
  }, 120_000);

  it('a replay killed mid-way resumes exactly: no duplicates, no gaps', async () => {
    const t = modelTables(db, 'killed');
    const total = traffic.clicks.length + traffic.impressions.length;
    const slow = runEntry(
      'main',
      ['replay', '--from', 'earliest', '--into', 'killed', '--max-rate', '3000'],
      {
        ...env(),
        CLICKFRAUD_BATCH_ROWS: '1000',
        CLICKFRAUD_LINGER_MS: '100',
      },
    );
    let exited = false;
    void slow.done.then(() => (exited = true));
    await waitFor(async () => exited || (await count(ch, t.impressions).catch(() => 0)) >= 3000, {
      timeoutMs: 60_000,
      what: 'first batches stored',
    });
    slow.kill();
    const killed = await slow.done;
    // If it ended on its own, say how (its logs go to stdout).
    expect(
      killed.signal,
      `exit code ${String(killed.code)}; stderr: ${killed.stderr}; stdout: ${killed.stdout.slice(-2000)}`,
    ).toBe('SIGKILL');
    const partial = (await count(ch, t.clicks)) + (await count(ch, t.impressions));
    expect(partial).toBeLessThan(total);
    const resumed = await runEntry(
      'main',
      ['replay', '--from', 'earliest', '--into', 'killed'],
      env(),
    ).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(await count(ch, t.clicks)).toBe(traffic.clicks.length);
    expect(await count(ch, t.impressions)).toBe(traffic.impressions.length);
    const distinct = await count(ch, `(SELECT DISTINCT event_id FROM ${t.impressions})`);
    expect(distinct).toBe(traffic.impressions.length);
  }, 180_000); // two replay processes and a kill: slow when the machine is shared
});
