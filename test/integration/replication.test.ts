import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import {
  createPublisher,
  deleteNamespace,
  ensureTopics,
  listTopics,
  replicationLagMs,
  ReplicationLagRecorder,
  Registry,
  topicReady,
  waitFor,
  type ConsumedRecord,
  type Publisher,
  type StreamConsumer,
} from '@streambid/adapters';
import {
  remoteTopicName,
  type Campaign,
  type ClickEvent,
  type Region,
  type Spend,
  type TopicDef,
} from '@streambid/contracts';
import { startDelayProxy } from '@streambid/infra';
import { collector, endpoints, testKafka, testTopics } from '@streambid/testkit/services';
import { makeCampaign } from '@streambid/testkit';

// MirrorMaker 2 refreshes topics every 2 s and replicates within a second or two more.
const REPLICATION_DEADLINE_MS = 30_000;
/** A topic name with two region prefixes, e.g. `eu.us.spend`: replication went in a circle. */
const CYCLIC = /^(?:eu|us|ap)\.(?:eu|us|ap)\./;

function makeSpend(region: Region, over: Partial<Spend> = {}): Spend {
  return {
    eventId: randomUUID(),
    ts: Date.now(),
    region,
    campaignId: `c-${randomUUID().slice(0, 8)}`,
    creativeId: 'cr-1',
    bidId: randomUUID(),
    requestId: randomUUID(),
    cpmMicros: 2_500_000,
    amountMicros: 2_500,
    currency: 'USD',
    ...over,
  };
}

function makeClick(region: Region): ClickEvent {
  return {
    eventId: randomUUID(),
    ts: Date.now(),
    region,
    bidId: randomUUID(),
    campaignId: 'c-1',
    creativeId: 'cr-1',
    userId: `u-${randomUUID().slice(0, 8)}`,
  };
}

