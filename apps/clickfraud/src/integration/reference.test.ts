import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  chQuery,
  createPublisher,
  ensureTopics,
  rawSql,
  type ClickHouseClient,
  type Publisher,
} from '@streambid/adapters';
import type { BotRules, ClickEvent, DatacentreRanges } from '@streambid/contracts';
import { testClickHouse, testKafka, testTopics } from '@streambid/testkit/services';
import { modelTables } from '../schema/names.js';
import { runReplay, type ServiceDeps } from '../service.js';
import {
  clickfraudEnv,
  closeServices,
  serviceDeps,
  testDatabase,
  yesterdayAtUtc,
} from './helpers.js';

const HOUR = 3_600_000;
/** Window A, under version 1 of both lists; window B, under version 2. */
const A = yesterdayAtUtc(9);
const B = yesterdayAtUtc(13);
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
/** Tokens neither isbot nor the built-in rules know. */
const ALPHA = `${CHROME} Zqalpha/1`;
const BETA = `${CHROME} Zqbeta/1`;

/** Clicks at `from` + i seconds from four sources: each list version names two of them. */
function clicks(from: number): ClickEvent[] {
  const out: ClickEvent[] = [];
  const sources = [
    { ip: '203.0.113.9', ua: CHROME },
    { ip: '198.51.100.9', ua: CHROME },
    { ip: '192.0.2.50', ua: ALPHA },
    { ip: '192.0.2.51', ua: BETA },
  ];
  for (let i = 0; i < 40; i++) {
    const s = sources[i % sources.length] ?? sources[0];
    out.push({
      eventId: randomUUID(),
      ts: from + i * 1000,
      region: 'eu',
      bidId: randomUUID(),
      campaignId: 'c-ref',
      creativeId: 'cr-1',
      impressionTs: from + i * 1000 - 20_000,
      siteDomain: 'ref.example',
      userId: `u-${String(i)}`,
      ...s,
    });
  }
  return out;
}

const head = (version: number, effectiveFrom: number) => ({
  eventId: randomUUID(),
  ts: Date.now(),
  version,
  effectiveFrom,
});

interface Row {
  ip: string;
  ua: string;
  dc_provider: string;
  bot_ua: number;
}

describe('replaying clicks with the reference data in force at their time', () => {
  const { ns, topics } = testTopics();
  const db = testDatabase();
  let kafka: Kafka;
  let ch: ClickHouseClient;
  let pub: Publisher;
  let deps: ServiceDeps;
  const all = { fromMs: null, toMs: null, regions: null, maxRate: null, publish: false };

  /** Features of the replayed clicks by source, as `ip ua → dc_provider bot_ua` per window. */
  async function features(version: string, from: number): Promise<Record<string, string>> {
    const t = modelTables(db, version);
    const rows = await chQuery<Row>(
      ch,
      rawSql(
        `SELECT DISTINCT ip, ua, dc_provider, bot_ua FROM ${t.clicks} WHERE ts_ms >= ${String(from)} AND ts_ms < ${String(from + HOUR)}`,
      ),
    );
    return Object.fromEntries(
      rows.map((r) => [
        `${r.ip} ${r.ua.split(' ').pop() ?? ''}`,
        `${r.dc_provider}|${String(r.bot_ua)}`,
      ]),
    );
  }

  /** Reasons of the scored clicks by IP, per window. */
  async function reasons(version: string, from: number): Promise<Record<string, string[]>> {
    const t = modelTables(db, version);
    const rows = await chQuery<{ ip: string; reasons: string[] }>(
      ch,
      rawSql(
        `SELECT DISTINCT ip, reasons FROM ${t.clickScores} WHERE toUInt64(ts) * 1000 >= ${String(from)} AND toUInt64(ts) * 1000 < ${String(from + HOUR)}`,
      ),
    );
    return Object.fromEntries(rows.map((r) => [r.ip, [...r.reasons].sort()]));
  }

  beforeAll(async () => {
    kafka = testKafka('eu');
    ch = testClickHouse();
    await ensureTopics(kafka, [
      topics.clicks,
      topics.impressions,
      topics.referenceBots,
      topics.referenceDatacentre,
      topics.deadLetter,
    ]);
    pub = await createPublisher(kafka);
    await pub.publish(topics.clicks, [...clicks(A), ...clicks(B)]);
    const dc1: DatacentreRanges = {
      ...head(1, A - 2 * HOUR),
      ranges: [{ cidr: '203.0.113.0/24', provider: 'cloud-one' }],
    };
    const dc2: DatacentreRanges = {
      ...head(2, A + 2 * HOUR),
      ranges: [{ cidr: '198.51.100.0/24', provider: 'cloud-two' }],
    };
    const bots1: BotRules = { ...head(1, A - 2 * HOUR), patterns: ['zqalpha'] };
    const bots2: BotRules = { ...head(2, A + 2 * HOUR), patterns: ['zqbeta'] };
    await pub.publish(topics.referenceDatacentre, [dc1, dc2]);
    await pub.publish(topics.referenceBots, [bots1, bots2]);
    deps = serviceDeps(kafka, ch, clickfraudEnv(ns, db));
  });
  afterAll(() => closeServices({ ch, publisher: pub }, db));

  const expectedA = {
    '203.0.113.9 Safari/537.36': 'cloud-one|0',
    '198.51.100.9 Safari/537.36': '|0',
    '192.0.2.50 Zqalpha/1': '|1',
    '192.0.2.51 Zqbeta/1': '|0',
  };
  const expectedB = {
    '203.0.113.9 Safari/537.36': '|0',
    '198.51.100.9 Safari/537.36': 'cloud-two|0',
    '192.0.2.50 Zqalpha/1': '|0',
    '192.0.2.51 Zqbeta/1': '|1',
  };

  it('a replay of the older window alone uses the older versions, though newer ones are published', async () => {
    await runReplay(deps, { ...all, fromMs: A, toMs: A + HOUR, into: 'old', topics: ['clicks'] });
    expect(await features('old', A)).toEqual(expectedA);
    expect(await features('old', B)).toEqual({});
    const r = await reasons('old', A);
    expect(r['203.0.113.9']).toContain('datacenter_ip');
    expect(r['198.51.100.9']).not.toContain('datacenter_ip');
    expect(r['192.0.2.50']).toContain('bot_ua');
    expect(r['192.0.2.51']).not.toContain('bot_ua');
  }, 120_000);

  it('a replay over both windows applies to each click the versions in force at its time', async () => {
    await runReplay(deps, { ...all, into: 'both', topics: ['clicks'] });
    expect(await features('both', A)).toEqual(expectedA);
    expect(await features('both', B)).toEqual(expectedB);
    const r = await reasons('both', B);
    expect(r['203.0.113.9']).not.toContain('datacenter_ip');
    expect(r['198.51.100.9']).toContain('datacenter_ip');
    expect(r['192.0.2.50']).not.toContain('bot_ua');
    expect(r['192.0.2.51']).toContain('bot_ua');
  }, 120_000);
});
