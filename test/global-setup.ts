import type { TestProject } from 'vitest/node';
import {
  createKafka,
  deleteTopics,
  isNamespacedTopic,
  listTopics,
  silentLogger,
} from '@streambid/adapters';
import { parseRegionList } from '@streambid/contracts';
import { endpoints as infraEndpoints, up } from '../infra/src/index.js';

/**
 * Brings the real Kafka, Redis and ClickHouse up through the same code as `npm run infra -- up`
 * and hands their endpoints to the tests. Services are left running afterwards (reused next run);
 * the namespaced topics this run created are deleted at the end, so MirrorMaker 2 and the brokers
 * of a long-lived dev cluster do not carry every past run's topics.
 * `TEST_REGIONS` picks the regions (default `eu,us`). `TEST_INFRA=external` starts nothing and
 * uses the endpoints as they are (to prove the integration tests fail when a service is down).
 */
export default async function setup(
  project: TestProject,
): Promise<(() => Promise<void>) | undefined> {
  const raw = process.env['TEST_REGIONS'] ?? 'eu,us';
  const regions = parseRegionList(raw);
  if (!regions)
    throw new Error(`TEST_REGIONS: expected a list of eu, us, ap; got ${JSON.stringify(raw)}`);
  if (process.env['TEST_INFRA'] === 'external') {
    project.provide('endpoints', infraEndpoints(regions));
    return undefined;
  }
  const started = Date.now();
  const endpoints = await up({ regions, log: (line) => process.stdout.write(`[infra] ${line}\n`) });
  process.stdout.write(
    `[infra] ready in ${String(Date.now() - started)} ms: ${JSON.stringify(endpoints)}\n`,
  );
  project.provide('endpoints', endpoints);
  const clusters = Object.values(endpoints.kafka).map((broker) =>
    createKafka({ clientId: 'test-cleanup', brokers: [broker], logger: silentLogger() }),
  );
  const before = await Promise.all(clusters.map((k) => listTopics(k).then((t) => new Set(t))));
  return async () => {
    await Promise.all(
      clusters.map(async (k, i) => {
        const created = (await listTopics(k)).filter(
          (t) => isNamespacedTopic(t) && !before[i]?.has(t),
        );
        await deleteTopics(k, created);
      }),
    ).catch((err: unknown) =>
      process.stdout.write(`[infra] topic cleanup skipped: ${String(err)}\n`),
    );
  };
}