describe('replication between regions (MirrorMaker 2)', () => {
  const { ns, topics } = testTopics();
  const regions = Object.keys(endpoints().kafka) as Region[];
  const kafka: Partial<Record<Region, Kafka>> = {};
  const publishers: Partial<Record<Region, Publisher>> = {};
  const consumers: StreamConsumer[] = [];
  const shared = [topics.campaigns, topics.spend, topics.clicks, topics.deadLetter];
  /** Namespaces whose topics (and remote copies) this suite deletes when done. */
  const namespaces = [ns];

  const k = (r: Region): Kafka => kafka[r] ?? (kafka[r] = testKafka(r));
  /** Waits until MirrorMaker 2 has created `name` in `region`. */
  const untilListed = (region: Region, name: string): Promise<unknown> =>
    waitFor(async () => (await listTopics(k(region))).includes(name), {
      timeoutMs: REPLICATION_DEADLINE_MS,
      what: `${name} in ${region}`,
    });
  const pub = (r: Region): Publisher => {
    const p = publishers[r];
    if (!p) throw new Error(`no publisher for ${r}`);
    return p;
  };

  beforeAll(async () => {
    for (const r of ['eu', 'us'] as const) {
      await ensureTopics(k(r), shared);
      publishers[r] = await createPublisher(k(r));
    }
  });

  afterAll(async () => {
    await Promise.all(consumers.map((c) => c.stop()));
    await Promise.all(Object.values(publishers).map((p) => p.close()));
    for (const n of namespaces)
      await deleteNamespace(
        regions.map((r) => k(r)),
        n,
      );
  });

  it('deletes a namespace with its remote copies on every cluster', async () => {
    const gone = testTopics();
    namespaces.push(gone.ns);
    await ensureTopics(k('eu'), [gone.topics.campaigns]);
    const copy = remoteTopicName('eu', gone.topics.campaigns.name);
    await untilListed('us', copy);
    expect(await deleteNamespace([k('eu'), k('us')], gone.ns)).toBe(2);
    await waitFor(
      async () =>
        !(await listTopics(k('eu'))).includes(gone.topics.campaigns.name) &&
        !(await listTopics(k('us'))).includes(copy),
      { timeoutMs: 15_000, what: 'topic and copy deleted' },
    );
  });

  /** Waits until `name` exists in `region`, then reads it and the local topic by pattern. */
  async function readWithRemotes<T>(
    region: Region,
    topic: TopicDef,
    name: string,
    sink: ConsumedRecord<T>[],
  ): Promise<void> {
    await waitFor(() => topicReady(k(region), name), {
      timeoutMs: REPLICATION_DEADLINE_MS,
      intervalMs: 250,
      what: `${name} in ${region}`,
    });
    const c = collector<T>({
      kafka: k(region),
      topic,
      sink,
      deadLetter: pub(region),
      deadLetterTopic: topics.deadLetter.name,
      service: 'replication-test',
      includeRemotes: true,
    });
    consumers.push(c);
    await c.start();
  }

  it('copies a campaign created in eu to us as eu.<topic>, value, key and event time intact', async () => {
    const campaign = makeCampaign({ homeRegion: 'eu' });
    await pub('eu').publish(topics.campaigns, [campaign]);
    const remote = remoteTopicName('eu', topics.campaigns.name);
    const got: ConsumedRecord<Campaign>[] = [];
    await readWithRemotes('us', topics.campaigns, remote, got);
    const rec = await waitFor(() => got.find((r) => r.key === campaign.id), {
      timeoutMs: REPLICATION_DEADLINE_MS,
      what: 'replicated campaign',
    });
    expect(rec.topic).toBe(`eu.${ns}campaigns`);
    expect(rec.sourceRegion).toBe('eu');
    expect(rec.value).toEqual(campaign);
    expect(rec.timestamp).toBe(campaign.ts);
  });

  it('copies spend recorded in us to eu and reports its replication lag per remote topic', async () => {
    const spends = Array.from({ length: 20 }, () => makeSpend('us'));
    await pub('us').publish(topics.spend, spends);
    const got: ConsumedRecord<Spend>[] = [];
    await readWithRemotes('eu', topics.spend, remoteTopicName('us', topics.spend.name), got);
    await waitFor(() => got.length >= spends.length, {
      timeoutMs: REPLICATION_DEADLINE_MS,
      what: 'replicated spend',
    });
    expect(new Set(got.map((r) => r.value?.eventId))).toEqual(
      new Set(spends.map((s) => s.eventId)),
    );
    expect(got.every((r) => r.sourceRegion === 'us')).toBe(true);

    const registry = new Registry();
    const lag = new ReplicationLagRecorder({ registry });
    expect(lag.observe(got)).toBe(spends.length);
    const text = await registry.metrics();
    expect(text).toContain(
      `streambid_replication_lag_seconds_count{topic="us.${ns}spend",source_region="us"} ${String(spends.length)}`,
    );
  });

  it('sends clicks from us to the analytics region eu but never from eu to us', async () => {
    const fromUs = makeClick('us');
    const fromEu = makeClick('eu');
    await pub('us').publish(topics.clicks, [fromUs]);
    await pub('eu').publish(topics.clicks, [fromEu]);
    const got: ConsumedRecord<ClickEvent>[] = [];
    await readWithRemotes('eu', topics.clicks, remoteTopicName('us', topics.clicks.name), got);
    const rec = await waitFor(() => got.find((r) => r.value?.eventId === fromUs.eventId), {
      timeoutMs: REPLICATION_DEADLINE_MS,
      what: 'us click in eu',
    });
    expect(rec.topic).toBe(`us.${ns}clicks`);

    // Causal, not timed: eu's spend topic was created together with its clicks topic, so once
    // the eu->us flow has copied spend it has also looked at clicks, and must have left it out.
    await pub('eu').publish(topics.spend, [makeSpend('eu')]);
    const spendInUs = remoteTopicName('eu', topics.spend.name);
    await untilListed('us', spendInUs);
    expect(await listTopics(k('us'))).not.toContain(remoteTopicName('eu', topics.clicks.name));
  });

  it('never creates a cyclic topic such as eu.us.<topic> after traffic in both directions', async () => {
    // Both directions carry this namespace's campaigns; a fresh topic created in us afterwards
    // proves the us->eu flow refreshed its topic list after eu.<ns>campaigns existed in us.
    const campaign = makeCampaign();
    await pub('eu').publish(topics.campaigns, [campaign]);
    await pub('us').publish(topics.campaigns, [makeCampaign({ homeRegion: 'us' })]);
    for (const [from, to] of [
      ['eu', 'us'],
      ['us', 'eu'],
    ] as const) {
      const name = remoteTopicName(from, topics.campaigns.name);
      await untilListed(to, name);
    }
    const later = testTopics();
    namespaces.push(later.ns);
    await ensureTopics(k('us'), [later.topics.fraudBlocklist]);
    const marker = remoteTopicName('us', later.topics.fraudBlocklist.name);
    await untilListed('eu', marker);

    for (const r of regions) {
      const names = await listTopics(k(r));
      expect(
        names.filter((t) => CYCLIC.test(t)),
        `cyclic topics in ${r}`,
      ).toEqual([]);
    }
  });
});

