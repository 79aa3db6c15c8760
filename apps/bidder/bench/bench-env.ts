/**
 * The environment `bench:bidder` reads: one zod schema, parsed once at start-up; `--help` lists
 * it with the JSDoc below. The defaults keep a run near 4 minutes on the 2-core build machine.
 */
import { z } from 'zod';

const positive = z.coerce.number().positive();
const count = (min: number) => z.coerce.number().int().min(min);

export const benchEnvSchema = z.object({
  /** Seconds per trial of a rate step (and per warm-up trial). */
  BENCH_STEP_S: positive.default(3),
  /** Rates tried in turn (req/s), until a target's median trial misses the goal. */
  BENCH_RATES: z
    .string()
    .default('500,1000,2000,4000,6000,8000,10000,12000,14000')
    .transform((v) => v.split(',').map((s) => Number(s.trim())))
    .pipe(z.array(z.number().positive()).min(1)),
  /** Trials per target at each rate, bidder and hello world interleaved; the median decides. */
  BENCH_TRIALS: count(1).default(3),
  /** Warm-up trials per target before the first measurement. */
  BENCH_WARMUP_STEPS: count(0).default(2),
  /** Arrival rate of the warm-up trials (req/s). */
  BENCH_WARMUP_RATE: positive.default(2000),
  /** The fixed moderate rate (req/s) at which CPU per request is measured. */
  BENCH_CPU_RATE: positive.default(1000),
  /** Seconds per CPU trial (and of the idle window before them). */
  BENCH_CPU_S: positive.default(5),
  /** Seconds per wrk trial (closed-loop peak, `wrk -t1 -c32`); 0 skips wrk. */
  BENCH_WRK_S: z.coerce.number().min(0).default(4),
  /** Connections of the wrk trials. */
  BENCH_WRK_CONNECTIONS: count(1).default(32),
  /** The bidder's worker threads (0: one thread serves). @default cores */
  BIDDER_WORKERS: count(0).optional(),
  /** Extra Node flags of the bidder, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`. */
  BENCH_BIDDER_NODE_ARGS: z.string().default(''),
  /** Where to keep the bidder's own metrics (server-side latency, GC, loop delay). */
  BENCH_METRICS_OUT: z.string().optional(),
});

export type BenchEnv = z.infer<typeof benchEnvSchema>;
