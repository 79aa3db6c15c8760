import { afterAll, beforeAll } from 'vitest';
import type { Admin, Kafka } from 'kafkajs';
import { brokerFor, testKafka, uniq } from '@streambid/testkit/services';
import { PartitionFetcher } from '../clients/fetcher.js';
import { LeanProducer } from '../clients/producer.js';
import { RecordCursor } from '../protocol/records.js';

/** One record as read back from the broker. */
export interface StoredRecord {
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  value: string;
}

/** Every record of the topic's partitions from offset 0, read until `want` arrived. */
export async function readAll(
  t: string,
  partitions: number,
  want: number,
): Promise<StoredRecord[]> {
  const f = await PartitionFetcher.open({
    brokers: [brokerFor('eu')],
    clientId: uniq('lean-read'),
    partitions: Array.from({ length: partitions }, (_, partition) => ({
      topic: t,
      partition,
      offset: 0,
    })),
    maxWaitMs: 100,
  });
  const c = new RecordCursor();
  const out: StoredRecord[] = [];
  try {
    while (out.length < want) {
      const parts = await f.next();
      if (parts === null) break;
      for (const p of parts) {
        c.reset(p.topic, p.partition, p.records, p.abortedTransactions, p.fetchOffset);
        while (c.next())
          out.push({
            partition: p.partition,
            offset: c.offset,
            timestamp: c.timestamp,
            key: c.key?.toString() ?? null,
            value: c.value?.toString() ?? '',
          });
      }
    }
  } finally {
    f.close();
  }
  return out;
}

/** The real broker of a `describe` block, with what its tests create. */
export interface BrokerFixture {
  /** The kafkajs client, set in `beforeAll`. */
  readonly kafka: Kafka;
  /** A connected kafkajs admin, set in `beforeAll`. */
  readonly admin: Admin;
  /** Topics deleted in `afterAll`. */
  readonly topics: string[];
  /** Producers closed in `afterAll`. */
  readonly producers: LeanProducer[];
  /** Creates a uniquely named topic (`<uniq>-<suffix>`), deleted after the block. */
  topic(partitions: number): Promise<string>;
  /** Connects a `LeanProducer` (3 retries) to the EU broker, closed after the block. */
  connect(): Promise<LeanProducer>;
}

/**
 * Registers `beforeAll`/`afterAll` hooks in the calling `describe` block: a kafkajs admin on the
 * EU broker, and the clean-up of the topics and producers the tests made.
 */
export function brokerFixture(topicSuffix: string): BrokerFixture {
  let kafka: Kafka | undefined;
  let admin: Admin | undefined;
  const topics: string[] = [];
  const producers: LeanProducer[] = [];
  const ready = <T>(v: T | undefined): T => {
    if (v === undefined) throw new Error('brokerFixture: used before its beforeAll ran');
    return v;
  };

  beforeAll(async () => {
    kafka = testKafka('eu');
    admin = kafka.admin();
    await admin.connect();
  });

  afterAll(async () => {
    await Promise.all(producers.map((p) => p.close()));
    await admin?.deleteTopics({ topics }).catch(() => undefined);
    await admin?.disconnect();
  });

  return {
    get kafka() {
      return ready(kafka);
    },
    get admin() {
      return ready(admin);
    },
    topics,
    producers,
    async topic(partitions) {
      const name = `${uniq('t')}-${topicSuffix}`;
      topics.push(name);
      await ready(admin).createTopics({
        waitForLeaders: true,
        topics: [{ topic: name, numPartitions: partitions, replicationFactor: 1 }],
      });
      return name;
    },
    async connect() {
      const p = await LeanProducer.connect({
        brokers: [brokerFor('eu')],
        clientId: uniq('lean-test'),
        retries: 3,
      });
      producers.push(p);
      return p;
    },
  };
}
