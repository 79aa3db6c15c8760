import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  chExec,
  rawSql,
  waitFor,
  type ClickHouseClient,
  type Publisher,
} from '@streambid/adapters';
import { remoteTopicName, type Spend } from '@streambid/contracts';
import { testTopics } from '@streambid/testkit/services';
import { produceAll } from '../eval/run.js';
import { readClickHouse } from '../reconcile/clickhouse-source.js';
import { migrateLedger } from '../schema/ledger.js';
import { runFollow, runReplay, type ServiceDeps } from '../service.js';
import {
  clickfraudEnv,
  closeServices,
  count,
  openServices,
  runEntry,
  serviceDeps,
  testDatabase,
  yesterdayAtUtc,
} from './helpers.js';
import { exactMicros, spendEvent } from './spend-fixtures.js';

const T0 = yesterdayAtUtc(9);

describe('the spend ledger in ClickHouse', () => {
  const { ns, topics } = testTopics();
  const db = testDatabase();
  // The analytics region holds its own spend topic and MirrorMaker's copy of us's (`us.<topic>`);
  // the copy is written directly here, so the test does not wait on replication.
  const usCopy = { ...topics.spend, name: remoteTopicName('us', topics.spend.name) };
  const eu = Array.from({ length: 3000 }, (_, i) => spendEvent('eu', i, { ts: T0 + i * 100 }));
  const us = Array.from({ length: 1000 }, (_, i) =>
    spendEvent('us', i, { ts: T0 + i * 300, region: 'us' }),
  );
  // The same 40 bids billed in us too, later (a double bill across regions): one bid, two records.
  const twice = eu
    .slice(0, 40)
    .map((s): Spend => ({ ...s, region: 'us', ts: s.ts + 5000, cpmMicros: s.cpmMicros + 1 }));
  const rows = eu.length + us.length + twice.length;
  const distinct = eu.length + us.length;
  let kafka: Kafka;
  let ch: ClickHouseClient;
  let publisher: Publisher;
  let deps: ServiceDeps;
  let table: string;
  const env = (database = db): Record<string, string> => clickfraudEnv(ns, database);
  const spendOnly = {
    fromMs: null,
    toMs: null,
    regions: ['eu', 'us'] as ('eu' | 'us')[],
    into: null,
    maxRate: null,
    publish: false,
    topics: ['spend'] as const,
  };
  const distinctIn = (t: string): Promise<number> =>
    count(ch, `(SELECT DISTINCT bid_id FROM ${t})`);
  /**
   * A fresh ledger whose background merges are held: a merge would drop the copies of a bid billed
   * twice at any moment, and raw row counts (which show a record stored twice) would drift.
   */
  const heldLedger = async (database: string): Promise<string> => {
    const t = (await migrateLedger(ch, database)).spend;
    await chExec(ch, rawSql(`SYSTEM STOP MERGES ${t}`));
    return t;
  };

  beforeAll(async () => {
    ({ kafka, ch, publisher } = await openServices([topics.spend, usCopy, topics.deadLetter]));
    await produceAll(publisher, topics.spend, eu);
    await produceAll(publisher, usCopy, [...us, ...twice]);
    deps = serviceDeps(kafka, ch, env());
    table = await heldLedger(db);
  });
  afterAll(() => closeServices({ ch, publisher }, db, `${db}_k`));

  /**
   * eu's topic first, then both: the later copies of the bids billed twice (us) are inserted last,
   * the row a ReplacingMergeTree without a version would keep.
   */
  const loadEuThenAll = async (): Promise<void> => {
    await runReplay(deps, { ...spendOnly, regions: ['eu'] });
    await runReplay(deps, spendOnly);
  };

  it('stores every spend record once, and replaying again stores nothing new', async () => {
    await loadEuThenAll();
    expect(await count(ch, table)).toBe(rows);
    expect(await distinctIn(table)).toBe(distinct);
    await runReplay(deps, spendOnly);
    await runReplay(deps, { ...spendOnly, fromMs: T0 });
    expect(await count(ch, table)).toBe(rows);
  }, 120_000);

  it('counts a bid billed in two regions once, merged or not, at its first price', async () => {
    await loadEuThenAll(); // loaded already when the tests run in order: a no-op then
    const topicsOfNs = [topics.spend.name, usCopy.name];
    const window = { fromMs: null, toMs: null };
    const expected = {
      bids: distinct,
      // The earlier record (eu) stands for a bid billed twice, as it does for the topics.
      micros: exactMicros([...eu, ...us]),
    };
    const before = await readClickHouse(ch, table, topicsOfNs, window, null);
    expect(before.rows).toBe(rows); // the copies are still there, not merged yet
    expect({ bids: before.total.bids, micros: before.total.micros }).toEqual(expected);
    expect(before.bids.get(eu[0]?.bidId ?? '')).toEqual({ cpm: eu[0]?.cpmMicros, region: 'eu' });
    // A ReplacingMergeTree keyed by bid id: once merged, one row per bid.
    await chExec(ch, rawSql(`SYSTEM START MERGES ${table}`));
    await chExec(ch, rawSql(`OPTIMIZE TABLE ${table} FINAL`));
    expect(await count(ch, table)).toBe(distinct);
    const after = await readClickHouse(ch, table, topicsOfNs, window, null);
    expect({ bids: after.total.bids, micros: after.total.micros }).toEqual(expected);
    expect(after.bids.get(eu[0]?.bidId ?? '')).toEqual({ cpm: eu[0]?.cpmMicros, region: 'eu' });
    expect(after.byRegion.get('us')?.bids).toBe(us.length);
  }, 60_000);

  it('a spend replay killed mid-way resumes exactly: no duplicate row, no gap', async () => {
    const killedDb = `${db}_k`;
    const t = await heldLedger(killedDb);
    const args = ['replay', '--from', 'earliest', '--topics', 'spend', '--regions', 'eu,us'];
    const slow = runEntry('main', [...args, '--max-rate', '400'], {
      ...env(killedDb),
      CLICKFRAUD_BATCH_ROWS: '200',
      CLICKFRAUD_LINGER_MS: '100',
    });
    let exited = false;
    void slow.done.then(() => (exited = true));
    await waitFor(async () => exited || (await count(ch, t).catch(() => 0)) >= 600, {
      timeoutMs: 60_000,
      what: 'first spend batches stored',
    });
    slow.kill();
    const killed = await slow.done;
    expect(
      killed.signal,
      `exit code ${String(killed.code)}; stderr: ${killed.stderr}; stdout: ${killed.stdout.slice(-2000)}`,
    ).toBe('SIGKILL');
    expect(await count(ch, t)).toBeLessThan(rows);
    const resumed = await runEntry('main', args, env(killedDb)).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    // Every record once (rows of one partition are never stored twice), every bid counted once.
    expect(await count(ch, t)).toBe(rows);
    expect(await distinctIn(t)).toBe(distinct);
  }, 180_000);

  it('follow loads spend as it is billed', async () => {
    const stop = new AbortController();
    const following = runFollow(
      deps,
      { ...spendOnly, regions: ['eu'] },
      { signal: stop.signal, blocklist: publisher },
    );
    const later = Array.from({ length: 25 }, (_, i) =>
      spendEvent('later', i, { ts: Date.now() - 1000 }),
    );
    try {
      // Following with no --from resumes after what ClickHouse holds: only the new records load.
      await produceAll(publisher, topics.spend, later);
      await waitFor(
        async () =>
          (await count(ch, table, `bid_id LIKE 'bid-later-%'`)) === later.length ? true : null,
        { timeoutMs: 30_000, what: 'new spend in ClickHouse' },
      );
    } finally {
      stop.abort();
      await following;
    }
    expect(await count(ch, table, `bid_id LIKE 'bid-later-%'`)).toBe(later.length);
    expect(await distinctIn(table)).toBe(distinct + later.length);
  }, 60_000);
});
