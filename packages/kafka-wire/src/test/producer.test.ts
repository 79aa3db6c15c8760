import { describe, expect, it } from 'vitest';
import { Partitioners } from 'kafkajs';
import { pino } from 'pino';
import { waitFor } from '@streambid/adapters';
import { brokerFor, uniq } from '@streambid/testkit/services';
import type { ProducerMessage } from '../clients/batch-sender.js';
import { KafkaProduceError, LeanProducer } from '../clients/producer.js';
import { brokerFixture, readAll } from '../testing/broker.js';

describe('LeanProducer against the real broker', () => {
  const broker = brokerFixture('lean');
  const { topics, producers, topic, connect } = broker;

  /** Records in the topic according to its high watermarks (so duplicates would show). */
  async function stored(t: string): Promise<number> {
    const offsets = await broker.admin.fetchTopicOffsets(t);
    return offsets.reduce((n, o) => n + Number(o.high), 0);
  }

  it('delivers every message once, in the partition kafkajs would choose, with its timestamp', async () => {
    const [a, b] = [await topic(3), await topic(3)];
    const p = await connect();
    const sent = new Map<string, ProducerMessage>();
    const t0 = Date.now();
    for (let batch = 0; batch < 6; batch++) {
      const of = (t: string): ProducerMessage[] =>
        Array.from({ length: 120 }, (_, i) => {
          const id = `${t}/${String(batch)}/${String(i)}`;
          const m: ProducerMessage =
            i % 10 === 0
              ? { key: null, value: `{"id":"${id}"}` }
              : {
                  key: `bid-${String(batch)}-${String(i)}`,
                  value: `{"id":"${id}","pad":"${'x'.repeat(i)}"}`,
                  timestamp: String(1_700_000_000_000 + batch * 1000 + i),
                };
          sent.set(m.value as string, m);
          return m;
        });
      await p.sendBatch([
        { topic: a, messages: of(a) },
        { topic: b, messages: of(b) },
      ]);
    }
    const t1 = Date.now();

    const kafkajsPartition = Partitioners.DefaultPartitioner();
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionId,
      leader: 1,
      partitionErrorCode: 0,
      replicas: [1],
      isr: [1],
    }));
    for (const t of [a, b]) {
      const got = await readAll(t, 3, 720);
      expect(got).toHaveLength(720);
      expect(await stored(t)).toBe(720);
      expect(new Set(got.map((r) => r.value)).size).toBe(720);
      for (const r of got) {
        const m = sent.get(r.value);
        expect(m, r.value).toBeDefined();
        if (m === undefined) continue;
        expect(r.key).toBe(m.key);
        if (m.key === null) {
          expect(r.timestamp).toBeGreaterThanOrEqual(t0);
          expect(r.timestamp).toBeLessThanOrEqual(t1);
        } else {
          expect(r.timestamp).toBe(Number(m.timestamp));
          expect(r.partition).toBe(
            kafkajsPartition({ topic: t, partitionMetadata, message: { key: m.key, value: '' } }),
          );
        }
      }
      // Unkeyed messages are spread round robin over the partitions.
      const unkeyed = got.filter((r) => r.key === null).map((r) => r.partition);
      expect(new Set(unkeyed).size).toBe(3);
    }
  });

  it('rejects a send to a topic that does not exist, as not retriable', async () => {
    const p = await connect();
    const missing = `${uniq('t')}-missing`;
    const err = await p
      .sendBatch([{ topic: missing, messages: [{ key: 'k', value: 'v' }] }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaProduceError);
    expect((err as KafkaProduceError).retriable).toBe(false);
    expect((err as KafkaProduceError).code).toBe('PRODUCE_FAILED');
    expect((err as KafkaProduceError).kafkaCode).toBe(3);
    expect(String(err)).toContain(missing);
  });

  it('refreshes metadata after a produce error and rejects, not retriable, once the topic is gone', async () => {
    const t = await topic(1);
    const p = await connect();
    await p.sendBatch([{ topic: t, messages: [{ key: 'k', value: 'before' }] }]);
    await broker.admin.deleteTopics({ topics: [t] });
    topics.splice(topics.indexOf(t), 1);
    await waitFor(async () => !(await broker.admin.listTopics()).includes(t), {
      timeoutMs: 15_000,
      what: `deletion of ${t}`,
    });
    const err = await p
      .sendBatch([{ topic: t, messages: [{ key: 'k', value: 'after' }] }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaProduceError);
    expect((err as KafkaProduceError).retriable).toBe(false);
    expect(String(err)).toMatch(/does not exist/);
  });

  it('sends again on a new connection when its connection drops with a request in flight', async () => {
    const t = await topic(3);
    const warnings: string[] = [];
    const p = await LeanProducer.connect({
      brokers: [brokerFor('eu')],
      clientId: uniq('lean-test'),
      logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
    });
    producers.push(p);
    await p.sendBatch([{ topic: t, messages: [{ key: 'warm', value: 'up' }] }]);
    const messages = Array.from({ length: 200 }, (_, i) => ({
      key: `k${String(i)}`,
      value: `v${String(i)}`,
    }));
    const sending = p.sendBatch([{ topic: t, messages }]);
    // Once the request is written (its microtasks ran), fail every open connection at once, as a
    // broker restart would.
    await new Promise(setImmediate);
    for (const c of (p as unknown as { conns: Map<string, { close(): void }> }).conns.values())
      c.close();
    await expect(sending).resolves.toBeUndefined();
    expect(warnings.join('')).toContain('"msg":"produce retry"');
    const got = await readAll(t, 3, 201);
    for (const m of messages) expect(got.some((r) => r.value === m.value)).toBe(true);
  });

  it('finishes a send in flight on close(), then refuses sends; closing twice is harmless', async () => {
    const t = await topic(2);
    const p = await connect();
    const inFlight = p.sendBatch([
      {
        topic: t,
        messages: Array.from({ length: 50 }, (_, i) => ({ key: String(i), value: 'v' })),
      },
    ]);
    const closed = p.close();
    await expect(inFlight).resolves.toBeUndefined();
    await closed;
    expect(await stored(t)).toBe(50);
    const err = await p
      .sendBatch([{ topic: t, messages: [{ key: 'k', value: 'late' }] }])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KafkaProduceError);
    expect((err as KafkaProduceError).retriable).toBe(false);
    await expect(p.close()).resolves.toBeUndefined();
  });
});