describe('the delay proxy on the replication path', () => {
  let echo: Server;
  let echoPort = 0;

  beforeAll(async () => {
    echo = createServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const a = echo.address();
    echoPort = typeof a === 'object' && a !== null ? a.port : 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => echo.close(() => resolve()));
  });

  it('holds every chunk for the configured delay each way and keeps bytes in order', async () => {
    const delayMs = 100;
    const proxy = await startDelayProxy({ listenPort: 0, targetPort: echoPort, delayMs });
    try {
      const socket = connect({ host: '127.0.0.1', port: proxy.port });
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      const registry = new Registry();
      const recorder = new ReplicationLagRecorder({ registry });
      // Each line carries its send time, as a replicated message carries its event time.
      const lines = Array.from({ length: 20 }, (_, i) => `${String(i)}:${String(Date.now())}\n`);
      const received: { line: string; at: number }[] = [];
      let buffer = '';
      socket.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          received.push({ line: buffer.slice(0, nl), at: Date.now() });
          buffer = buffer.slice(nl + 1);
        }
      });
      for (const line of lines) socket.write(line);
      await waitFor(() => received.length === lines.length, { timeoutMs: 10_000 });
      socket.destroy();

      expect(received.map((r) => r.line)).toEqual(lines.map((l) => l.trimEnd()));
      const lags = received.map((r) => {
        const sentAt = Number(r.line.split(':')[1]);
        return replicationLagMs({ topic: 'us.echo', sourceRegion: 'us', timestamp: sentAt }, r.at);
      });
      recorder.observe(
        received.map((r) => ({
          topic: 'us.echo',
          sourceRegion: 'us',
          timestamp: Number(r.line.split(':')[1]),
        })),
      );
      // Out through the proxy and back: two one-way delays.
      expect(Math.min(...lags.map((l) => l ?? 0))).toBeGreaterThanOrEqual(2 * delayMs);
      expect(await registry.metrics()).toContain(
        'streambid_replication_lag_seconds_bucket{le="0.1",topic="us.echo",source_region="us"} 0',
      );
    } finally {
      await proxy.close();
    }
  });

  it('forwards without holding anything when the delay is zero', async () => {
    const proxy = await startDelayProxy({ listenPort: 0, targetPort: echoPort, delayMs: 0 });
    try {
      const socket = connect({ host: '127.0.0.1', port: proxy.port });
      const payload = Buffer.alloc(256 * 1024, 7);
      let got = 0;
      socket.on('data', (c: Buffer) => (got += c.length));
      socket.write(payload);
      await waitFor(() => got === payload.length, { timeoutMs: 10_000 });
      socket.destroy();
      expect(got).toBe(payload.length);
    } finally {
      await proxy.close();
    }
  });
});
