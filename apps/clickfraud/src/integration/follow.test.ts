import { describe, expect, it } from 'vitest';
import { PartitionFetcher, RecordCursor, silentLogger, waitFor } from '@streambid/adapters';
import type { ClickEvent } from '@streambid/contracts';
import { brokerFor, testTopics, uniq } from '@streambid/testkit/services';
import { produceAll } from '../eval/run.js';
import { replay, type ReplayProgress } from '../replay/replayer.js';
import { migrate } from '../schema/migrations.js';
import { count, testDatabase, useServices, yesterdayAtUtc } from './helpers.js';

const T0 = yesterdayAtUtc(12);

function click(i: number, tag: string): ClickEvent {
  return {
    eventId: `${tag}-${String(i)}`,
    ts: T0 + i * 1000,
    region: 'eu',
    bidId: `b-${tag}-${String(i)}`,
    campaignId: 'camp-1',
    creativeId: 'cr-1',
    impressionTs: T0 + i * 1000 - 5000,
    userId: `u-${String(i % 7)}`,
    ip: `10.1.${String(i % 5)}.${String(i % 200)}`,
    ua: 'Mozilla/5.0 (X11; Linux x86_64)',
    siteDomain: 'news.example.com',
    publisherId: 'pub-1',
    placement: 'top',
    country: 'DEU',
    deviceType: 2,
  };
}

describe('following live clicks', () => {
  const { topics } = testTopics();
  const db = testDatabase();
  const services = useServices([topics.clicks, topics.impressions, topics.deadLetter], db);

  it('stores clicks produced after it started, dead-letters invalid ones, and stops cleanly', async () => {
    const { kafka, ch, publisher } = services;
    // Already in the log when the follow starts: a follow without --from begins at the live end.
    await produceAll(
      publisher,
      topics.clicks,
      [0, 1, 2].map((i) => click(i, 'old')),
    );
    const t = await migrate(ch, db, 'v1');
    const stop = new AbortController();
    let ticks = 0;
    const following: Promise<ReplayProgress> = replay({
      kafka,
      ch,
      tables: t,
      topics: { clicks: [topics.clicks.name], impressions: [topics.impressions.name] },
      fromMs: null,
      toMs: null,
      follow: true,
      lingerMs: 50,
      deadLetter: { publisher, topic: topics.deadLetter },
      signal: stop.signal,
      onProgress: () => ticks++,
      logger: silentLogger(),
    });
    await waitFor(() => ticks > 0, { timeoutMs: 30_000, what: 'follow running' });
    const fresh = Array.from({ length: 500 }, (_, i) => click(i, 'new'));
    await produceAll(publisher, topics.clicks, fresh);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic: topics.clicks.name, messages: [{ value: '{"eventId":' }] });
    await producer.disconnect();
    await waitFor(async () => (await count(ch, t.clicks)) === fresh.length, {
      timeoutMs: 30_000,
      what: 'live clicks stored',
    });
    stop.abort();
    const progress = await following;
    expect(progress.invalid).toBe(1);
    expect(await count(ch, t.clicks, `event_id LIKE 'old-%'`)).toBe(0);
    expect(await count(ch, `(SELECT DISTINCT event_id FROM ${t.clicks})`)).toBe(fresh.length);

    const dl = await PartitionFetcher.open({
      brokers: [brokerFor('eu')],
      clientId: uniq('dl'),
      partitions: Array.from({ length: topics.deadLetter.partitions }, (_, p) => ({
        topic: topics.deadLetter.name,
        partition: p,
        offset: 0,
      })),
      maxWaitMs: 100,
    });
    try {
      const parts = await dl.next();
      const c = new RecordCursor();
      const letters: { value?: string; reason?: string }[] = [];
      for (const p of parts ?? []) {
        c.reset(p.topic, p.partition, p.records, p.abortedTransactions, p.fetchOffset);
        while (c.next())
          letters.push(JSON.parse(String(c.value)) as { value?: string; reason?: string });
      }
      expect(letters).toHaveLength(1);
      expect(letters[0]?.value).toBe('{"eventId":');
      expect(letters[0]?.reason).toBeTruthy();
    } finally {
      dl.close();
    }
  }, 120_000);
});
