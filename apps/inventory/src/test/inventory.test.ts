import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  createPublisher,
  ensureTopics,
  silentLogger,
  StreamConsumer,
  subscribe,
  waitFor,
  type Publisher,
} from '@streambid/adapters';
import type { BudgetAllowance, Campaign } from '@streambid/contracts';
import { brokerFor, testKafka, testTopics } from '@streambid/testkit/services';
import { makeCampaign } from '@streambid/testkit';
import type { InventoryService } from '../service.js';
import { call, campaignBody, spendEvent, startReady, testConfig } from './harness.js';

describe('inventory service against the real Kafka', () => {
  const { ns, topics } = testTopics();
  const remoteSpend = { ...topics.spend, name: `us.${topics.spend.name}` };
  let kafka: Kafka;
  let publisher: Publisher;
  let svc: InventoryService;
  const extra: InventoryService[] = [];

  beforeAll(async () => {
    kafka = testKafka('eu');
    // The replicated copy of the us spend stream, as MirrorMaker 2 names it, must exist at start.
    await ensureTopics(kafka, [...Object.values(topics), remoteSpend]);
    publisher = await createPublisher(kafka);
    svc = await startReady(testConfig(ns, brokerFor('eu')));
  });

  afterAll(async () => {
    for (const s of extra) await s.close();
    await svc.close();
    await publisher.close();
  });

  it('refuses requests without a valid bearer token but serves health and metrics openly', async () => {
    expect((await call(svc.port, 'POST', '/campaigns', campaignBody(), null)).status).toBe(401);
    expect((await call(svc.port, 'GET', '/campaigns', undefined, 'wrong-token')).status).toBe(401);
    expect((await call(svc.port, 'PATCH', '/campaigns/x', { version: 1 }, null)).status).toBe(401);
    expect((await call(svc.port, 'GET', '/campaigns/x/status', undefined, null)).status).toBe(401);
    expect(await call(svc.port, 'GET', '/healthz', undefined, null)).toMatchObject({
      status: 200,
      json: { status: 'ok' },
    });
    const metrics = await fetch(`http://127.0.0.1:${String(svc.port)}/metrics`);
    expect(await metrics.text()).toContain('inventory_http_requests_total');
  });

  it('answers 400 naming the invalid field', async () => {
    const cases: [unknown, string][] = [
      [campaignBody({ budget: { totalMicros: -5 } }), 'budget.totalMicros'],
      [campaignBody({ bidCpmMicros: 'two' }), 'bidCpmMicros'],
      [
        campaignBody({
          creatives: [{ ...(campaignBody()['creatives'] as object[])[0], landingUrl: 'nope' }],
        }),
        'creatives.0.landingUrl',
      ],
      [campaignBody({ flight: { start: 2000, end: 1000 } }), 'flight.end'],
      [campaignBody({ colour: 'red' }), 'colour'],
      ['{"advertiser": ', '(body)'],
    ];
    for (const [body, field] of cases) {
      const res = await call(svc.port, 'POST', '/campaigns', body);
      expect(res.status, JSON.stringify(res.json)).toBe(400);
      expect(res.json['field']).toBe(field);
    }
  });

  it('answers a write only once it is visible, and 404 for an unknown id', async () => {
    const created = await call(svc.port, 'POST', '/campaigns', campaignBody());
    expect(created.status).toBe(201);
    const id = String(created.json['id']);
    expect(svc.view.get(id)?.version).toBe(1);
    expect(await call(svc.port, 'GET', `/campaigns/${id}`)).toMatchObject({
      status: 200,
      json: { id, homeRegion: 'eu' },
    });
    expect((await call(svc.port, 'GET', '/campaigns/no-such-campaign')).status).toBe(404);
    expect((await call(svc.port, 'POST', '/campaigns/no-such-campaign/pause')).status).toBe(404);
  });

  it('answers 409 to a stale version and accepts the current one', async () => {
    const id = String((await call(svc.port, 'POST', '/campaigns', campaignBody())).json['id']);
    const first = await call(svc.port, 'PATCH', `/campaigns/${id}`, {
      version: 1,
      name: 'renamed',
    });
    expect(first).toMatchObject({ status: 200, json: { version: 2, name: 'renamed' } });
    const stale = await call(svc.port, 'PATCH', `/campaigns/${id}`, { version: 1, name: 'again' });
    expect(stale).toMatchObject({
      status: 409,
      json: { error: 'stale_version', currentVersion: 2 },
    });
    expect(await call(svc.port, 'POST', `/campaigns/${id}/pause`, { version: 2 })).toMatchObject({
      status: 200,
      json: { status: 'paused', version: 3 },
    });
  });

  it('refuses writes to a campaign homed in another region with 409 naming that region', async () => {
    const foreign = makeCampaign({ homeRegion: 'us' });
    await publisher.publish(topics.campaigns, [foreign]);
    await waitFor(() => svc.view.get(foreign.id), {
      timeoutMs: 15_000,
      what: 'replicated campaign',
    });
    const res = await call(svc.port, 'PATCH', `/campaigns/${foreign.id}`, {
      version: 1,
      name: 'x',
    });
    expect(res).toMatchObject({ status: 409, json: { error: 'wrong_region', homeRegion: 'us' } });
    expect(String(res.json['message'])).toContain('us');
  });

  it('counts spend from two regions exactly once despite duplicates, also after a restart', async () => {
    const id = String((await call(svc.port, 'POST', '/campaigns', campaignBody())).json['id']);
    const [eu1, eu2, eu3] = [1000, 2500, 700].map((m) => spendEvent(id, 'eu', m));
    const [us1, us2] = [4000, 300].map((m) => spendEvent(id, 'us', m));
    if (!eu1 || !eu2 || !eu3 || !us1 || !us2) throw new Error('unreachable');
    // Retried produces and re-delivered replicas: the same event ids arrive more than once.
    await publisher.publish(topics.spend, [eu1, eu2, eu3, eu1, eu2]);
    await publisher.publish(remoteSpend, [us1, us2, us1, us1]);
    const expected = {
      totalMicros: 8500,
      byRegion: { eu: 4200, us: 4300 },
      events: 5,
      duplicates: 4,
    };
    const status = async (s: InventoryService): Promise<Record<string, unknown>> =>
      (await call(s.port, 'GET', `/campaigns/${id}/status`)).json;
    await waitFor(async () => ((await status(svc))['spend'] as { events: number }).events === 5, {
      timeoutMs: 15_000,
      what: 'spend counted',
    });
    await waitFor(() => svc.ledger.totals(id).duplicates === 4, {
      timeoutMs: 15_000,
      what: 'duplicates seen',
    });
    expect((await status(svc))['spend']).toMatchObject(expected);

    const again = await startReady(testConfig(ns, brokerFor('eu')));
    extra.push(again);
    expect((await status(again))['spend']).toMatchObject(expected);
  });

  it('rebuilds an identical view from the topic after a restart', async () => {
    const create = async (name: string): Promise<string> =>
      String((await call(svc.port, 'POST', '/campaigns', campaignBody({ name }))).json['id']);
    const replaced = await create('c0');
    const archived = await create('c1');
    await create('c2');
    await call(svc.port, 'PUT', `/campaigns/${replaced}`, {
      ...campaignBody({ name: 'replaced', frequencyCap: undefined }),
      version: 1,
    });
    await call(svc.port, 'POST', `/campaigns/${archived}/archive`);
    const before = (await call(svc.port, 'GET', '/campaigns')).json;
    const restarted = await startReady(testConfig(ns, brokerFor('eu')));
    extra.push(restarted);
    expect((await call(restarted.port, 'GET', '/campaigns')).json).toEqual(before);
    expect((await call(restarted.port, 'GET', `/campaigns/${replaced}`)).json).toMatchObject({
      name: 'replaced',
      version: 2,
    });
    expect((await call(restarted.port, 'GET', `/campaigns/${archived}`)).json).toMatchObject({
      status: 'archived',
    });
  });

  it('drives every allowance to the regional spend (no headroom) once the budget is spent', async () => {
    const body = campaignBody({ budget: { totalMicros: 10_000 }, bidCpmMicros: 1_000_000 });
    const id = String((await call(svc.port, 'POST', '/campaigns', body)).json['id']);
    const latest = new Map<string, BudgetAllowance>();
    const reader = new StreamConsumer({
      kafka,
      service: 'test-budget-reader',
      subscriptions: [
        subscribe({
          topic: topics.budget,
          handle: (recs) => {
            for (const r of recs)
              if (r.value?.campaignId === id) latest.set(r.value.region, r.value);
          },
        }),
      ],
      deadLetter: publisher,
      deadLetterTopic: topics.deadLetter.name,
      logger: silentLogger(),
    });
    await reader.start();
    try {
      // Before any spend both regions may bid.
      await waitFor(
        () =>
          latest.size === 2 && [...latest.values()].every((a) => a.capMicros > 0 && !a.exhausted),
        {
          timeoutMs: 15_000,
          what: 'initial allowances',
        },
      );
      await publisher.publish(topics.spend, [spendEvent(id, 'eu', 6000)]);
      await publisher.publish(remoteSpend, [spendEvent(id, 'us', 4000)]);
      await waitFor(() => latest.get('eu')?.exhausted && latest.get('us')?.exhausted, {
        timeoutMs: 15_000,
        what: 'exhausted allowances',
      });
      expect(latest.get('eu')).toMatchObject({
        capMicros: 6000,
        paceMicrosPerSec: 0,
        exhausted: true,
      });
      expect(latest.get('us')).toMatchObject({
        capMicros: 4000,
        paceMicrosPerSec: 0,
        exhausted: true,
      });
      const status = (await call(svc.port, 'GET', `/campaigns/${id}/status`)).json;
      expect(status['delivery']).toMatchObject({ remainingMicros: 0, exhausted: true });
    } finally {
      await reader.stop();
    }
  });

  it('keeps every view it rebuilds consistent with the topic schema', () => {
    for (const c of svc.view.list()) expect((c satisfies Campaign).version).toBeGreaterThan(0);
  });
});
