/**
 * `npm run bench:idle`: what the whole local stack costs while nothing happens. Brings up two
 * regions (Kafka, Redis, the delay proxies, MirrorMaker 2, ClickHouse) and every app, lets it
 * settle, then reads each process's CPU time from `/proc` over a window with no traffic. CPU time
 * a process spends barely moves with other load on a shared machine, so the figure holds on a busy
 * one, as long as nothing else uses this stack (run it with no other test or bench on the same
 * ports). Stops what it started. Last line: one JSON summary, shares in % of one core.
 */
import { argsOrExit, envRows } from '@streambid/adapters';
import { status } from '@streambid/infra';
import { listProcStats, ticksToUs, treeTicks } from '@streambid/loadgen';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { setAppPortOffset, startStack, stopStack } from '../src/run.js';

const envSchema = z.object({
  BENCH_IDLE_SETTLE_S: z.coerce
    .number()
    .int()
    .min(0)
    .max(600)
    .default(30)
    .describe('seconds the stack runs before the window (JIT, MirrorMaker 2 start-up)'),
  BENCH_IDLE_S: z.coerce
    .number()
    .int()
    .min(1)
    .max(600)
    .default(30)
    .describe('seconds of the measured window'),
  BENCH_IDLE_PORT_OFFSET: z.coerce
    .number()
    .int()
    .min(0)
    .max(20_000)
    .default(0)
    .describe("added to every app's port (with the infra port variables: a stack beside another)"),
});

argsOrExit(
  {
    name: 'bench:idle',
    usage: 'npm run bench:idle',
    about:
      'CPU of every process of the idle two-region stack (infra and apps), from /proc, in % of one core. Last line: one JSON summary.',
    flags: {},
    env: envRows(envSchema, []),
  },
  process.argv.slice(2),
);
const env = envSchema.parse(process.env);
const say = (l: string): void => console.log(`[bench:idle] ${l}`);
setAppPortOffset(env.BENCH_IDLE_PORT_OFFSET);

const stack = await startStack({ regions: ['eu', 'us'], delayMs: 0, say, withClickfraud: true });
try {
  say(`settling ${String(env.BENCH_IDLE_SETTLE_S)} s ...`);
  await sleep(env.BENCH_IDLE_SETTLE_S * 1000);
  const pids = new Map<string, number>();
  for (const s of await status({ regions: ['eu', 'us'] })) if (s.pid) pids.set(s.name, s.pid);
  for (const a of stack.apps) if (a.child.pid) pids.set(a.spec.name, a.child.pid);
  const sample = (): Map<string, number> => {
    const stats = listProcStats();
    return new Map([...pids].map(([name, pid]) => [name, treeTicks(pid, stats)]));
  };
  say(`measuring ${String(env.BENCH_IDLE_S)} s over ${String(pids.size)} processes ...`);
  const before = sample();
  const t0 = performance.now();
  await sleep(env.BENCH_IDLE_S * 1000);
  const after = sample();
  const wallUs = (performance.now() - t0) * 1000;
  const pct = (ticks: number): number => Math.round((ticksToUs(ticks) / wallUs) * 1000) / 10;
  const perProcess = Object.fromEntries(
    [...pids.keys()]
      .map((n) => [n, pct((after.get(n) ?? 0) - (before.get(n) ?? 0))] as const)
      .sort((a, b) => b[1] - a[1]),
  );
  const total = Math.round(Object.values(perProcess).reduce((a, b) => a + b, 0) * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'idle',
      window_s: env.BENCH_IDLE_S,
      settle_s: env.BENCH_IDLE_SETTLE_S,
      total_pct_of_core: total,
      goal_pct_of_core: 10,
      per_process_pct: perProcess,
    }),
  );
} finally {
  await stopStack(stack, say);
}
