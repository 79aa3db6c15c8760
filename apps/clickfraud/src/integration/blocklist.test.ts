import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  chExec,
  rawSql,
  silentLogger,
  sql,
  StreamConsumer,
  subscribe,
  waitFor,
  type ClickHouseClient,
  type ConsumedRecord,
  type Publisher,
} from '@streambid/adapters';
import type { BlocklistEntry } from '@streambid/contracts';
import { testTopics } from '@streambid/testkit/services';
import { migrate } from '../schema/migrations.js';
import { publishBlocklist, publishEntries } from '../scoring/blocklist-job.js';
import { closeServices, openServices, testDatabase } from './helpers.js';

describe('publishing the blocklist when some entities cannot be entries', () => {
  const { topics } = testTopics();
  const db = testDatabase('cfblock');
  let kafka: Kafka;
  let ch: ClickHouseClient;
  let publisher: Publisher;
  const consumers: StreamConsumer[] = [];

  beforeAll(async () => {
    ({ kafka, ch, publisher } = await openServices([topics.fraudBlocklist, topics.deadLetter]));
  });
  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await closeServices({ ch, publisher }, db);
  });

  /** Keys of the blocklist topic as a bidder reads them. */
  async function readBlocklist(): Promise<Map<string, BlocklistEntry>> {
    const got = new Map<string, BlocklistEntry>();
    const c = new StreamConsumer({
      kafka,
      service: 'test',
      subscriptions: [
        subscribe({
          topic: topics.fraudBlocklist,
          handle: (recs: ConsumedRecord<BlocklistEntry>[]) => {
            for (const r of recs) if (r.key !== null && r.value) got.set(r.key, r.value);
          },
        }),
      ],
      deadLetter: publisher,
      deadLetterTopic: topics.deadLetter.name,
      logger: silentLogger(),
    });
    consumers.push(c);
    await c.start();
    return got;
  }

  it('publishes every other entry when one cookie id is longer than an entry allows', async () => {
    const t = await migrate(ch, db, 'v1');
    const now = Date.now();
    const ts = new Date(now - 600_000);
    // 200 characters fits an entry's value (256) but not `<kind>:<value>:<now>` as its id (128).
    const long = `c-${'a'.repeat(198)}`;
    const tooLong = `c-${'b'.repeat(298)}`;
    const cookies = ['cookie-short', long, tooLong];
    for (const userId of cookies)
      for (let i = 0; i < 6; i++)
        await chExec(
          ch,
          sql`INSERT INTO ${rawSql(t.clickScores)}
                (ts, region, event_id, campaign_id, inventory, is_app, publisher, placement, ip,
                 subnet, user_id, score, reasons, invalid)
              VALUES (${ts}, 'eu', ${`${userId.slice(0, 20)}-${String(i)}`}, 'c', '', 0, '', '', '',
                      '', ${userId}, 1, ${['click_spam']}, 1)`,
        );
    const res = await publishBlocklist(
      ch,
      t,
      { fromMs: now - 3_600_000, toMs: now },
      { publisher, topic: topics.fraudBlocklist },
      { now, logger: silentLogger() },
    );
    expect(res.published.map((e) => e.value).sort()).toEqual(['cookie-short', long].sort());
    expect(res.skipped).toBe(1);
    const got = await readBlocklist();
    await waitFor(() => got.has('cookie:cookie-short') && got.has(`cookie:${long}`), {
      timeoutMs: 20_000,
      what: 'both entries on the blocklist topic',
    });
    expect(got.get(`cookie:${long}`)?.eventId.length).toBeLessThanOrEqual(128);
    expect(got.has(`cookie:${tooLong}`)).toBe(false);
  });

  it('leaves out an invalid entry handed to it and publishes the rest of the batch', async () => {
    const now = Date.now();
    const entry = (value: string): BlocklistEntry => ({
      eventId: `ip:${value}:${String(now)}`,
      ts: now,
      kind: 'ip',
      value,
      score: 1,
      reasons: ['ip_burst'],
      expiresAt: now + 60_000,
    });
    const bad = { ...entry('203.0.113.9'), score: Number.NaN };
    const res = await publishEntries(
      [entry('203.0.113.7'), bad, entry('203.0.113.8')],
      { publisher, topic: topics.fraudBlocklist },
      silentLogger(),
    );
    expect(res.skipped).toBe(1);
    expect(res.published.map((e) => e.value)).toEqual(['203.0.113.7', '203.0.113.8']);
    const got = await readBlocklist();
    await waitFor(() => got.has('ip:203.0.113.7') && got.has('ip:203.0.113.8'), {
      timeoutMs: 20_000,
      what: 'the valid entries on the blocklist topic',
    });
  });
});
