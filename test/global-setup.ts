import { randomBytes } from 'node:crypto';
import type { TestProject } from 'vitest/node';
import {
  createKafka,
  deleteTopics,
  isNamespacedTopic,
  listTopics,
  silentLogger,
} from '@streambid/adapters';
import { parseRegionList } from '@streambid/contracts';
import {
  endpoints as infraEndpoints,
  ensureChromium,
  otherUsers,
  release,
  up,
} from '@streambid/infra';
import { RUN_ENV } from '@streambid/testkit';

/**
 * Brings the real Kafka, Redis and ClickHouse up through the same code as `npm run infra -- up`
 * and hands their endpoints to the tests. Services already running (`npm run infra -- up`, another
 * test run) are reused; what this run started is stopped at the end unless another run still uses
 * it (a lease, see infra/src/leases.ts) or `TEST_KEEP_INFRA=1`. The namespaced topics this run
 * created are deleted at the end, so the brokers of a long-lived dev cluster do not carry every
 * past run's topics.
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
  // Test names made by `uniq()` carry this run's id, so the cleanup can tell our topics from those
  // of another run going on at the same time. Workers are forked after this and inherit it.
  const run = randomBytes(3).toString('hex');
  process.env[RUN_ENV] = run;
  const started = Date.now();
  const log = (line: string): void => void process.stdout.write(`[infra] ${line}\n`);
  // The browser tests drive Debian's Chromium (playwright-core downloads no browser here).
  await ensureChromium(log);
  const endpoints = await up({ regions, log, lease: true });
  process.stdout.write(
    `[infra] ready in ${String(Date.now() - started)} ms: ${JSON.stringify(endpoints)}\n`,
  );
  project.provide('endpoints', endpoints);
  const clusters = Object.values(endpoints.kafka).map((broker) =>
    createKafka({ clientId: 'test-cleanup', brokers: [broker], logger: silentLogger() }),
  );
  const before = await Promise.all(clusters.map((k) => listTopics(k).then((t) => new Set(t))));
  const ours = new RegExp(`^(?:(?:eu|us|ap)\\.)*[a-z][a-z0-9-]*?-${run}[0-9a-f]+-`);
  return async () => {
    // With another run going on, only this run's own names: the others' topics are in use.
    const shared = otherUsers() > 0;
    await Promise.all(
      clusters.map(async (k, i) => {
        const created = (await listTopics(k)).filter(
          (t) => isNamespacedTopic(t) && !before[i]?.has(t) && (!shared || ours.test(t)),
        );
        await deleteTopics(k, created);
      }),
    ).catch((err: unknown) =>
      process.stdout.write(`[infra] topic cleanup skipped: ${String(err)}\n`),
    );
    const stopped = await release({ log, keep: process.env['TEST_KEEP_INFRA'] === '1' });
    if (stopped.length > 0) log(`stopped what this run started: ${stopped.join(', ')}`);
  };
}
