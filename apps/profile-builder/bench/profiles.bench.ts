/**
 * `npm run bench:profiles`: events/s applied by one profile-builder consumer from real topics, and
 * bid-path read latency (ProfileReader.get from a separate process, reads due at Poisson times,
 * one in flight; see read-worker.ts) over the reads made while it writes, and over 2 s of the same
 * reads before it starts (`read_no_writes_*`: the floor the machine gives a read at the moment),
 * plus the ceiling of the same Redis from redis-benchmark. Last line: one JSON object.
 * Env: BENCH_USERS (default 20000), BENCH_ROUNDS (default 4; ~2.5 events per user per round),
 * KAFKA_BROKERS, REDIS_URL (default the local eu services), PROFILE_MAX_OPS_PER_CALL (default 64),
 * PROFILE_MAX_PROFILES_PER_CALL (default 16), PROFILE_MAX_CALLS_IN_FLIGHT (default 1),
 * PROFILE_CONCURRENCY (default 4), BENCH_READS_PER_S (default 5000; 0 = closed loop, each read as
 * soon as the last returned, which under-samples stalls: for comparison only), BENCH_WRITER_CPUS
 * (default the last CPU; '' = unpinned).
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { fork } from 'node:child_process';
import {
  argsOrExit,
  createKafka,
  createPublisher,
  createRedis,
  defaultBrokers,
  deleteNamespace,
  defaultRedisUrl,
  ensureTopics,
  localClusters,
  Registry,
  silentLogger,
  waitFor,
  type Redis,
} from '@streambid/adapters';
import { catalogue } from '@streambid/contracts';
import { deleteKeysWithPrefix, redisCpuUs } from '@streambid/testkit';
import { ProfileBuilder } from '../src/builder.js';
import { syntheticEvents } from '../src/testing/events.js';

argsOrExit(
  {
    name: 'bench:profiles',
    usage: 'npm run bench:profiles',
    about:
      'Events/s applied by one profile-builder consumer, and bid-path read latency while it writes; needs `npm run infra -- up`. Last line: one JSON object.',
    flags: {},
    env: [
      { name: 'BENCH_USERS', value: 'int', default: '20000', description: 'users' },
      {
        name: 'BENCH_ROUNDS',
        value: 'int',
        default: '4',
        description: 'rounds of events (~2.5 events per user per round)',
      },
      { name: 'KAFKA_BROKERS', value: 'string', default: 'the local eu', description: 'brokers' },
      { name: 'REDIS_URL', value: 'string', default: 'the local eu', description: 'Redis' },
      {
        name: 'PROFILE_MAX_OPS_PER_CALL',
        value: 'int',
        default: '64',
        description: 'updates per Redis script call',
      },
      {
        name: 'PROFILE_MAX_PROFILES_PER_CALL',
        value: 'int',
        default: '16',
        description: 'profiles per Redis script call',
      },
      {
        name: 'PROFILE_MAX_CALLS_IN_FLIGHT',
        value: 'int',
        default: '1',
        description: 'script calls sent and not yet answered',
      },
      {
        name: 'PROFILE_CONCURRENCY',
        value: 'int',
        default: '4',
        description: 'partition batches applied concurrently',
      },
      {
        name: 'BENCH_READS_PER_S',
        value: 'int',
        default: '5000',
        description:
          'reads due per second; 0 = closed loop (each read as soon as the last returned, which under-samples stalls: for comparison only)',
      },
      {
        name: 'BENCH_WRITER_CPUS',
        value: 'cpus',
        default: 'the last CPU',
        description: "CPU list the builder is pinned to (taskset syntax); '' = unpinned",
      },
    ],
  },
  process.argv.slice(2),
);

const intEnv = (name: string, def: number, min = 1): number => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? def : Number(v);
  if (!Number.isInteger(n) || n < min)
    throw new Error(`${name}: expected an integer >= ${String(min)}`);
  return n;
};

const USERS = intEnv('BENCH_USERS', 20_000);
const ROUNDS = intEnv('BENCH_ROUNDS', 4);
const MAX_OPS = intEnv('PROFILE_MAX_OPS_PER_CALL', 64);
const MAX_PROFILES = intEnv('PROFILE_MAX_PROFILES_PER_CALL', 16);
const CONCURRENCY = intEnv('PROFILE_CONCURRENCY', 4);
const IN_FLIGHT = intEnv('PROFILE_MAX_CALLS_IN_FLIGHT', 1);
const READS_PER_S = intEnv('BENCH_READS_PER_S', 5000, 0);
const IDLE_READ_MS = 2000;
/** CPU list the builder is pinned to (taskset syntax); '' leaves it unpinned. Default: the last CPU. */
const WRITER_CPUS = process.env['BENCH_WRITER_CPUS'] ?? String(availableParallelism() - 1);
const brokers = defaultBrokers('eu', process.env['KAFKA_BROKERS']);
const redisUrl = defaultRedisUrl('eu', process.env['REDIS_URL']);

