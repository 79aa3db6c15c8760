/**
 * Producer CPU benchmark: the same pre-encoded messages (~400-byte JSON, string bid-id keys, event
 * timestamps) sent in sequential batches to a fresh 3-partition topic, once through kafkajs (the
 * project's `createPublisher(kafka, { idempotent: false }).sendBatch`) and once through
 * `LeanProducer`, both acks=all and uncompressed. Each path is warmed up first, then measured in
 * `rounds` rounds of `messages` each, the order alternating between rounds so that neither pays for
 * the other's garbage more often. Prints one JSON line with this process's CPU µs per message
 * (process.cpuUsage: user + system, so socket I/O and GC threads count too) and messages per
 * second, means over the rounds; deletes its topic (and any MirrorMaker 2 copies) at the end.
 * Run: node --conditions=@streambid/source --import tsx packages/adapters/bench/produce.bench.ts
 *      [--messages 200000 --batch 500 --rounds 2 --brokers 127.0.0.1:9092]
 */
import { randomBytes } from 'node:crypto';
import {
  argsOrExit,
  LeanProducer,
  createKafka,
  createPublisher,
  defaultBrokers,
  deleteNamespace,
  localClusters,
  parseFlags,
  silentLogger,
  UsageError,
  type BatchSender,
  type CommandSpec,
  type ProducerMessage,
} from '../src/index.js';

const COMMAND = {
  name: 'bench:produce',
  usage: 'npm run bench:produce [-- --messages 200000 --batch 500 --rounds 2 --brokers host:port]',
  about:
    'CPU per message of kafkajs and LeanProducer sending the same batches to a fresh topic; needs `npm run infra -- up`. Prints one JSON line.',
  flags: {
    messages: { value: 'N', description: 'messages per round', default: '200000' },
    batch: { value: 'N', description: 'messages per batch', default: '500' },
    warmup: { value: 'N', description: 'messages sent before measuring', default: '20000' },
    rounds: { value: 'N', description: 'measured rounds per path', default: '2' },
    brokers: { value: 'host:port', description: 'bootstrap brokers', default: 'the local eu' },
  },
} as const satisfies CommandSpec;

const { N, BATCH, WARMUP, ROUNDS, brokersFlag } = argsOrExit(
  COMMAND,
  process.argv.slice(2),
  (argv) => {
    const { values } = parseFlags(argv, COMMAND.flags);
    const int = (k: 'messages' | 'batch' | 'warmup' | 'rounds'): number =>
      Number(values[k] ?? COMMAND.flags[k].default);
    const [n, batch, warmup, rounds] = [
      int('messages'),
      int('batch'),
      int('warmup'),
      int('rounds'),
    ];
    if (
      ![n, batch, warmup, rounds].every((x) => Number.isInteger(x) && x >= 0) ||
      n * batch * rounds < 1
    )
      throw new UsageError('--messages, --batch, --rounds (all > 0) and --warmup take integers', {
        flag: '--messages',
      });
    return { N: n, BATCH: batch, WARMUP: warmup, ROUNDS: rounds, brokersFlag: values.brokers };
  },
);

const logger = silentLogger();
const brokers = defaultBrokers('eu', brokersFlag);
const suffix = randomBytes(4).toString('hex');
const ns = `bench-${suffix}-`;
const topic = `${ns}produce`;

/** A bid-event-like JSON value of about 400 bytes. */
function message(i: number, ts: number): ProducerMessage {
  const bidId = `bid-${suffix}-${String(i)}`;
  const value = JSON.stringify({
    eventId: `ev-${suffix}-${String(i)}`,
    ts,
    region: 'eu',
    bidId,
    requestId: `req-${suffix}-${String(i)}`,
    impId: '1',
    campaignId: `camp-${String(i % 50)}`,
    creativeId: `cr-${String(i % 7)}`,
    priceMicros: 1_250_000 + (i % 1000),
    currency: 'USD',
    siteDomain: `site${String(i % 1000)}.example.com`,
    publisherId: `pub-${String(i % 100)}`,
    deviceType: 2,
    country: 'DEU',
    userId: `u-${String((i * 7919) % 400_000)}`,
    segments: ['auto', 'travel', 'sports'].slice(0, 1 + (i % 3)),
    floorMicros: 400_000,
    pacing: 0.87,
    dealId: i % 4 === 0 ? `deal-${String(i % 97)}` : null,
    bidder: 'streambid-bidder/0.1.0',
  });
  return { key: bidId, value, timestamp: String(ts) };
}

