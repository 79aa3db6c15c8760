import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  createPublisher,
  createRedis,
  ensureTopics,
  Registry,
  silentLogger,
  waitFor,
  type ConsumedRecord,
  type Publisher,
  type Redis,
} from '@streambid/adapters';
import type { Catalogue, DeadLetter } from '@streambid/contracts';
import { ProfileReader, profileKey, type ProfileLookup } from '@streambid/profiles';
import { collector, testKafka, testRedis, testTopics, uniq } from '@streambid/testkit/services';
import { ProfileBuilder } from '../builder.js';
import { syntheticEvents, type SyntheticEvents } from '../testing/events.js';
import { PrivateRedis } from '../testing/redis-server.js';

const NOW = Date.now();

describe('profile builder against real Kafka and Redis', () => {
  let kafka: Kafka;
  let publisher: Publisher;
  const redis = testRedis('eu');
  const prefixes: string[] = [];
  const running: ProfileBuilder[] = [];

  beforeAll(async () => {
    kafka = testKafka('eu');
    publisher = await createPublisher(kafka);
  });

  afterAll(async () => {
    await Promise.all(running.map((b) => b.stop()));
    await publisher.close();
    for (const p of prefixes) {
      const keys = await redis.keys(`${p}*`);
      if (keys.length > 0) await redis.del(...keys);
    }
    redis.disconnect();
  });

  async function freshTopics(): Promise<Catalogue> {
    const { topics } = testTopics();
    await ensureTopics(kafka, [
      topics.userEvents,
      topics.impressions,
      topics.clicks,
      topics.deadLetter,
    ]);
    return topics;
  }

  function prefix(): string {
    const p = `${uniq('pb')}:`;
    prefixes.push(p);
    return p;
  }

  async function publishAll(topics: Catalogue, ev: SyntheticEvents): Promise<void> {
    await publisher.publish(topics.userEvents, ev.userEvents);
    await publisher.publish(topics.impressions, ev.impressions);
    await publisher.publish(topics.clicks, ev.clicks);
  }

  function builder(
    topics: Catalogue,
    keyPrefix: string,
    opts: { redis?: Redis; ttlSeconds?: number; groupId?: string } = {},
  ): ProfileBuilder {
    const b = new ProfileBuilder({
      kafka,
      redis: opts.redis ?? redis,
      topics,
      groupId: opts.groupId ?? uniq('pb-group'),
      deadLetter: publisher,
      registry: new Registry(),
      logger: silentLogger(),
      store: {
        keyPrefix,
        maxOpsPerCall: 16,
        ...(opts.ttlSeconds ? { ttlSeconds: opts.ttlSeconds } : {}),
      },
    });
    running.push(b);
    return b;
  }

  async function snapshot(
    reader: ProfileReader,
    ev: SyntheticEvents,
  ): Promise<Map<string, ProfileLookup>> {
    const out = new Map<string, ProfileLookup>();
    for (const userId of ev.expectedFreq.keys()) out.set(userId, await reader.get(userId, NOW));
    return out;
  }

  function expectExactCounts(snap: Map<string, ProfileLookup>, ev: SyntheticEvents): void {
    for (const [userId, freq] of ev.expectedFreq) {
      const res = snap.get(userId);
      if (res?.kind !== 'found')
        throw new Error(`${userId}: expected a profile, got ${String(res?.kind)}`);
      const lifetime = Object.fromEntries(
        Object.entries(res.profile.freq).map(([c, f]) => [c, f.lifetime]),
      );
      expect(lifetime).toEqual(Object.fromEntries(freq));
      expect(res.profile.clicks).toBe(ev.expectedClicks.get(userId) ?? 0);
    }
  }

  const total = (ev: SyntheticEvents) =>
    ev.userEvents.length + ev.impressions.length + ev.clicks.length;

  it('replaying the same topic range twice leaves every profile deep-equal and counts exact', async () => {
    const topics = await freshTopics();
    const keyPrefix = prefix();
    const ev = syntheticEvents({ users: 40, rounds: 12, ts0: NOW - 3_600_000 });
    await publishAll(topics, ev);
    const reader = new ProfileReader(redis, { keyPrefix });

    const first = builder(topics, keyPrefix);
    await first.start();
    await first.consumer.caughtUp;
    const before = await snapshot(reader, ev);
    expectExactCounts(before, ev);
    expect((await first.metrics.applied.get()).values.reduce((s, v) => s + v.value, 0)).toBe(
      total(ev),
    );
    await first.stop();

    // A new consumer group reads the whole range again into the same Redis.
    const replay = builder(topics, keyPrefix);
    await replay.start();
    await replay.consumer.caughtUp;
    expect(await snapshot(reader, ev)).toEqual(before);
    expect((await replay.metrics.skipped.get()).values.reduce((s, v) => s + v.value, 0)).toBe(
      total(ev),
    );
    expect((await replay.metrics.applied.get()).values.reduce((s, v) => s + v.value, 0)).toBe(0);
  });

  it('opt-out removes the profile, the read API reports the tombstone, and TTLs are set', async () => {
    const topics = await freshTopics();
    const keyPrefix = prefix();
    const base = { region: 'eu' as const, ts: NOW - 10_000 };
    await publisher.publish(topics.userEvents, [
      {
        ...base,
        eventId: 'a1',
        userId: 'quitter',
        type: 'pageview',
        categories: ['IAB1'],
        keywords: [],
      },
      {
        ...base,
        eventId: 'a2',
        userId: 'stayer',
        type: 'pageview',
        categories: ['IAB2'],
        keywords: [],
      },
      { ...base, eventId: 'a3', userId: 'quitter', type: 'optout', ts: NOW - 5000 },
      {
        ...base,
        eventId: 'a4',
        userId: 'quitter',
        type: 'pageview',
        categories: ['IAB3'],
        keywords: [],
        ts: NOW - 1000,
      },
    ]);
    await publisher.publish(topics.impressions, [
      {
        ...base,
        eventId: 'i1',
        bidId: 'b',
        requestId: 'r',
        campaignId: 'c',
        creativeId: 'cr',
        userId: 'quitter',
      },
    ]);
    const b = builder(topics, keyPrefix, { ttlSeconds: 3600 });
    await b.start();
    await b.consumer.caughtUp;
    const reader = new ProfileReader(redis, { keyPrefix });
    expect(await reader.get('quitter', NOW)).toEqual({ kind: 'optedOut' });
    const stayer = await reader.get('stayer', NOW);
    expect(stayer.kind === 'found' && Object.keys(stayer.profile.segments)).toEqual(['cat:IAB2']);
    const profileTtl = await redis.ttl(profileKey(keyPrefix, 'stayer'));
    expect(profileTtl).toBeGreaterThan(3500);
    expect(profileTtl).toBeLessThanOrEqual(3600);
    expect(await redis.ttl(profileKey(keyPrefix, 'quitter'))).toBeGreaterThan(3600);
  });

  it('sends a bad message to the dead-letter topic with its reason and applies the rest', async () => {
    const topics = await freshTopics();
    const keyPrefix = prefix();
    const raw = kafka.producer();
    await raw.connect();
    try {
      await raw.send({
        topic: topics.userEvents.name,
        messages: [
          { key: 'u-bad', value: JSON.stringify({ type: 'pageview', userId: 'u-bad' }) },
          { key: 'u-bad', value: '{nope' },
        ],
      });
    } finally {
      await raw.disconnect();
    }
    await publisher.publish(topics.userEvents, [
      {
        eventId: 'ok',
        ts: NOW,
        region: 'eu',
        userId: 'u-good',
        type: 'pageview',
        categories: ['IAB1'],
        keywords: [],
      },
    ]);
    const b = builder(topics, keyPrefix);
    await b.start();
    await b.consumer.caughtUp;
    expect((await new ProfileReader(redis, { keyPrefix }).get('u-good', NOW)).kind).toBe('found');
    expect((await b.metrics.applied.get()).values.reduce((s, v) => s + v.value, 0)).toBe(1);

    const dead: ConsumedRecord<DeadLetter>[] = [];
    const dlq = collector<DeadLetter>({
      kafka,
      topic: topics.deadLetter,
      sink: dead,
      deadLetter: publisher,
      deadLetterTopic: topics.deadLetter.name,
    });
    try {
      await dlq.start();
      await waitFor(() => dead.length >= 2, { timeoutMs: 20_000, what: 'dead letters' });
    } finally {
      await dlq.stop();
    }
    const reasons = dead.map((d) => d.value?.reason ?? '');
    expect(reasons.some((r) => /malformed JSON/.test(r))).toBe(true);
    expect(reasons.some((r) => /eventId|ts|region/.test(r))).toBe(true);
    expect(dead.every((d) => d.value?.service === 'profile-builder')).toBe(true);
    expect(dead.every((d) => d.value?.sourceTopic === topics.userEvents.name)).toBe(true);
  });

  it('pauses while Redis is down and resumes without losing or double-counting events', async () => {
    const topics = await freshTopics();
    const keyPrefix = prefix();
    const priv = await PrivateRedis.start();
    const client = createRedis(priv.url, silentLogger(), { lazyConnect: false });
    const readerClient = createRedis(priv.url, silentLogger(), { lazyConnect: false });
    try {
      const before = syntheticEvents({ users: 15, rounds: 3, ts0: NOW - 600_000, tag: 'before' });
      await publishAll(topics, before);
      const b = builder(topics, keyPrefix, { redis: client });
      await b.start();
      await b.consumer.caughtUp;

      await priv.kill();
      const during = syntheticEvents({ users: 15, rounds: 3, ts0: NOW - 300_000, tag: 'during' });
      await publishAll(topics, during);
      await waitFor(() => b.redisPaused, { timeoutMs: 30_000, what: 'redis-paused' });
      expect((await b.metrics.redisPaused.get()).values[0]?.value).toBe(1);
      await priv.restart();

      // Both rounds of events together: every count must come out exact.
      const all = syntheticEvents({ users: 15, rounds: 6, ts0: NOW - 600_000 });
      const reader = new ProfileReader(readerClient, { keyPrefix });
      await waitFor(
        async () => {
          const res = await reader.get('user-0', NOW).catch(() => null);
          const imp =
            res?.kind === 'found'
              ? Object.values(res.profile.freq).reduce((s, f) => s + f.lifetime, 0)
              : 0;
          return imp === 6;
        },
        { timeoutMs: 60_000, intervalMs: 200, what: 'events applied after Redis came back' },
      );
      await waitFor(() => !b.redisPaused, { timeoutMs: 30_000, what: 'resume' });
      const applied = (await b.metrics.applied.get()).values.reduce((s, v) => s + v.value, 0);
      await waitFor(
        async () =>
          (await b.metrics.applied.get()).values.reduce((s, v) => s + v.value, 0) >=
          total(before) + total(during),
        { timeoutMs: 60_000, intervalMs: 200, what: `all events applied (at ${String(applied)})` },
      );
      const expected: SyntheticEvents = { ...all };
      expectExactCounts(await snapshot(reader, expected), expected);
    } finally {
      client.disconnect();
      readerClient.disconnect();
      await priv.stop();
    }
  });
});
