import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createPublisher,
  createRedis,
  ensureTopics,
  Registry,
  silentLogger,
  waitFor,
  type Publisher,
  type Redis,
} from '@streambid/adapters';
import type { Catalogue } from '@streambid/contracts';
import {
  createDeadLetterTopic,
  sendRaw,
  testKafka,
  testRedis,
  testTopics,
  uniq,
} from '@streambid/testkit/services';
import { ProfileBuilder } from '../builder.js';
import { syntheticEvents } from '../testing/events.js';
import { PrivateRedis } from '../testing/redis-server.js';

describe('profile builder health and poison', () => {
  const kafka = testKafka('eu');
  const redis = testRedis('eu');
  const keyPrefix = `${uniq('pbh')}:`;
  let publisher: Publisher;
  const builders: ProfileBuilder[] = [];

  beforeAll(async () => {
    publisher = await createPublisher(kafka);
  });
  afterAll(async () => {
    await Promise.all(builders.map((b) => b.stop()));
    await publisher.close();
    const keys = await redis.keys(`${keyPrefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    redis.disconnect();
  });

  async function freshTopics(dlqMaxBytes?: number): Promise<Catalogue> {
    const { topics } = testTopics();
    await ensureTopics(kafka, [topics.userEvents, topics.impressions, topics.clicks]);
    await createDeadLetterTopic(kafka, topics.deadLetter.name, dlqMaxBytes);
    return topics;
  }

  function builder(topics: Catalogue, client: Redis): ProfileBuilder {
    const b = new ProfileBuilder({
      kafka,
      redis: client,
      topics,
      groupId: uniq('pbh-group'),
      deadLetter: publisher,
      registry: new Registry(),
      logger: silentLogger(),
      store: { keyPrefix },
    });
    builders.push(b);
    return b;
  }

  it('turns unhealthy, never caught up, once its consumer has crashed', async () => {
    // A dead-letter topic that refuses every record: the first poison stops the consumer for good.
    const topics = await freshTopics(200);
    const b = builder(topics, redis);
    await b.start();
    await b.consumer.caughtUp;
    expect(b.health()).toMatchObject({ ok: true, caughtUp: true, reason: null });

    await sendRaw(kafka, topics.userEvents.name, 'u', '{nope');
    await waitFor(() => !b.health().ok, { timeoutMs: 20_000, what: 'unhealthy' });
    expect(b.health()).toMatchObject({ ok: false, caughtUp: false });
    expect(b.health().reason).toMatch(/^crashed: /);
  });

  it('retries events while Redis is down instead of dead-lettering them', async () => {
    const topics = await freshTopics();
    const priv = await PrivateRedis.start();
    const client = createRedis(priv.url, silentLogger(), { lazyConnect: false });
    try {
      const b = builder(topics, client);
      await b.start();
      await b.consumer.caughtUp;
      await priv.kill();
      const ev = syntheticEvents({ users: 5, rounds: 2, ts0: Date.now() - 60_000, tag: 'down' });
      await publisher.publish(topics.userEvents, ev.userEvents);
      // Several failed attempts on the same records while Redis stays down.
      await waitFor(() => b.consumer.retries >= 3, { timeoutMs: 30_000, what: 'retries' });
      expect(b.redisPaused).toBe(true);
      expect(b.consumer.deadLettered).toBe(0);
      await priv.restart();
      await waitFor(() => !b.redisPaused, { timeoutMs: 30_000, what: 'resumed' });
      expect(b.consumer.deadLettered).toBe(0);
    } finally {
      client.disconnect();
      await priv.stop();
    }
  });
});
