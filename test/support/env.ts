import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import {
  createClickHouse,
  createKafka,
  createRedis,
  silentLogger,
  type ClickHouseClient,
  type Redis,
} from '@streambid/adapters';
import { catalogue, type Catalogue, type Region } from '@streambid/contracts';
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

/** A short random suffix for topic, key-prefix and database names unique to one test. */
export function uniq(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
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
