import { afterAll, describe, expect, it } from 'vitest';
import { ensureTopics, waitFor } from '@streambid/adapters';
import {
  brokerFor,
  createDeadLetterTopic,
  sendRaw,
  testKafka,
  testTopics,
} from '@streambid/testkit/services';
import type { InventoryService } from '../service.js';
import { call, startReady, testConfig } from './harness.js';

describe('inventory health when a view consumer dies', () => {
  const kafka = testKafka('eu');
  let svc: InventoryService | undefined;

  afterAll(async () => {
    await svc?.close();
  });

  it('answers /healthz with 503 once its campaign consumer has crashed', async () => {
    const { ns, topics } = testTopics();
    await ensureTopics(kafka, [topics.campaigns, topics.budget, topics.spend]);
    // A dead-letter topic that refuses every record: the first poison stops the consumer for good.
    await createDeadLetterTopic(kafka, topics.deadLetter.name, 200);
    svc = await startReady(testConfig(ns, brokerFor('eu')));
    expect((await call(svc.port, 'GET', '/healthz', undefined, null)).status).toBe(200);

    await sendRaw(kafka, topics.campaigns.name, 'c-poison', '{nope');
    const port = svc.port;
    await waitFor(
      async () => (await call(port, 'GET', '/healthz', undefined, null)).status === 503,
      {
        timeoutMs: 20_000,
        what: '/healthz 503',
      },
    );
    const metrics = await (await fetch(`http://127.0.0.1:${String(port)}/metrics`)).text();
    expect(metrics).toMatch(/inventory_ready\{[^}]*\} 0/);
  });
});
