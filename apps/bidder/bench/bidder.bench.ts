/**
 * `npm run bench:bidder`: max arrival rate at which the bidder keeps p99 ≤ 5 ms, against a uWS
 * hello world with the same open-model generator. Starts its own topics (~1,000 campaigns),
 * seeded profiles and a bidder child process with workers. Last line: one JSON summary.
 */
import { BIDDER_NODE_FLAGS } from '../src/node-flags.js';
import { campaigns, requests } from './workload.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  createKafka,
  createPublisher,
  createRedis,
  deleteNamespace,
  ensureTopics,
  freePort,
  localClusters,
  silentLogger,
  waitFor,
} from '@streambid/adapters';
import { catalogue, mulberry32, type BudgetAllowance } from '@streambid/contracts';
import { runOpenModel, type OpenModelResult } from '@streambid/loadgen';
import { ProfileWriter } from '@streambid/profiles';

const ROOT = new URL('../../../', import.meta.url);
const NODE_ARGS = ['--conditions=@streambid/source', '--import', 'tsx'];
const P99_GOAL_MS = 5;
const STEP_S = Number(process.env['BENCH_STEP_S'] ?? '5');
const RATES = (process.env['BENCH_RATES'] ?? '500,1000,2000,4000,6000,8000,10000,12000')
  .split(',')
  .map(Number);
const WARMUP_STEPS = Number(process.env['BENCH_WARMUP_STEPS'] ?? '2');
const WORKERS = Number(process.env['BIDDER_WORKERS'] ?? String(availableParallelism()));
const log = (m: string): void => console.log(`[bench] ${m}`);

async function step(url: string, rate: number, bodies: string[]): Promise<OpenModelResult> {
  return runOpenModel({
    url,
    rate,
    durationS: STEP_S,
    connections: 64,
    timeline: true,
    makeRequest: (i) => ({
      method: 'POST',
      path: '/openrtb2/bid',
      body: bodies[i % bodies.length] ?? '',
      headers: { 'content-type': 'application/json', 'x-openrtb-version': '2.6' },
    }),
  });
}

/** Steps the rate up; the best rate is the highest with p99 within the goal and no errors. */
async function search(
  name: string,
  url: string,
  bodies: string[],
): Promise<{ best: OpenModelResult | undefined; steps: object[] }> {
  let best: OpenModelResult | undefined;
  const steps: object[] = [];
  // Warm-up (JIT, connections; MirrorMaker 2 picks up the bench's new topics within seconds).
  for (let i = 0; i < WARMUP_STEPS; i++) await step(url, 2000, bodies);
  for (const rate of RATES) {
    log(`${name} ${String(rate)}/s for ${String(STEP_S)} s …`);
    const r = await step(url, rate, bodies);
    const ok = r.latencyMs.p99 <= P99_GOAL_MS && r.errors === 0 && r.skipped === 0;
    steps.push({
      rate,
      rps: r.throughputRps,
      p50: r.latencyMs.p50,
      p99: r.latencyMs.p99,
      p999: r.latencyMs.p999,
      sendLagP99: r.sendLagMs.p99,
      status: r.statusCounts,
      // One slow second (a GC, a stall) tells a different story from a slow step.
      p99ByS: (r.timeline ?? []).map((t) => t.p99Ms),
      ok,
    });
    log(
      `${name} ${String(rate)}/s → ${String(r.throughputRps)}/s p50 ${String(r.latencyMs.p50)} p99 ${String(r.latencyMs.p99)} p99.9 ${String(r.latencyMs.p999)} ms, sender lag p99 ${String(r.sendLagMs.p99)} ms ${JSON.stringify(r.statusCounts)}${ok ? '' : ' (over goal)'}; p99 by second ${(r.timeline ?? []).map((t) => String(t.p99Ms)).join(' ')}`,
    );
    if (!ok) break;
    best = r;
  }
  return { best, steps };
}

