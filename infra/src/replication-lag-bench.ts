import { randomBytes, randomUUID } from 'node:crypto';
import {
  createKafka,
  createPublisher,
  ensureTopics,
  onReplicationLag,
  silentLogger,
  StreamConsumer,
  subscribe,
  topicReady,
  waitFor,
} from '@streambid/adapters';
import { catalogue, remoteTopicName, type Spend } from '@streambid/contracts';
import { parsePorts } from './ports.js';
import { runningDelayMs } from './proxy-service.js';

// Replication lag eu -> us through MirrorMaker 2 and the delay proxies, as apps measure it
// (arrival time minus event time). Needs `npm run infra -- up` with eu and us running.
//   node --conditions=@streambid/source --import tsx infra/src/replication-lag-bench.ts [count] [rate/s]
// Prints one JSON line last.

const count = Number(process.argv[2] ?? 200);
const rate = Number(process.argv[3] ?? 100);

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const ports = parsePorts();
  const logger = silentLogger();
  const ns = `bench-${randomBytes(4).toString('hex')}-`;
  const topics = catalogue(ns);
  const eu = createKafka({
    clientId: 'lag-bench',
    brokers: [`127.0.0.1:${ports.kafka.eu}`],
    logger,
  });
  const us = createKafka({
    clientId: 'lag-bench',
    brokers: [`127.0.0.1:${ports.kafka.us}`],
    logger,
  });
  await ensureTopics(eu, [topics.spend]);
  await ensureTopics(us, [topics.spend, topics.deadLetter]);
  const pubEu = await createPublisher(eu);
  const pubUs = await createPublisher(us);
  const lags: number[] = [];
  const remote = remoteTopicName('eu', topics.spend.name);
  const consumer = new StreamConsumer({
    kafka: us,
    service: 'lag-bench',
    subscriptions: [
      subscribe({
        topic: topics.spend,
        includeRemotes: true,
        handle: onReplicationLag((lag) => lags.push(lag)),
      }),
    ],
    deadLetter: pubUs,
    deadLetterTopic: topics.deadLetter.name,
    logger,
  });
  try {
    // A first message makes MirrorMaker create the remote copy; the consumer needs it to exist.
    const warm = (): Spend => ({
      eventId: randomUUID(),
      ts: Date.now(),
      region: 'eu',
      campaignId: 'c-bench',
      creativeId: 'cr-1',
      bidId: randomUUID(),
      requestId: randomUUID(),
      cpmMicros: 1_000_000,
      amountMicros: 1_000,
      currency: 'USD',
    });
    await pubEu.publish(topics.spend, [warm()]);
    await waitFor(() => topicReady(us, remote), {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: `${remote} in us`,
    });
    await consumer.start();
    await waitFor(() => lags.length >= 1, { timeoutMs: 60_000, what: 'first replicated message' });
    lags.length = 0;
    // Open model: one message every 1/rate s, each stamped with its send time.
    const start = Date.now();
    for (let i = 0; i < count; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await pubEu.publish(topics.spend, [warm()]);
    }
    await waitFor(() => lags.length >= count, { timeoutMs: 60_000, what: 'all replicated' });
    const sorted = [...lags].sort((a, b) => a - b);
    console.log(
      JSON.stringify({
        bench: 'replication-lag',
        flow: 'eu->us',
        delay_ms_each_way: runningDelayMs('eu') ?? null,
        messages: count,
        rate_per_s: rate,
        lag_p50_ms: quantile(sorted, 0.5),
        lag_p99_ms: quantile(sorted, 0.99),
        lag_min_ms: sorted[0],
        lag_max_ms: sorted.at(-1),
      }),
    );
  } finally {
    await consumer.stop();
    await pubEu.close();
    await pubUs.close();
    for (const [k, names] of [
      [eu, [topics.spend.name]],
      [us, [topics.spend.name, topics.deadLetter.name, remote]],
    ] as const) {
      const a = k.admin();
      await a.connect();
      await a.deleteTopics({ topics: [...names] }).catch(() => undefined);
      await a.disconnect();
    }
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