/** The messages cut into batches once, so both producers send the very same objects. */
function batches(count: number, offset: number): ProducerMessage[][] {
  const t0 = Date.now();
  const out: ProducerMessage[][] = [];
  for (let i = 0; i < count; i += BATCH)
    out.push(
      Array.from({ length: Math.min(BATCH, count - i) }, (_, k) =>
        message(offset + i + k, t0 + i + k),
      ),
    );
  return out;
}

async function run(
  sender: BatchSender,
  work: ProducerMessage[][],
): Promise<{ cpu_us_per_msg: number; msgs_per_s: number }> {
  const n = work.reduce((s, b) => s + b.length, 0);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (const messages of work) await sender.sendBatch([{ topic, messages }]);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    cpu_us_per_msg: Number(((cpu.user + cpu.system) / n).toFixed(2)),
    msgs_per_s: Math.round((n / ms) * 1000),
  };
}

const kafka = createKafka({ clientId: 'bench-produce', brokers, logger });
const out: Record<string, unknown> = {
  bench: 'kafka.produce',
  node: process.version,
  messages: N,
  batch: BATCH,
  warmup: WARMUP,
  rounds: ROUNDS,
};
try {
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({
    waitForLeaders: true,
    topics: [{ topic, numPartitions: 3, replicationFactor: 1 }],
  });

  const kafkajs = await createPublisher(kafka, { idempotent: false });
  const lean = await LeanProducer.connect({ brokers, clientId: 'bench-produce', logger });
  const sample = message(0, Date.now());
  out['value_bytes'] = Buffer.byteLength(sample.value);

  const senders = { kafkajs, lean };
  const totals = { kafkajs: { cpu: 0, rate: 0 }, lean: { cpu: 0, rate: 0 } };
  let sent = 0;
  for (const name of ['kafkajs', 'lean'] as const) {
    await run(senders[name], batches(WARMUP, sent));
    sent += WARMUP;
  }
  for (let r = 0; r < ROUNDS; r++)
    for (const name of r % 2 === 0
      ? (['kafkajs', 'lean'] as const)
      : (['lean', 'kafkajs'] as const)) {
      const work = batches(N, sent);
      sent += N;
      const res = await run(senders[name], work);
      totals[name].cpu += res.cpu_us_per_msg / ROUNDS;
      totals[name].rate += res.msgs_per_s / ROUNDS;
    }
  for (const name of ['kafkajs', 'lean'] as const)
    out[name] = {
      cpu_us_per_msg: Number(totals[name].cpu.toFixed(2)),
      msgs_per_s: Math.round(totals[name].rate),
    };
  await kafkajs.close();
  await lean.close();

  const offsets = await admin.fetchTopicOffsets(topic);
  const stored = offsets.reduce((s, o) => s + Number(o.high), 0);
  await admin.disconnect();
  if (stored !== sent)
    throw new Error(`topic holds ${String(stored)} records, ${String(sent)} were sent`);
  out['cpu_ratio_kafkajs_over_lean'] = Number((totals.kafkajs.cpu / totals.lean.cpu).toFixed(1));
  out['note'] = 'process CPU incl. socket I/O; the broker shares the 2 cores of this machine';
} finally {
  await deleteNamespace(localClusters('bench-cleanup', logger), ns);
}
console.log(JSON.stringify(out));
process.exit(0);
