/**
 * `npm run demo`: brings the local regions up and runs a smoke pipeline through the real Kafka,
 * Redis and ClickHouse, printing what it did. Later issues extend it with the apps and a load test.
 */
import { randomUUID } from 'node:crypto';
import {
  chExec,
  chQuery,
  createClickHouse,
  createKafka,
  createLogger,
  createPublisher,
  createRedis,
  ensureTopics,
  rawSql,
  sql,
  StreamConsumer,
  subscribe,
  waitFor,
} from '@streambid/adapters';
import { catalogue, TOPIC_LIST, type Campaign } from '@streambid/contracts';
import { up } from '../../infra/src/index.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  say('streambid demo: bringing up regions eu, us (Kafka, Redis) and ClickHouse ...');
  const ep = await up({ regions: ['eu', 'us'], log: (l) => say(`  [infra] ${l}`) });
  const logger = createLogger({ service: 'demo', level: 'error' });
  const topics = catalogue('');

  for (const region of ['eu', 'us'] as const) {
    const broker = ep.kafka[region];
    if (!broker) throw new Error(`no broker for ${region}`);
    const kafka = createKafka({ clientId: `demo-${region}`, brokers: [broker], logger });
    const created = await ensureTopics(kafka, TOPIC_LIST);
    say(
      `[${region}] topics ready on ${broker} (${String(created.length)} created, ${String(TOPIC_LIST.length - created.length)} existed)`,
    );

    const now = Date.now();
    const campaign: Campaign = {
      eventId: randomUUID(),
      ts: now,
      id: `demo-${region}-${randomUUID().slice(0, 8)}`,
      version: 1,
      homeRegion: region,
      advertiser: 'demo-advertiser',
      name: 'smoke campaign',
      status: 'active',
      creatives: [
        {
          id: 'cr-1',
          mediaType: 'banner',
          w: 300,
          h: 250,
          markup: '<img src="https://cdn.example/ad.png">',
          landingUrl: 'https://advertiser.example/',
          adomain: ['advertiser.example'],
          cat: [],
          attr: [],
        },
      ],
      targeting: {},
      bidCpmMicros: 1_500_000,
      currency: 'USD',
      budget: { totalMicros: 100_000_000 },
      flight: { start: now, end: now + 86_400_000 },
      deals: [],
    };
    const publisher = await createPublisher(kafka);
    const seen: string[] = [];
    const consumer = new StreamConsumer({
      kafka,
      service: 'demo',
      logger,
      deadLetter: publisher,
      subscriptions: [
        subscribe({
          topic: topics.campaigns,
          handle: (recs) => void seen.push(...recs.map((r) => r.key ?? '')),
        }),
      ],
    });
    try {
      await publisher.publish(topics.campaigns, [campaign]);
      await consumer.start();
      await waitFor(() => seen.includes(campaign.id), {
        timeoutMs: 20_000,
        what: 'campaign round trip',
      });
      say(
        `[${region}] campaign ${campaign.id} produced to 'campaigns' and read back through a consumer group`,
      );
    } finally {
      await consumer.stop();
      await publisher.close();
    }

    const redisUrl = ep.redis[region];
    if (!redisUrl) throw new Error(`no redis for ${region}`);
    const redis = createRedis(redisUrl, logger);
    try {
      await redis.connect();
      const key = `sb:demo:${region}:profile`;
      await redis.multi().hset(key, { segments: 'sports,travel' }).expire(key, 60).exec();
      say(
        `[${region}] Redis ${redisUrl}: wrote and read profile ${key} = ${JSON.stringify(await redis.hgetall(key))}`,
      );
    } finally {
      redis.disconnect();
    }
  }

  const ch = createClickHouse({ url: ep.clickhouse });
  try {
    await chExec(ch, rawSql('CREATE DATABASE IF NOT EXISTS streambid_demo'));
    await chExec(
      ch,
      rawSql(
        'CREATE TABLE IF NOT EXISTS streambid_demo.smoke (ts DateTime, note String) ENGINE = MergeTree ORDER BY ts',
      ),
    );
    await chExec(
      ch,
      sql`INSERT INTO streambid_demo.smoke VALUES (${new Date()}, ${"demo run: it's alive"})`,
    );
    const rows = await chQuery<{ c: string; v: string }>(
      ch,
      sql`SELECT count() AS c, version() AS v FROM streambid_demo.smoke`,
    );
    say(
      `[analytics] ClickHouse ${ep.clickhouse} (version ${rows[0]?.v ?? '?'}): ${rows[0]?.c ?? '0'} smoke rows`,
    );
  } finally {
    await ch.close();
  }
  say(
    'demo finished: Kafka, Redis and ClickHouse all answered. Services are left running (`npm run infra -- down` stops them).',
  );
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(
      `demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
