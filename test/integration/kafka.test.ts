import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka, Producer } from 'kafkajs';
import {
  BufferedPublisher,
  createPublisher,
  GroupCommitPublisher,
  ensureTopics,
  SchemaValidationError,
  silentLogger,
  waitFor,
  type ConsumedRecord,
  type Publisher,
  type StreamConsumer,
} from '@streambid/adapters';
import { TOPIC_LIST, type Campaign, type DeadLetter, type Spend } from '@streambid/contracts';
import { collector, testKafka, testTopics } from '@streambid/testkit/services';
import { makeCampaign, makeSpend } from '@streambid/testkit';

describe('Kafka adapters against the real broker', () => {
  const { ns, topics } = testTopics();
  let kafka: Kafka;
  let publisher: Publisher;
  let raw: Producer;
  const consumers: StreamConsumer[] = [];

  beforeAll(async () => {
    kafka = testKafka('eu');
    await ensureTopics(kafka, Object.values(topics));
    publisher = await createPublisher(kafka);
    raw = kafka.producer();
    await raw.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await publisher.close();
    await raw.disconnect();
  });

  function consume<T>(
    topic: (typeof topics)[keyof typeof topics],
    sink: ConsumedRecord<T>[],
  ): StreamConsumer {
    const c = collector<T>({
      kafka,
      topic,
      sink,
      deadLetter: publisher,
      deadLetterTopic: topics.deadLetter.name,
    });
    consumers.push(c);
    return c;
  }

  it('round-trips a validated campaign through the broker with its key and event time', async () => {
    const campaign = makeCampaign();
    await publisher.publish(topics.campaigns, [campaign]);
    const got: ConsumedRecord<Campaign>[] = [];
    await consume(topics.campaigns, got).start();
    const rec = await waitFor(() => got.find((r) => r.key === campaign.id), { timeoutMs: 15_000 });
    expect(rec.value).toEqual(campaign);
    expect(rec.timestamp).toBe(campaign.ts);
    expect(rec.sourceRegion).toBeNull();
  });

  it('refuses to produce a value that breaks the topic schema', async () => {
    const bad = { ...makeCampaign(), bidCpmMicros: -5 };
    await expect(publisher.publish(topics.campaigns, [bad])).rejects.toBeInstanceOf(
      SchemaValidationError,
    );
  });

  it('sends invalid messages to the dead-letter topic with the reason and keeps consuming', async () => {
    const good = makeCampaign();
    await raw.send({
      topic: topics.campaigns.name,
      messages: [
        { key: 'broken-json', value: '{not json' },
        { key: 'wrong-shape', value: JSON.stringify({ id: 'x', status: 'flying' }) },
        { key: good.id, value: JSON.stringify(good) },
      ],
    });
    const got: ConsumedRecord<Campaign>[] = [];
    const dead: ConsumedRecord<DeadLetter>[] = [];
    await consume(topics.campaigns, got).start();
    await waitFor(() => got.some((r) => r.key === good.id), { timeoutMs: 15_000 });
    await consume(topics.deadLetter, dead).start();
    // Every consumer group reading the topic dead-letters the bad messages it meets, so count distinct keys.
    const badKeys = () =>
      new Set(
        dead.map((d) => d.value?.key).filter((k) => k === 'wrong-shape' || k === 'broken-json'),
      );
    await waitFor(() => badKeys().size === 2, { timeoutMs: 15_000 });
    const byKey = new Map(dead.map((d) => [d.value?.key, d.value]));
    expect(byKey.get('broken-json')?.reason).toMatch(/malformed JSON/);
    expect(byKey.get('wrong-shape')?.reason).toMatch(/eventId|status/);
    expect(byKey.get('wrong-shape')?.sourceTopic).toBe(topics.campaigns.name);
    expect(got.some((r) => r.key === 'wrong-shape')).toBe(false);
  });

  it('reports caught up once it has read every message that existed at start', async () => {
    const values = Array.from({ length: 50 }, () => makeCampaign());
    await publisher.publish(topics.campaigns, values);
    const got: ConsumedRecord<Campaign>[] = [];
    const c = consume(topics.campaigns, got);
    expect(c.ready).toBe(false);
    await c.start();
    await c.caughtUp;
    const ids = new Set(got.map((r) => r.key));
    for (const v of values) expect(ids.has(v.id)).toBe(true);
  });

  it('creating the catalogue twice changes nothing and compacted topics are compacted', async () => {
    const again = await ensureTopics(kafka, Object.values(topics));
    expect(again).toEqual([]);
    const admin = kafka.admin();
    await admin.connect();
    try {
      const names = TOPIC_LIST.map((t) => `${ns}${t.name}`);
      const listed = new Set(await admin.listTopics());
      for (const n of names) expect(listed.has(n)).toBe(true);
      const res = await admin.describeConfigs({
        includeSynonyms: false,
        resources: Object.values(topics).map((t) => ({
          type: 2,
          name: t.name,
          configNames: ['cleanup.policy'],
        })),
      });
      const policy = new Map(
        res.resources.map((r) => [r.resourceName, r.configEntries[0]?.configValue]),
      );
      for (const t of Object.values(topics)) expect(policy.get(t.name)).toBe(t.cleanup);
      expect(policy.get(topics.campaigns.name)).toBe('compact');
      const meta = await admin.fetchTopicMetadata({ topics: [topics.spend.name] });
      expect(meta.topics[0]?.partitions.length).toBe(topics.spend.partitions);
    } finally {
      await admin.disconnect();
    }
  });

  it('buffers fire-and-forget events, delivers them in batches and counts drops when full', async () => {
    const buf = new BufferedPublisher(publisher, silentLogger(), { maxBuffered: 10, lingerMs: 5 });
    const values = Array.from({ length: 15 }, () => makeCampaign());
    const accepted = values.map((v) => buf.offer(topics.campaigns, v));
    expect(accepted.filter(Boolean).length).toBe(10);
    expect(buf.stats.dropped).toBe(5);
    await buf.close();
    expect(buf.stats.sent).toBe(10);
    const got: ConsumedRecord<Campaign>[] = [];
    await consume(topics.campaigns, got).start();
    await waitFor(() => values.slice(0, 10).every((v) => got.some((r) => r.key === v.id)), {
      timeoutMs: 15_000,
    });
    expect(got.some((r) => r.key === values[12]?.id)).toBe(false);
  });

  it('group-commits concurrent acknowledged sends: every value once, in fewer produce requests', async () => {
    let produceRequests = 0;
    publisher.producer.on(publisher.producer.events.REQUEST, (e) => {
      if (e.payload.apiName === 'Produce') produceRequests++;
    });
    const gc = new GroupCommitPublisher(publisher, topics.spend);
    const spends: Spend[] = Array.from({ length: 200 }, (_, i) =>
      makeSpend({ eventId: `gc-${String(i)}`, campaignId: 'c-gc' }),
    );
    await Promise.all(spends.map((v) => gc.publish(v)));
    expect(produceRequests).toBeGreaterThan(0);
    expect(produceRequests).toBeLessThan(spends.length / 4);
    const got: ConsumedRecord<Spend>[] = [];
    await consume(topics.spend, got).start();
    await waitFor(() => got.length >= spends.length, { timeoutMs: 15_000 });
    const ids = got.map((r) => r.value?.eventId);
    expect(new Set(ids).size).toBe(spends.length);
    expect(ids.length).toBe(spends.length);
  });

  it('refuses an invalid value alone and still sends the valid ones queued with it', async () => {
    const gc = new GroupCommitPublisher(publisher, topics.spend);
    const ok = (i: number): Spend =>
      makeSpend({ eventId: `gcv-${String(i)}`, campaignId: 'c-gcv' });
    const bad = { ...ok(99), currency: 'DOLLARS' };
    const results = await Promise.allSettled([
      gc.publish(ok(1)),
      gc.publish(bad),
      gc.publish(ok(2)),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
  });
});
