import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';
import { createPublisher, ensureTopics, waitFor, type Publisher } from '@streambid/adapters';
import type { Spend } from '@streambid/contracts';
import { brokerFor, testKafka, testTopics } from '@streambid/testkit/services';
import type { InventoryService } from '../service.js';
import { call, campaignBody, spendEvent, startReady, testConfig } from './harness.js';

/**
 * Durable spend totals against the real broker: once the inventory has read the spend records,
 * the `spend` topic of this namespace is set to keep records for a second, and the broker (infra
 * sets `log.retention.check.interval.ms=1000`) deletes them. The totals the inventory wrote to the
 * compacted `spend-totals` topic stand in for them after a restart.
 */
describe('spend totals outlive the spend topic retention', () => {
  const { ns, topics } = testTopics();
  let kafka: Kafka;
  let publisher: Publisher;
  const services: InventoryService[] = [];
  const cfg = testConfig(ns, brokerFor('eu'), {
    SPEND_TOTALS_INTERVAL_MS: '200',
    SPEND_TOTALS_SETTLE_MS: '500',
  });

  beforeAll(async () => {
    kafka = testKafka('eu');
    await ensureTopics(kafka, Object.values(topics));
    publisher = await createPublisher(kafka);
  });

  afterAll(async () => {
    for (const s of services) await s.close();
    await publisher.close();
  });

  const start = async (): Promise<InventoryService> => {
    const s = await startReady(cfg);
    services.push(s);
    return s;
  };
  const status = async (s: InventoryService, id: string): Promise<Record<string, unknown>> =>
    (await call(s.port, 'GET', `/campaigns/${id}/status`)).json;

  it('loses no spend and grants nothing twice after a restart past retention, to the nano', async () => {
    const first = await start();
    const body = campaignBody({ budget: { totalMicros: 10_000 }, bidCpmMicros: 2_000_500 });
    const id = String((await call(first.port, 'POST', '/campaigns', body)).json['id']);
    // Three impressions at 2,000,500 CPM micros cost 2,000.5 micros each: 6,001.5 in all.
    const ts = Date.now() - 2_000;
    const events: Spend[] = [1, 2, 3].map(() => ({
      ...spendEvent(id, 'eu', 2000, randomUUID()),
      ts,
      cpmMicros: 2_000_500,
    }));
    await publisher.publish(topics.spend, events);
    await waitFor(() => first.ledger.cutOf(id, 'eu').events === 3, {
      timeoutMs: 20_000,
      what: 'a total covering the three spend events written',
    });
    const before = await status(first, id);
    expect(before['spend']).toMatchObject({ totalMicros: 6001, remainderNanos: 500, events: 3 });
    expect(before['delivery']).toMatchObject({ remainingMicros: 3999 });
    await first.close();
    services.length = 0;

    // Retention cut to a second only now: set at creation, it could delete the records (their
    // timestamps are the events' time, 2 s ago) before the first inventory had fetched them.
    // Then the broker's retention deletes every spend record (the log start offset reaches the end).
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.alterConfigs({
        validateOnly: false,
        resources: [
          {
            type: ConfigResourceTypes.TOPIC,
            name: topics.spend.name,
            configEntries: [{ name: 'retention.ms', value: '1000' }],
          },
        ],
      });
      await waitFor(
        async () =>
          (await admin.fetchTopicOffsets(topics.spend.name)).every((p) => p.low === p.high),
        { timeoutMs: 60_000, intervalMs: 500, what: 'retention deleting the spend records' },
      );
    } finally {
      await admin.disconnect();
    }

    const second = await start();
    const after = await status(second, id);
    expect(after['spend']).toMatchObject({ totalMicros: 6001, remainderNanos: 500, events: 3 });
    expect(after['delivery']).toMatchObject({ remainingMicros: 3999 });

    // A late copy of a spend event (replication, a producer retry) is covered by the total.
    const [late] = events;
    if (!late) throw new Error('unreachable');
    // Its record timestamp is ahead: the one-second retention must not delete it before the
    // consumer's next fetch (the event's own time is long past retention).
    const producer = kafka.producer();
    await producer.connect();
    try {
      await producer.send({
        topic: topics.spend.name,
        messages: [{ value: JSON.stringify(late), timestamp: String(Date.now() + 60_000) }],
      });
    } finally {
      await producer.disconnect();
    }
    await waitFor(
      async () => {
        const m = await (await fetch(`http://127.0.0.1:${String(second.port)}/metrics`)).text();
        return /inventory_spend_events_total\{[^}]*outcome="covered"[^}]*\} [1-9]/.test(m);
      },
      { timeoutMs: 15_000, what: 'the late copy read and counted as covered' },
    );
    expect((await status(second, id))['spend']).toMatchObject({ totalMicros: 6001, events: 3 });
    // What the banker grants across regions never exceeds what is left of the budget.
    await waitFor(() => (second.budget.allowances(id)?.length ?? 0) === 2, {
      timeoutMs: 10_000,
      what: 'allowances computed after the restart',
    });
    // Each region's cap is its spend plus its share of what is left: the headroom handed out is at
    // most the 3,999 micros left, not the whole budget again.
    const headroom = (second.budget.allowances(id) ?? []).reduce(
      (n, a) => n + a.capMicros - (a.region === 'eu' ? 6001 : 0),
      0,
    );
    expect(headroom).toBeLessThanOrEqual(3999);
    const eu = second.budget.allowances(id)?.find((a) => a.region === 'eu');
    expect(eu?.capMicros).toBeGreaterThanOrEqual(6001);
  });
});
