import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  createMetricsRegistry,
  createPublisher,
  rawSql,
  silentLogger,
  StreamConsumer,
  subscribe,
  waitFor,
  type ClickHouseClient,
  type ConsumedRecord,
  type Publisher,
} from '@streambid/adapters';
import { blocklistEntrySchema, type BlocklistEntry } from '@streambid/contracts';
import { BOT_PATTERNS, type Traffic } from '@streambid/traffic';
import { testClickHouse, testKafka, testTopics } from '@streambid/testkit/services';
import { evaluate } from '../eval/metrics.js';
import { startHttp } from '../http/server.js';
import { modelTables } from '../schema/names.js';
import { httpReportSettings, report, runReplay, type ServiceDeps } from '../service.js';
import { chQuery } from '@streambid/adapters';
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
// The day of the traffic: [00:00, 24:00) UTC.
const FROM = new Date(START - 10 * 3_600_000).toISOString().replace('.000Z', 'Z');
const TO = new Date(START + 14 * 3_600_000).toISOString().replace('.000Z', 'Z');
const TOKEN = 'reports-test-token-0123';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };

describe('scoring, blocklist and fraud reports on a labelled mix', () => {
  const { ns, topics } = testTopics();
  const db = testDatabase();
  let kafka: Kafka;
  let ch: ClickHouseClient;
  let traffic: Traffic;
  let deps: ServiceDeps;
  let publisher: Publisher;
  let http: { port: number; close: () => void };
  const env = (): Record<string, string> => clickfraudEnv(ns, db);

  beforeAll(async () => {
    kafka = testKafka('eu');
    ch = testClickHouse();
    traffic = await produceTraffic(kafka, topics, {
      seed: 5,
      startTs: START,
      humanImpressions: 40_000,
      bots: Object.fromEntries(BOT_PATTERNS.map((p) => [p, 80])),
    });
    deps = serviceDeps(kafka, ch, env());
    publisher = await createPublisher(kafka);
    await runReplay(
      deps,
      { fromMs: null, toMs: null, regions: null, into: 'v1', maxRate: null, publish: true },
      { blocklist: publisher },
    );
    http = await startHttp(0, {
      // As main.ts serves them: read-only, with a maximum execution time.
      report: (p) => report(deps, p, httpReportSettings(deps.config)),
      healthy: () => true,
      metrics: createMetricsRegistry('clickfraud-test'),
      logger: silentLogger(),
      access: { token: TOKEN, maxRangeMs: 31 * 86_400_000, maxLimit: 1000 },
    });
  }, 150_000);
  afterAll(async () => {
    http.close();
    await closeServices({ ch, publisher }, db);
  });

  it('meets the precision (≥ 0.95) and recall (≥ 0.9) goals against the generator labels', async () => {
    const t = modelTables(db, 'v1');
    const scored = await chQuery<{ id: string; bad: number }>(
      ch,
      rawSql(`SELECT event_id AS id, invalid AS bad FROM ${t.clickScores}`),
    );
    const r = evaluate(
      new Map(traffic.clicks.map((c) => [c.event.eventId, c.label])),
      new Map(scored.map((s) => [s.id, Number(s.bad) === 1])),
    );
    expect(r.unscored).toBe(0);
    expect(r.precision).toBeGreaterThanOrEqual(0.95);
    expect(r.recall).toBeGreaterThanOrEqual(0.9);
  });

  it('publishes schema-valid blocklist entries, including the click-farm site, with an expiry', async () => {
    const got: ConsumedRecord<BlocklistEntry>[] = [];
    const c = new StreamConsumer({
      kafka,
      service: 'test',
      subscriptions: [
        subscribe({ topic: topics.fraudBlocklist, handle: (r) => void got.push(...r) }),
      ],
      deadLetter: publisher,
      deadLetterTopic: topics.deadLetter.name,
      logger: silentLogger(),
    });
    await c.start();
    try {
      const farm = await waitFor(
        () => got.find((r) => r.value?.kind === 'site' && r.value.value === traffic.farmSite),
        { timeoutMs: 20_000 },
      );
      expect(farm.key).toBe(`site:${traffic.farmSite}`);
      expect(farm.value?.reasons).toContain('ctr_outlier');
      for (const r of got) {
        expect(blocklistEntrySchema.safeParse(r.value).success).toBe(true);
        expect(r.value?.expiresAt).toBeGreaterThan(Date.now());
      }
      // No ordinary site is blocked.
      expect(got.filter((r) => r.value?.kind === 'site').map((r) => r.value?.value)).toEqual([
        traffic.farmSite,
      ]);
    } finally {
      await c.stop();
    }
  });

  it('reports the click-farm site first by invalid clicks, over HTTP and the CLI', async () => {
    const res = await fetch(
      `http://127.0.0.1:${String(http.port)}/reports/fraud?from=${FROM}&to=${TO}&by=site&format=json&limit=3`,
      AUTH,
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { rows: { key: string; score: number; ctr: number }[] };
    expect(body.rows[0]?.key).toBe(traffic.farmSite);
    expect(body.rows[0]?.score).toBeGreaterThan(0.9);
    const cli = await runEntry(
      'report-cli',
      ['--from', FROM, '--to', TO, '--by', 'site', '--format', 'csv', '--min-score', '0.9'],
      env(),
    ).done;
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout.split('\n')[1]?.startsWith(`${traffic.farmSite},`)).toBe(true);
    const health = await fetch(`http://127.0.0.1:${String(http.port)}/healthz`);
    expect(health.status).toBe(200);
    expect(await (await fetch(`http://127.0.0.1:${String(http.port)}/metrics`)).text()).toContain(
      'process_cpu',
    );
  });

  it('refuses injection attempts in filters (CLI exit 2, HTTP 400) and keeps valid hostile text inert', async () => {
    for (const by of ['nonsense', 'site; DROP DATABASE x']) {
      const cli = await runEntry('report-cli', ['--from', FROM, '--to', TO, '--by', by], env())
        .done;
      expect(cli.code, by).toBe(2);
      expect(cli.stderr, by).toContain('--by');
    }
    const fromInjection = await fetch(
      `http://127.0.0.1:${String(http.port)}/reports/fraud?from=${encodeURIComponent(`${FROM.slice(0, 10)}' OR 1=1 --`)}&to=${TO}&by=ip`,
      AUTH,
    );
    expect(fromInjection.status).toBe(400);
    expect(((await fromInjection.json()) as { error: string }).error).toMatch(/^--from:/);
    const limitInjection = await fetch(
      `http://127.0.0.1:${String(http.port)}/reports/fraud?from=${FROM}&to=${TO}&by=ip&limit=1%20UNION%20SELECT%201`,
      AUTH,
    );
    expect(limitInjection.status).toBe(400);
    const hostile = `x' OR 1=1) UNION ALL SELECT name, 1, 1, 1, 1, 1, 1, [] FROM system.tables --`;
    const inert = await fetch(
      `http://127.0.0.1:${String(http.port)}/reports/fraud?from=${FROM}&to=${TO}&by=campaign&format=json&campaign=${encodeURIComponent(hostile)}`,
      AUTH,
    );
    expect(inert.status).toBe(200);
    expect(((await inert.json()) as { rows: unknown[] }).rows).toEqual([]);
    expect(await count(ch, modelTables(db, 'v1').clickScores)).toBe(traffic.clicks.length);
  });
});
