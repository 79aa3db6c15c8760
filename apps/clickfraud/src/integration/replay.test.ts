import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  chQuery,
  createPublisher,
  ensureTopics,
  rawSql,
  waitFor,
  type ClickHouseClient,
} from '@streambid/adapters';
import type { Traffic } from '@streambid/traffic';
import { testClickHouse, testKafka, testTopics } from '@streambid/testkit/services';
import { privacyLineage } from '../report/lineage.js';
import { currentVersion } from '../schema/models.js';
import { modelTables } from '../schema/names.js';
import { runReplay, type ServiceDeps } from '../service.js';
import {
  clickfraudEnv,
  closeServices,
  count,
  produceTraffic,
  runEntry,
  serviceDeps,
  testDatabase,
  yesterdayAtUtc,
} from './helpers.js';

const START = yesterdayAtUtc(10);

describe('replaying click history into ClickHouse', () => {
  const { ns, topics } = testTopics();
  const db = testDatabase();
  let kafka: Kafka;
  let ch: ClickHouseClient;
  let traffic: Traffic;
  let deps: ServiceDeps;
  const env = (): Record<string, string> => clickfraudEnv(ns, db);

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
    deps = serviceDeps(kafka, ch, env());
  });
  afterAll(() => closeServices({ ch }, db));

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

describe('privacy lineage of replayed records', () => {
  const { ns, topics } = testTopics();
  const db = testDatabase();
  const kafka = testKafka('eu');
  const ch = testClickHouse();
  const all = { fromMs: null, toMs: null, regions: null, maxRate: null, publish: false };
  afterAll(() => closeServices({ ch }, db));

  it('stores with every record the privacy basis it was kept under, and sums them per window', async () => {
    const at = START;
    const click = (n: number, privacy?: { basis: string; p: number }, ua = 'Mozilla/5.0') => ({
      eventId: `lineage-${String(n)}`,
      ts: at + n,
      region: 'eu' as const,
      bidId: `lineage-bid-${String(n)}`,
      campaignId: 'camp-lineage',
      creativeId: 'cr-1',
      ip: '198.51.100.0',
      ua,
      ...(privacy === undefined ? {} : { privacy }),
    });
    await ensureTopics(kafka, [topics.clicks, topics.impressions, topics.deadLetter]);
    const publisher = await createPublisher(kafka);
    try {
      await publisher.publish(topics.clicks, [
        click(1, { basis: 'coppa', p: 3 }),
        // An escaped string: the general way, not the byte scanner.
        click(2, { basis: 'coppa', p: 3 }, 'Mozilla/5.0 "quoted"'),
        click(3, { basis: 'gdpr_no_measurement', p: 383 }),
        click(4),
      ]);
    } finally {
      await publisher.close();
    }
    const window = { fromMs: at, toMs: at + 1000 };
    await runReplay(serviceDeps(kafka, ch, clickfraudEnv(ns, db)), {
      ...all,
      ...window,
      into: 'lineage',
    });
    const t = modelTables(db, 'lineage');
    const rows = await chQuery<{ event_id: string; privacy_basis: string; p: number }>(
      ch,
      rawSql(
        `SELECT event_id, privacy_basis, toUInt32(privacy_p) AS p FROM ${t.clicks} ORDER BY event_id`,
      ),
    );
    expect(rows).toEqual([
      { event_id: 'lineage-1', privacy_basis: 'coppa', p: 3 },
      { event_id: 'lineage-2', privacy_basis: 'coppa', p: 3 },
      { event_id: 'lineage-3', privacy_basis: 'gdpr_no_measurement', p: 383 },
      { event_id: 'lineage-4', privacy_basis: '', p: 0 },
    ]);
    expect(await privacyLineage(ch, t, window)).toEqual({
      clicks: { '': 1, coppa: 2, gdpr_no_measurement: 1 },
      impressions: {},
    });
  }, 120_000);
});
