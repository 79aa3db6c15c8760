/**
 * Clients of the real Kafka, Redis and ClickHouse that the integration lane's global setup
 * (`test/global-setup.ts`) brought up, and names unique to one test. Integration tests only: a
 * unit test that imports this needs services.
 */
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { RUN_ENV } from './run.js';
import {
  createClickHouse,
  createKafka,
  createPublisher,
  createRedis,
  ensureTopics,
  silentLogger,
  StreamConsumer,
  subscribe,
  type ClickHouseClient,
  type ConsumedRecord,
  type Publisher,
  type Redis,
} from '@streambid/adapters';
import { catalogue, type Catalogue, type Region, type TopicDef } from '@streambid/contracts';
import type { Kafka } from 'kafkajs';

/** Endpoints of the real services the global setup brought up. */
export interface TestEndpoints {
  kafka: Partial<Record<Region, string>>;
  redis: Partial<Record<Region, string>>;
  clickhouse: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    endpoints: TestEndpoints;
  }
}

export function endpoints(): TestEndpoints {
  return inject('endpoints');
}

/**
 * A short random suffix for topic, key-prefix and database names unique to one test. It starts
 * with the run's id, so the run's cleanup deletes its own topics and no one else's.
 */
export function uniq(prefix = 't'): string {
  const run = process.env[RUN_ENV] ?? '';
  return `${prefix}-${run}${randomBytes(run === '' ? 5 : 3).toString('hex')}`;
}

/** A fresh topic namespace and the catalogue under it. */
export function testTopics(ns = `${uniq('t')}-`): { ns: string; topics: Catalogue } {
  return { ns, topics: catalogue(ns) };
}

export function brokerFor(region: Region = 'eu'): string {
  const b = endpoints().kafka[region];
  if (!b) throw new Error(`no Kafka for region ${region} in this test run`);
  return b;
}

export function testKafka(region: Region = 'eu'): Kafka {
  return createKafka({
    clientId: uniq('test'),
    brokers: [brokerFor(region)],
    logger: silentLogger(),
  });
}

export function testRedis(region: Region = 'eu'): Redis {
  const url = endpoints().redis[region];
  if (!url) throw new Error(`no Redis for region ${region} in this test run`);
  return createRedis(url, silentLogger(), { lazyConnect: false });
}

export function testClickHouse(database?: string): ClickHouseClient {
  return createClickHouse({
    url: endpoints().clickhouse,
    ...(database === undefined ? {} : { database }),
  });
}

/** What {@link collector} reads and where it puts the records. */
export interface CollectorOptions<T> {
  kafka: Kafka;
  topic: TopicDef;
  /** Receives every valid record, in order per partition. */
  sink: ConsumedRecord<T>[];
  /** Where invalid records go. */
  deadLetter: Publisher;
  /** The dead-letter topic's name (namespaced). @default the catalogue's unprefixed name */
  deadLetterTopic?: string;
  /** @default 'test' */
  service?: string;
  /** Also read the topic's replicas from other regions. @default false */
  includeRemotes?: boolean;
}

/** A private-view consumer (not started) that appends the records of one topic to `sink`. */
export function collector<T>(o: CollectorOptions<T>): StreamConsumer {
  const sink = o.sink;
  return consumerOf<T>(o, (recs) => void sink.push(...recs));
}

/** Like {@link collector}, but `sink` receives only the values of the records. */
export function valueCollector<T>(
  o: Omit<CollectorOptions<T>, 'sink'> & { sink: T[] },
): StreamConsumer {
  const sink = o.sink;
  return consumerOf<T>(
    o,
    (recs) => void sink.push(...recs.flatMap((r) => (r.value ? [r.value] : []))),
  );
}

function consumerOf<T>(
  o: Omit<CollectorOptions<T>, 'sink'>,
  handle: (recs: ConsumedRecord<T>[]) => void,
): StreamConsumer {
  return new StreamConsumer({
    kafka: o.kafka,
    service: o.service ?? 'test',
    subscriptions: [
      subscribe({
        topic: o.topic,
        ...(o.includeRemotes === undefined ? {} : { includeRemotes: o.includeRemotes }),
        handle: (recs) => handle(recs as ConsumedRecord<T>[]),
      }),
    ],
    deadLetter: o.deadLetter,
    ...(o.deadLetterTopic === undefined ? {} : { deadLetterTopic: o.deadLetterTopic }),
    logger: silentLogger(),
  });
}

/**
 * Reads `topic` to its end with a private view and returns its values; a record that fails
 * validation goes to `deadLetter`.
 */
export async function readAll<T>(
  kafka: Kafka,
  deadLetter: Publisher,
  topic: TopicDef,
  service = 'test-reader',
): Promise<T[]> {
  const sink: T[] = [];
  const c = valueCollector<T>({ kafka, topic, sink, deadLetter, service });
  await c.start();
  await c.caughtUp;
  await c.stop();
  return sink;
}

/**
 * Creates a one-partition dead-letter topic; with `maxBytes`, one whose broker refuses any
 * record larger than that (a poison record then stops its consumer for good).
 */
export async function createDeadLetterTopic(
  kafka: Kafka,
  topic: string,
  maxBytes?: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic,
          numPartitions: 1,
          configEntries:
            maxBytes === undefined ? [] : [{ name: 'max.message.bytes', value: String(maxBytes) }],
        },
      ],
    })
    .finally(() => admin.disconnect());
}

/** Writes one record as is (no schema, no envelope): how a test plants a poison record. */
export async function sendRaw(
  kafka: Kafka,
  topic: string,
  key: string,
  value: string,
): Promise<void> {
  const raw = kafka.producer();
  await raw.connect();
  await raw.send({ topic, messages: [{ key, value }] }).finally(() => raw.disconnect());
}

/** Creates `topics` (if missing) and opens a publisher on `kafka`. */
export async function openPublisher(kafka: Kafka, topics: TopicDef[]): Promise<Publisher> {
  await ensureTopics(kafka, topics);
  return createPublisher(kafka);
}