function spawnNode(args: string[], env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, [...NODE_ARGS, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}

async function stop(p: ChildProcess): Promise<void> {
  if (p.exitCode !== null) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await gone;
}

async function main(): Promise<void> {
  const ns = `bench-${randomUUID().slice(0, 8)}-`;
  const topics = catalogue(ns);
  const prefix = `bench-${randomUUID().slice(0, 8)}:`;
  const kafka = createKafka({
    clientId: 'bench',
    brokers: ['127.0.0.1:9092'],
    logger: silentLogger(),
  });
  await ensureTopics(kafka, Object.values(topics));
  const pub = await createPublisher(kafka);
  const rng = mulberry32(7);
  const cs = campaigns(rng, 1000);
  await pub.publish(topics.campaigns, cs);
  const allowances: BudgetAllowance[] = cs.map((c) => ({
    eventId: randomUUID(),
    ts: Date.now(),
    campaignId: c.id,
    region: 'eu',
    capMicros: 1e12,
    paceMicrosPerSec: 1e10,
    exhausted: false,
  }));
  await pub.publish(topics.budget, allowances);
  await pub.close();
  log(`published ${String(cs.length)} campaigns under ${ns}`);

  // Request pool: realistic 2.6 traffic; some deals use ids campaigns buy, with our seat allowed.
  const reqs = requests(rng, 4000);
  const redis = createRedis('redis://127.0.0.1:6379', silentLogger(), { lazyConnect: false });
  const writer = new ProfileWriter(redis, { keyPrefix: prefix });
  const users = reqs
    .map((r) => r.user?.buyeruid ?? r.user?.id)
    .filter((u): u is string => u !== undefined);
  const seeded = users.filter((_, i) => i % 2 === 0);
  for (let i = 0; i < seeded.length; i += 500)
    await writer.apply(
      seeded.slice(i, i + 500).map((userId) => ({
        type: 'segments' as const,
        userId,
        ts: Date.now(),
        segments: [{ id: `seg-${String(1 + Math.floor(rng() * 50))}`, score: 0.8 }],
      })),
    );
  redis.disconnect();
  log(`seeded ${String(seeded.length)} of ${String(users.length)} user profiles`);
  const bodies = reqs.map((r) => JSON.stringify(r));

  const port = await freePort();
  // BENCH_BIDDER_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, profiles the bidder.
  const extra = (process.env['BENCH_BIDDER_NODE_ARGS'] ?? '').split(' ').filter(Boolean);
  const bidder = spawnNode([...extra, ...BIDDER_NODE_FLAGS, 'apps/bidder/src/main.ts'], {
    BIDDER_PORT: String(port),
    REGION: 'eu',
    TOPIC_NAMESPACE: ns,
    PROFILE_KEY_PREFIX: prefix,
    BIDDER_WORKERS: String(WORKERS),
    LOG_LEVEL: 'warn',
  });
  const url = `http://127.0.0.1:${String(port)}`;
  let rssMb = 0;
  let b: Awaited<ReturnType<typeof search>>;
  try {
    await waitFor(
      async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.status === 200,
      { timeoutMs: 90_000, intervalMs: 200, what: 'bidder healthy' },
    );
    b = await search('bidder', url, bodies);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    // BENCH_METRICS_OUT=<file> keeps the bidder's own metrics (server-side latency, GC, loop delay).
    const out = process.env['BENCH_METRICS_OUT'];
    if (out) writeFileSync(out, metrics);
    rssMb = Math.round(
      Number(/^process_resident_memory_bytes\{[^}]*\} (\d+)/m.exec(metrics)?.[1] ?? 0) / 1048576,
    );
  } finally {
    await stop(bidder);
  }

  const hport = await freePort();
  const hello = spawnNode(['apps/bidder/bench/hello.ts', String(hport)], {});
  let h: Awaited<ReturnType<typeof search>>;
  try {
    await waitFor(
      async () =>
        (await fetch(`http://127.0.0.1:${String(hport)}/`).catch(() => undefined))?.status === 200,
      { timeoutMs: 30_000, intervalMs: 100, what: 'hello up' },
    );
    h = await search('hello', `http://127.0.0.1:${String(hport)}`, bodies);
  } finally {
    await stop(hello);
  }
  await deleteNamespace(localClusters('bench-cleanup', silentLogger()), ns);
  const bidderMax = b.best?.targetRate ?? 0;
  const helloMax = h.best?.targetRate ?? 0;
  const summary = {
    bench: 'bidder',
    bidder_max_rps: bidderMax,
    bidder_p50_ms: b.best?.latencyMs.p50 ?? null,
    bidder_p99_ms: b.best?.latencyMs.p99 ?? null,
    bidder_p999_ms: b.best?.latencyMs.p999 ?? null,
    hello_max_rps: helloMax,
    ratio: helloMax > 0 ? Math.round((bidderMax / helloMax) * 100) / 100 : null,
    rss_mb: rssMb,
    workers: WORKERS,
    cores: availableParallelism(),
    campaigns: cs.length,
    step_s: STEP_S,
    p99_goal_ms: P99_GOAL_MS,
    note: 'generator, bidder workers and Kafka/Redis share the same cores; the max rate is capped by the highest step tried',
    bidder_steps: b.steps,
    hello_steps: h.steps,
  };
  console.log(JSON.stringify(summary));
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
