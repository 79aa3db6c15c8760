/**
 * `npm run bench:bidder`: the bidder against a uWS hello world on the same machine in the same
 * run, by a method that holds on a shared, noisy machine. Both servers run side by side and take
 * turns at the load (trials interleaved), after a warm-up:
 * 1. the highest open-model arrival rate whose median trial (of `BENCH_TRIALS`) keeps p99 ≤ 5 ms
 *    with no errors, so one bad second fails a trial, not the step;
 * 2. CPU µs per request of each whole process tree at a fixed moderate rate, from `/proc`
 *    (barely moved by scheduling noise), and their ratio;
 * 3. closed-loop peak throughput with wrk as a cross-check.
 * Starts its own topics (~1,000 campaigns), seeded profiles and the two child processes.
 * Last line: one JSON summary.
 */
import { benchEnvSchema } from './bench-env.js';
import { consentCost } from './consent-cost.js';
import { prepareFixture } from './fixture.js';
import {
  cpuPerRequest,
  idleCores,
  P99_GOAL_MS,
  searchRates,
  stepSummary,
  warmUp,
  wrkPeaks,
  type Bench,
} from './measure.js';
import { startBidder, startHello, type Server } from './servers.js';
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import {
  argsOrExit,
  configOrExit,
  envRows,
  loadConfig,
  type CommandSpec,
} from '@streambid/adapters';
import { hostShares, readHostCpu } from '@streambid/loadgen';

const COMMAND = {
  name: 'bench:bidder',
  usage: 'npm run bench:bidder',
  about:
    'The bidder against a uWS hello world in the same run, trials interleaved and judged by their median: CPU µs per request at a fixed rate, the max arrival rate at p99 ≤ 5 ms, and the wrk closed-loop peak; needs `npm run infra -- up`. Last line: one JSON summary.',
  flags: {},
  env: envRows(benchEnvSchema, [import.meta.resolve('./bench-env.js')]),
} as const satisfies CommandSpec;

argsOrExit(COMMAND, process.argv.slice(2));
const env = configOrExit(COMMAND, () => loadConfig(benchEnvSchema));
const WORKERS = env.BIDDER_WORKERS ?? availableParallelism();
const log = (m: string): void => console.log(`[bench] ${m}`);
const ratio = (a: number | null | undefined, b: number | null | undefined): number | null =>
  a !== null && a !== undefined && b !== null && b !== undefined && b > 0 && Number.isFinite(a)
    ? Math.round((a / b) * 100) / 100
    : null;

/** RSS of the bidder from its own metrics; BENCH_METRICS_OUT keeps the whole text. */
async function bidderRssMb(bidder: Server): Promise<number> {
  const metrics = await (await fetch(`${bidder.url}/metrics`)).text();
  if (env.BENCH_METRICS_OUT !== undefined) writeFileSync(env.BENCH_METRICS_OUT, metrics);
  const bytes = /^process_resident_memory_bytes\{[^}]*\} (\d+)/m.exec(metrics)?.[1];
  return Math.round(Number(bytes ?? 0) / 1048576);
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const fx = await prepareFixture();
  log(
    `published ${String(fx.campaigns)} campaigns under ${fx.namespace}; seeded ${String(fx.seededUsers)} of ${String(fx.users)} user profiles`,
  );
  const servers: Server[] = [];
  let measured: Awaited<ReturnType<typeof measureAll>>;
  try {
    servers.push(
      await startBidder({
        namespace: fx.namespace,
        profilePrefix: fx.profilePrefix,
        workers: WORKERS,
        nodeArgs: env.BENCH_BIDDER_NODE_ARGS.split(' ').filter(Boolean),
      }),
    );
    servers.push(await startHello());
    measured = await measureAll({ servers, env, bodies: fx.bodies, log });
  } finally {
    for (const s of servers) await s.stop();
    await fx.cleanup();
  }
  const consent = consentCost(fx.requests);
  const { cpu, idle, search, wrk, rssMb, host } = measured;
  const b = search['bidder'];
  const h = search['hello'];
  const bidderCpu = cpu.usPerRequest['bidder'];
  const helloCpu = cpu.usPerRequest['hello'];
  const summary = {
    bench: 'bidder',
    bidder_max_rps: b?.maxRate ?? 0,
    bidder_p50_ms: b?.best?.p50Ms ?? null,
    bidder_p99_ms: b?.best?.p99Ms ?? null,
    bidder_p999_ms: b?.best?.p999Ms ?? null,
    hello_max_rps: h?.maxRate ?? 0,
    ratio: ratio(b?.maxRate, h?.maxRate),
    bidder_cpu_us_per_req: bidderCpu ?? null,
    hello_cpu_us_per_req: helloCpu ?? null,
    cpu_ratio: ratio(bidderCpu, helloCpu),
    bidder_idle_cores: idle['bidder'] ?? null,
    hello_idle_cores: idle['hello'] ?? null,
    wrk_bidder_rps: wrk.rps['bidder'] ?? null,
    wrk_hello_rps: wrk.rps['hello'] ?? null,
    wrk_ratio: ratio(wrk.rps['bidder'], wrk.rps['hello']),
    trials: env.BENCH_TRIALS,
    cpu_rate_rps: env.BENCH_CPU_RATE,
    cpu_s: env.BENCH_CPU_S,
    generator_cpu_us_per_req: cpu.generatorUsPerRequest,
    rss_mb: rssMb,
    workers: WORKERS,
    cores: availableParallelism(),
    campaigns: fx.campaigns,
    step_s: env.BENCH_STEP_S,
    p99_goal_ms: P99_GOAL_MS,
    max_rate_tried: Math.max(...env.BENCH_RATES),
    host_busy_pct: host.busyPct,
    steal_pct: host.stealPct,
    wall_s: Math.round((Date.now() - t0) / 1000),
    note: 'generator, both servers and Kafka/Redis share the same cores; a max rate equal to max_rate_tried is capped by the rates tried',
    consent,
    cpu_trials: cpu.trials,
    wrk_trials: wrk.trials,
    bidder_steps: (b?.steps ?? []).map(stepSummary),
    hello_steps: (h?.steps ?? []).map(stepSummary),
  };
  console.log(JSON.stringify(summary));
}

/** Every phase on both servers, and the host's busy and steal shares over them. */
async function measureAll(bench: Bench) {
  await warmUp(bench);
  const hostBefore = readHostCpu();
  const search = await searchRates(bench);
  const bidder = bench.servers.find((s) => s.name === 'bidder');
  const rssMb = bidder ? await bidderRssMb(bidder) : 0;
  const idle = await idleCores(bench);
  const cpu = await cpuPerRequest(bench);
  const wrk = await wrkPeaks(bench);
  return { cpu, idle, search, wrk, rssMb, host: hostShares(hostBefore, readHostCpu()) };
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
