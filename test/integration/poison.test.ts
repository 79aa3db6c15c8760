import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer, Kafka, Producer } from 'kafkajs';
import {
  createKafka,
  createLogger,
  createPublisher,
  DEAD_LETTER_LIMITS,
  ensureTopics,
  silentLogger,
  StreamConsumer,
  subscribe,
  TransientHandlerError,
  waitFor,
  type Publisher,
  type StreamConsumerOptions,
} from '@streambid/adapters';
import { deadLetterSchema, type DeadLetter, type Spend, type TopicDef } from '@streambid/contracts';
import { brokerFor, testKafka, testTopics, uniq } from '@streambid/testkit/services';
import { makeSpend } from '@streambid/testkit';

/** A dead-letter record as the broker stored it, with its size on the wire. */
interface Stored {
  record: DeadLetter;
  bytes: number;
}

describe('consumers survive poison (real Kafka)', () => {
  let kafka: Kafka;
  let publisher: Publisher;
  let raw: Producer;
  const consumers: StreamConsumer[] = [];
  const readers: Consumer[] = [];
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    kafka = testKafka('eu');
    publisher = await createPublisher(kafka);
    raw = kafka.producer();
    await raw.connect();
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await Promise.all(readers.map((r) => r.disconnect()));
    for (const c of closers) await c();
    await publisher.close();
    await raw.disconnect();
  });

  /** A one-partition stream and the dead-letter topic of a fresh namespace. */
  async function freshTopics(
    dlqConfig: Record<string, string> | null = {},
  ): Promise<{ src: TopicDef; dlq: string }> {
    const { topics } = testTopics();
    const src = { ...topics.spend, partitions: 1 };
    await ensureTopics(kafka, [src]);
    if (dlqConfig) await createTopic(topics.deadLetter.name, dlqConfig);
    return { src, dlq: topics.deadLetter.name };
  }

  async function createTopic(name: string, config: Record<string, string>): Promise<void> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: name,
            numPartitions: 1,
            replicationFactor: 1,
            configEntries: Object.entries(config).map(([k, v]) => ({ name: k, value: v })),
          },
        ],
      });
    } finally {
      await admin.disconnect();
    }
  }

  function consumer(
    src: TopicDef,
    dlq: string,
    handle: (recs: { offset: string; value: Spend | null }[]) => Promise<void> | void,
    over: Partial<StreamConsumerOptions> = {},
  ): StreamConsumer {
    const c = new StreamConsumer({
      kafka,
      groupId: uniq('poison'),
      service: 'poison-test',
      subscriptions: [subscribe({ topic: src, handle: (recs) => handle(recs as never) })],
      deadLetter: publisher,
      deadLetterTopic: dlq,
      logger: process.env['POISON_DEBUG']
        ? createLogger({ service: 'poison', level: 'debug' })
        : silentLogger(),
      minBytes: 1,
      ...over,
    });
    consumers.push(c);
    return c;
  }

  /** Every record of the dead-letter topic, as stored, read by a plain kafkajs consumer. */
  async function readDeadLetters(dlq: string): Promise<Stored[]> {
    const out: Stored[] = [];
    const r = kafka.consumer({ groupId: uniq('dlq-reader'), maxBytesPerPartition: 4 << 20 });
    readers.push(r);
    await r.connect();
    await r.subscribe({ topics: [dlq], fromBeginning: true });
    await r.run({
      eachMessage: ({ message }) => {
        const value = message.value ?? Buffer.alloc(0);
        out.push({
          record: deadLetterSchema.parse(JSON.parse(value.toString('utf8'))),
          bytes: value.length + (message.key?.length ?? 0),
        });
        return Promise.resolve();
      },
    });
    return out;
  }

  /** A consumer of `src` that records the event ids of the valid spends it handles, in order. */
  function recorder(
    src: TopicDef,
    dlq: string,
    over: Partial<StreamConsumerOptions> = {},
  ): { c: StreamConsumer; seen: string[] } {
    const seen: string[] = [];
    const c = consumer(
      src,
      dlq,
      (recs) => {
        for (const r of recs) if (r.value) seen.push(r.value.eventId);
      },
      over,
    );
    return { c, seen };
  }

  /** The dead-letter topic's records once there are `n` of them. */
  async function deadLettersOf(dlq: string, n: number, what: string): Promise<Stored[]> {
    const dead = await readDeadLetters(dlq);
    await waitFor(() => dead.length === n, { timeoutMs: 20_000, what });
    return dead;
  }

  async function committed(group: string, topic: string): Promise<number> {
    const admin = kafka.admin();
    await admin.connect();
    try {
      const [t] = await admin.fetchOffsets({ groupId: group, topics: [topic] });
      return Number(t?.partitions[0]?.offset ?? -1);
    } finally {
      await admin.disconnect();
    }
  }

  const spend = (eventId: string): { key: string; value: string } => ({
    key: eventId,
    value: JSON.stringify(makeSpend({ eventId })),
  });

  it('dead-letters an invalid message with its reason and handles the valid one after it', async () => {
    const { src, dlq } = await freshTopics();
    await raw.send({ topic: src.name, messages: [{ key: 'bad', value: '{nope' }, spend('after')] });
    const { c, seen } = recorder(src, dlq);
    await c.start();
    await waitFor(() => seen.includes('after'), { timeoutMs: 20_000, what: 'the valid message' });
    const dead = await deadLettersOf(dlq, 1, 'the dead letter');
    expect(dead[0]?.record).toMatchObject({ offset: '0', key: 'bad', value: '{nope' });
    expect(dead[0]?.record.reason).toMatch(/malformed JSON/);
    await waitFor(async () => (await committed(c.groupId, src.name)) === 2, {
      timeoutMs: 20_000,
      what: 'offsets committed past both',
    });
  });

  it('cuts oversize dead-letter records to fit the broker, notes the cut and keeps the partition going', async () => {
    const { src, dlq } = await freshTopics();
    // 900 KiB of 3-byte characters; values that JSON-escape to 6 bytes a character; a 600 KiB key.
    const multiByte = '€'.repeat(307_200);
    const escaping = '\u0001'.repeat(300_000);
    const hugeKey = 'ключ'.repeat(76_800);
    const poison = [
      { key: 'big', value: multiByte },
      ...Array.from({ length: 4 }, () => ({ key: 'big', value: escaping })),
      { key: hugeKey, value: '{"not":"a spend"}' },
    ];
    // One message per request: each alone fits the source topic's limit. An explicit partition
    // spares the huge key kafkajs's partitioner hash (quadratic: two minutes for 600 KiB).
    for (const m of poison) await raw.send({ topic: src.name, messages: [{ ...m, partition: 0 }] });
    await raw.send({ topic: src.name, messages: [spend('after-oversize')] });
    const { c, seen } = recorder(src, dlq);
    await c.start();
    await waitFor(() => seen.includes('after-oversize'), {
      timeoutMs: 30_000,
      what: 'the valid message after the oversize ones',
    });
    const dead = await deadLettersOf(dlq, poison.length, 'dead letters');
    const byOffset = new Map(dead.map((d) => [d.record.offset, d]));
    expect(byOffset.get('0')?.record.cut).toEqual({ valueBytes: Buffer.byteLength(multiByte) });
    for (const o of ['1', '2', '3', '4'])
      expect(byOffset.get(o)?.record.cut).toEqual({ valueBytes: escaping.length });
    expect(byOffset.get('5')?.record.cut).toEqual({ keyBytes: Buffer.byteLength(hugeKey) });
    expect(byOffset.get('5')?.record.value).toBe('{"not":"a spend"}');
    expect(multiByte.startsWith(byOffset.get('0')?.record.value ?? 'x')).toBe(true);
    // Each record kept (nearly) its whole value budget: none had to fall back to a minimal form.
    for (const d of dead.filter((x) => x.record.cut?.valueBytes !== undefined))
      expect(Buffer.byteLength(JSON.stringify(d.record.value))).toBeGreaterThan(
        DEAD_LETTER_LIMITS.valueBytes - 8,
      );
    const bound = DEAD_LETTER_LIMITS.valueBytes + 2 * DEAD_LETTER_LIMITS.keyBytes + 4096;
    for (const d of dead) expect(d.bytes).toBeLessThanOrEqual(bound);
    expect(c.deadLettersCut).toBe(poison.length);
    await waitFor(async () => (await committed(c.groupId, src.name)) === poison.length + 1, {
      timeoutMs: 20_000,
      what: 'offsets committed past the oversize messages',
    });
  });

  it('dead-letters a value larger than maxValueBytes unparsed and handles the next one', async () => {
    const { src, dlq } = await freshTopics();
    // Valid JSON and a valid spend, but 4 KiB on the wire.
    const padded = JSON.stringify(makeSpend({ eventId: 'padded' })) + ' '.repeat(4096);
    await raw.send({
      topic: src.name,
      messages: [{ key: 'padded', value: padded }, spend('after-padded')],
    });
    const { c, seen } = recorder(src, dlq, { maxValueBytes: 1024 });
    await c.start();
    await waitFor(() => seen.includes('after-padded'), { timeoutMs: 20_000, what: 'next' });
    expect(seen).not.toContain('padded');
    const dead = await deadLettersOf(dlq, 1, 'the dead letter');
    expect(dead[0]?.record.reason).toBe(
      `oversize: value of ${String(Buffer.byteLength(padded))} bytes, limit 1024`,
    );
  });

  it('cuts a record to a minimal form when the dead-letter topic accepts less than the default', async () => {
    const { src, dlq } = await freshTopics({ 'max.message.bytes': '8192' });
    const big = '€'.repeat(307_200);
    await raw.send({ topic: src.name, messages: [{ key: 'big', value: big }] });
    await raw.send({ topic: src.name, messages: [spend('after-small-dlq')] });
    const { c, seen } = recorder(src, dlq);
    await c.start();
    await waitFor(() => seen.includes('after-small-dlq'), { timeoutMs: 30_000, what: 'next' });
    const dead = await deadLettersOf(dlq, 1, 'the dead letter');
    expect(dead[0]?.record.cut).toEqual({ valueBytes: Buffer.byteLength(big) });
    expect(dead[0]?.bytes).toBeLessThan(8192);
    expect(c.healthy).toBe(true);
  });

  it('dead-letters only the record whose handler throws, handles the others and commits past it', async () => {
    const { src, dlq } = await freshTopics();
    const ids = ['h0', 'h1', 'poison', 'h3', 'h4'];
    await raw.send({ topic: src.name, messages: ids.map(spend) });
    const seen = new Set<string>();
    const c = consumer(src, dlq, (recs) => {
      for (const r of recs) {
        if (r.value?.eventId === 'poison') throw new TypeError('cannot read the poison');
        if (r.value) seen.add(r.value.eventId);
      }
    });
    await c.start();
    await waitFor(() => seen.size === 4, { timeoutMs: 20_000, what: 'the other four' });
    expect([...seen].sort()).toEqual(['h0', 'h1', 'h3', 'h4']);
    const dead = await deadLettersOf(dlq, 1, 'the dead letter');
    expect(dead[0]?.record).toMatchObject({ offset: '2', key: 'poison' });
    expect(dead[0]?.record.reason).toMatch(/handler threw TypeError: cannot read the poison/);
    expect(JSON.parse(dead[0]?.record.value ?? '{}')).toMatchObject({ eventId: 'poison' });
    expect(c.handlerFailures).toBe(1);
    await waitFor(async () => (await committed(c.groupId, src.name)) === ids.length, {
      timeoutMs: 20_000,
      what: 'offsets committed past the poison',
    });
    expect(c.healthy).toBe(true);
  });

  it('retries a batch whose handler fails transiently, without dead-lettering it', async () => {
    const { src, dlq } = await freshTopics();
    await raw.send({ topic: src.name, messages: [spend('t0'), spend('t1')] });
    let failures = 0;
    const seen = new Set<string>();
    const c = consumer(src, dlq, (recs) => {
      if (failures < 2) {
        failures++;
        throw new TransientHandlerError('store down');
      }
      for (const r of recs) if (r.value) seen.add(r.value.eventId);
    });
    await c.start();
    await waitFor(() => seen.size === 2, { timeoutMs: 20_000, what: 'both applied' });
    expect(c.retries).toBe(2);
    expect(c.deadLettered).toBe(0);
    await waitFor(async () => (await committed(c.groupId, src.name)) === 2, {
      timeoutMs: 20_000,
      what: 'commit',
    });
    // Nothing reached the dead-letter topic.
    const admin = kafka.admin();
    await admin.connect();
    const [end] = await admin.fetchTopicOffsets(dlq).finally(() => admin.disconnect());
    expect(end?.high).toBe('0');
  });

  it('holds the partition while the dead-letter topic cannot be written, then dead-letters and goes on', async () => {
    const { src, dlq } = await freshTopics(null);
    // Fail fast on the missing topic instead of kafkajs retrying inside one send.
    const fast = createKafka({
      clientId: uniq('fast'),
      brokers: [brokerFor('eu')],
      logger: silentLogger(),
      extra: { retry: { retries: 0 } },
    });
    const dlqPublisher = await createPublisher(fast, { idempotent: false });
    closers.push(() => dlqPublisher.close());
    await raw.send({ topic: src.name, messages: [{ key: 'bad', value: '{nope' }, spend('held')] });
    const { c, seen } = recorder(src, dlq, { deadLetter: dlqPublisher, maxStallMs: 0 });
    await c.start();
    await waitFor(() => c.retries >= 5, { timeoutMs: 20_000, what: 'dead-letter retries' });
    expect(c.healthy).toBe(false);
    expect(c.unhealthyReason).toMatch(/stalled: dead-letter/);
    expect(seen).toEqual([]);
    expect(await committed(c.groupId, src.name)).toBeLessThan(1);

    await createTopic(dlq, {});
    await waitFor(() => seen.includes('held'), { timeoutMs: 30_000, what: 'the held message' });
    const dead = await deadLettersOf(dlq, 1, 'the dead letter');
    expect(dead[0]?.record.offset).toBe('0');
    expect(c.healthy).toBe(true);
    await waitFor(async () => (await committed(c.groupId, src.name)) === 2, {
      timeoutMs: 20_000,
      what: 'commit',
    });
  });

  it('stops, unhealthy and never ready, when the dead-letter topic refuses even a minimal record', async () => {
    const { src, dlq } = await freshTopics({ 'max.message.bytes': '200' });
    await raw.send({ topic: src.name, messages: [spend('before')] });
    const { c, seen } = recorder(src, dlq);
    await c.start();
    await waitFor(() => c.ready && seen.includes('before'), { timeoutMs: 20_000, what: 'ready' });
    await raw.send({ topic: src.name, messages: [{ key: 'bad', value: '{nope' }, spend('never')] });
    await waitFor(() => c.status().state === 'crashed', { timeoutMs: 20_000, what: 'the crash' });
    expect(c.ready).toBe(false);
    expect(c.healthy).toBe(false);
    expect(c.unhealthyReason).toMatch(/^crashed: .*dead-letter of .* refused/);
    expect(seen).not.toContain('never');
    expect(await committed(c.groupId, src.name)).toBe(1);
  });

  it('is unhealthy and never ready when its group join fails, though its empty topic looks caught up', async () => {
    const { src, dlq } = await freshTopics();
    // Below the broker's group.min.session.timeout.ms (6 s): the join is refused, non-retriably.
    const c = consumer(src, dlq, () => undefined, { sessionTimeoutMs: 1000 });
    await c.start();
    await waitFor(() => !c.healthy, { timeoutMs: 10_000, what: 'unhealthy' });
    expect(c.ready).toBe(false);
    expect(c.unhealthyReason).toMatch(/^crashed: .*session timeout/i);
  });

  it('is unhealthy while kafkajs restarts it after its topic was deleted', async () => {
    const { src, dlq } = await freshTopics();
    const c = consumer(src, dlq, () => undefined);
    await c.start();
    await waitFor(() => c.ready, { timeoutMs: 20_000, what: 'ready' });
    const admin = kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [src.name] }).finally(() => admin.disconnect());
    await waitFor(() => !c.healthy, { timeoutMs: 30_000, what: 'unhealthy' });
    expect(c.ready).toBe(false);
    expect(c.unhealthyReason).toMatch(/^crashed, restarting: /);
  });
});