/** What the read worker reports: per read, when it was issued (epoch ms), latency (ms), found (1/0). */
interface ReadLog {
  issued: number[];
  latencies: number[];
  found: number[];
}

/** Latencies (sorted) and hits of the reads issued and answered within [from, to] (performance.now()). */
function readsBetween(
  reads: ReadLog,
  from: number,
  to: number,
): { latencies: number[]; found: number } {
  const lo = performance.timeOrigin + from;
  const hi = performance.timeOrigin + to;
  const latencies: number[] = [];
  let found = 0;
  reads.issued.forEach((t, i) => {
    const l = reads.latencies[i] ?? 0;
    if (t < lo || t + l > hi) return;
    latencies.push(l);
    found += reads.found[i] ?? 0;
  });
  return { latencies: latencies.sort((a, b) => a - b), found };
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
const round3 = (v: number): number => Math.round(v * 1000) / 1000;
const log = (msg: string): void => void process.stderr.write(`[bench:profiles] ${msg}\n`);

/** redis-benchmark pipelined SET/GET throughput against the same server (the ceiling). */
function redisCeiling(url: string): { set: number; get: number } {
  const u = new URL(url);
  const csv = execFileSync(
    'redis-benchmark',
    [
      '-h',
      u.hostname,
      '-p',
      u.port || '6379',
      '-q',
      '-P',
      '16',
      '-t',
      'set,get',
      '-n',
      '200000',
      '--csv',
    ],
    { encoding: 'utf8' },
  );
  const rps = (test: string): number => {
    const line = csv.split('\n').find((l) => l.startsWith(`"${test}"`));
    return Math.round(Number(line?.split(',')[1]?.replaceAll('"', '') ?? 'NaN'));
  };
  return { set: rps('SET'), get: rps('GET') };
}

/**
 * EVALSHA calls and the time Redis spent in them so far (INFO commandstats; the server's totals,
 * so anyone else's scripts count too). A bid-path read can wait behind one call in flight.
 */
async function scriptStats(redis: Redis): Promise<{ calls: number; usec: number }> {
  const line = /cmdstat_evalsha:calls=(\d+),usec=(\d+)/.exec(await redis.info('commandstats'));
  return { calls: Number(line?.[1] ?? 0), usec: Number(line?.[2] ?? 0) };
}

async function main(): Promise<void> {
  const ns = `bench-${randomBytes(4).toString('hex')}-`;
  const keyPrefix = `bench-${randomBytes(4).toString('hex')}:`;
  const topics = catalogue(ns);
  const logger = silentLogger();
  const kafka = createKafka({ clientId: 'bench-profiles', brokers, logger });
  const redis = createRedis(redisUrl, logger, { lazyConnect: false });
  const inputs = [topics.userEvents, topics.impressions, topics.clicks, topics.deadLetter];
  await ensureTopics(kafka, inputs);
  const publisher = await createPublisher(kafka);
  let builder: ProfileBuilder | undefined;
  try {
    const ev = syntheticEvents({ users: USERS, rounds: ROUNDS, ts0: Date.now() - 3_600_000 });
    const total = ev.userEvents.length + ev.impressions.length + ev.clicks.length;
    log(`producing ${String(total)} events`);
    for (const [topic, values] of [
      [topics.userEvents, ev.userEvents],
      [topics.impressions, ev.impressions],
      [topics.clicks, ev.clicks],
    ] as const)
      for (let i = 0; i < values.length; i += 10_000)
        await publisher.publish(topic, values.slice(i, i + 10_000) as never[]);

    const registry = new Registry();
    builder = new ProfileBuilder({
      kafka,
      redis,
      topics,
      groupId: `${ns}profile-builder-eu`,
      deadLetter: publisher,
      registry,
      logger,
      concurrency: CONCURRENCY,
      store: {
        keyPrefix,
        maxOpsPerCall: MAX_OPS,
        maxProfilesPerCall: MAX_PROFILES,
        maxCallsInFlight: IN_FLIGHT,
      },
    });
    const applied = async (): Promise<number> =>
      (await builder?.metrics.applied.get())?.values.reduce((s, v) => s + v.value, 0) ?? 0;

    const readerProc = fork(
      new URL('./read-worker.ts', import.meta.url),
      [redisUrl, keyPrefix, String(USERS), String(READS_PER_S)],
      { execArgv: ['--conditions=@streambid/source', '--import', 'tsx'] },
    );
    const readResult = new Promise<ReadLog>((resolve, reject) => {
      readerProc.on('message', (m) => {
        if (typeof m === 'object') resolve(m as ReadLog);
      });
      readerProc.once('error', reject);
      readerProc.once('exit', (code) => reject(new Error(`reader exited with ${String(code)}`)));
    });
    await new Promise<void>((resolve) => readerProc.once('message', () => resolve()));

    // The same reads with no writer, first: the floor this machine gives a read at the moment.
    const idleFrom = performance.now();
    await new Promise((resolve) => setTimeout(resolve, IDLE_READ_MS));
    const idleTo = performance.now();
    log('consuming');
    // Deployed like the README recommends: the builder (this process, every thread) confined to
    // one CPU, so that it cannot crowd Redis and the reader off the other. The reader was forked
    // before this and keeps every CPU.
    if (WRITER_CPUS !== '')
      execFileSync('taskset', ['-a', '-p', '-c', WRITER_CPUS, String(process.pid)], {
        stdio: 'ignore',
      });
    const scripts0 = await scriptStats(redis);
    const cpu0 = process.cpuUsage();
    const redisCpu0 = await redisCpuUs(redis);
    const t0 = performance.now();
    await builder.start();
    const first = await waitFor(async () => ((await applied()) > 0 ? performance.now() : null), {
      timeoutMs: 60_000,
      intervalMs: 5,
      what: 'first batch',
    });
    const firstCount = await applied();
    const done = await waitFor(
      async () => ((await applied()) >= total ? performance.now() : null),
      {
        timeoutMs: 600_000,
        intervalMs: 5,
        what: `${String(total)} events applied`,
      },
    );
    const cpu = process.cpuUsage(cpu0);
    const redisCpu = (await redisCpuUs(redis)) - redisCpu0;
    const scripts1 = await scriptStats(redis);
    readerProc.send('stop');
    const reads = await readResult;
    // Only reads made while the builder was writing (first applied batch to last): reads during
    // the group join or after the last batch meet an idle Redis and would flatter the tail.
    const { latencies: lat, found } = readsBetween(reads, first, done);
    const idle = readsBetween(reads, idleFrom, idleTo).latencies;
    const eventsPerS = (total - firstCount) / ((done - first) / 1000);
    log(`applied ${String(total)} in ${String(Math.round(done - t0))} ms incl. group join`);
    const ceiling = redisCeiling(redisUrl);

    console.log(
      JSON.stringify({
        bench: 'profiles',
        events: total,
        users: USERS,
        max_ops_per_call: MAX_OPS,
        max_profiles_per_call: MAX_PROFILES,
        concurrency: CONCURRENCY,
        max_calls_in_flight: IN_FLIGHT,
        writer_cpus: WRITER_CPUS,
        events_per_s: Math.round(eventsPerS),
        events_per_s_incl_startup: Math.round(total / ((done - t0) / 1000)),
        consumer_cpu_us_per_event: Math.round((10 * (cpu.user + cpu.system)) / total) / 10,
        redis_cpu_us_per_event: Math.round((10 * redisCpu) / total) / 10,
        reads_per_s_target: READS_PER_S,
        reads: lat.length,
        read_no_writes_p50_ms: round3(quantile(idle, 0.5)),
        read_no_writes_p99_ms: round3(quantile(idle, 0.99)),
        reads_found_pct: Math.round((100 * found) / Math.max(1, lat.length)),
        read_p50_ms: round3(quantile(lat, 0.5)),
        read_p99_ms: round3(quantile(lat, 0.99)),
        read_p999_ms: round3(quantile(lat, 0.999)),
        read_max_ms: round3(lat[lat.length - 1] ?? 0),
        redis_script_calls: scripts1.calls - scripts0.calls,
        redis_script_ms_per_call: round3(
          (scripts1.usec - scripts0.usec) / 1000 / Math.max(1, scripts1.calls - scripts0.calls),
        ),
        redis_ceiling_ops_per_s: Math.round((ceiling.set + ceiling.get) / 2),
        // The figure to compare across machines: the builder against Redis on the same box, same run.
        events_vs_redis_ceiling:
          Math.round((eventsPerS / ((ceiling.set + ceiling.get) / 2)) * 1000) / 1000,
        redis_ceiling_set_ops_per_s: ceiling.set,
        redis_ceiling_get_ops_per_s: ceiling.get,
        note: 'redis ceiling: redis-benchmark -P 16 -t set,get -n 200000 (mean of SET and GET)',
      }),
    );
  } finally {
    await builder?.stop();
    await publisher.close();
    await deleteNamespace(localClusters('bench-cleanup', logger), ns);
    await deleteKeysWithPrefix(redis, keyPrefix);
    redis.disconnect();
  }
}

await main();
