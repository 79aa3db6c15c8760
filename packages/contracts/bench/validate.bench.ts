/**
 * OpenRTB request validation benchmark: the checker generated from the declaration against zod 4
 * on the same contract, as compiled by `z.compile` and not. Prints one JSON line: per variant, the
 * median over trials of each trial's median µs per request (and the trials' range), and each zod
 * variant's time over the checker's, as a ratio taken within each trial, median over trials.
 * Run: node --conditions=@streambid/source --import tsx packages/contracts/bench/validate.bench.ts
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { bidRequestSchema } from '../src/openrtb/schema.js';
import { makeBidRequest, mulberry32 } from '@streambid/testkit';
import { parseBidRequest, validateBidRequest } from '../src/openrtb/validate.js';
import { argsOrExit } from '@streambid/adapters/cli';

argsOrExit(
  {
    name: 'bench:validate',
    usage: 'npm run bench:validate',
    about:
      'µs per OpenRTB request of JSON.parse, zod, the hand-written validator and parseBidRequest over 512 generated requests; needs no services. Prints one JSON line.',
    flags: {},
  },
  process.argv.slice(2),
);

const POOL = 512;
const TRIALS = 5;
const WARMUP_ROUNDS = 20;
const ROUNDS = 40;

const zodVersion = (createRequire(import.meta.url)('zod/package.json') as { version: string })
  .version;
// Strict: a schema the compiler refused would silently measure the runtime parser again.
const compiledSchema = z.compile(bidRequestSchema, { strict: true });

const rng = mulberry32(42);
const bodies = Array.from({ length: POOL }, () => JSON.stringify(makeBidRequest(rng)));
const parsed: unknown[] = bodies.map((b) => JSON.parse(b) as unknown);
const sizes = bodies.map((b) => Buffer.byteLength(b));

let sink = 0;

/** Median over rounds of the mean µs per call across the pool. */
function measure(fn: (i: number) => unknown): number {
  const perRound: number[] = [];
  for (let r = 0; r < WARMUP_ROUNDS + ROUNDS; r++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < POOL; i++) if (fn(i) !== undefined) sink++;
    const dt = Number(process.hrtime.bigint() - t0) / 1000 / POOL;
    if (r >= WARMUP_ROUNDS) perRound.push(dt);
  }
  return median(perRound);
}

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

const round = (x: number): number => Math.round(x * 100) / 100;

// Every request must be valid for the comparison to be fair, and the compiled schema must give
// what the runtime parser gives.
for (let i = 0; i < POOL; i++) {
  const runtime = bidRequestSchema.safeParse(parsed[i]);
  const compiled = compiledSchema.safeParse(parsed[i]);
  if (!validateBidRequest(parsed[i]).ok || !runtime.success || !compiled.success) {
    throw new Error(`generated request ${String(i)} failed validation`);
  }
  if (JSON.stringify(runtime.data) !== JSON.stringify(compiled.data)) {
    throw new Error(`z.compile gave a different value for request ${String(i)}`);
  }
}

const VARIANTS = {
  json_parse: (i: number) => JSON.parse(bodies[i] ?? ''),
  zod_safe_parse: (i: number) => bidRequestSchema.safeParse(parsed[i]).success,
  zod_compiled_safe_parse: (i: number) => compiledSchema.safeParse(parsed[i]).success,
  hand_validate: (i: number) => validateBidRequest(parsed[i]).ok,
  parse_bid_request: (i: number) => parseBidRequest(bodies[i] ?? '').ok,
} as const;
type Variant = keyof typeof VARIANTS;
const NAMES = Object.keys(VARIANTS) as Variant[];

const perTrial = Object.fromEntries(NAMES.map((n) => [n, [] as number[]])) as Record<
  Variant,
  number[]
>;
const ratios = { zod_safe_parse: [] as number[], zod_compiled_safe_parse: [] as number[] };
for (let t = 0; t < TRIALS; t++) {
  // A different order each trial, so no variant always runs on the warmest (or noisiest) slot.
  const order = NAMES.map((_, k) => NAMES[(k + t) % NAMES.length] as Variant);
  const us = {} as Record<Variant, number>;
  for (const n of order) us[n] = measure(VARIANTS[n]);
  for (const n of NAMES) perTrial[n].push(us[n]);
  ratios.zod_safe_parse.push(us.zod_safe_parse / us.hand_validate);
  ratios.zod_compiled_safe_parse.push(us.zod_compiled_safe_parse / us.hand_validate);
}

const usPerOp = Object.fromEntries(NAMES.map((n) => [n, round(median(perTrial[n]))]));
const usRange = Object.fromEntries(
  NAMES.map((n) => [n, [round(Math.min(...perTrial[n])), round(Math.max(...perTrial[n]))]]),
);

console.log(
  JSON.stringify({
    bench: 'openrtb.validate',
    node: process.version,
    zod: zodVersion,
    requests: POOL,
    trials: TRIALS,
    rounds_per_trial: ROUNDS,
    bytes: {
      mean: Math.round(sizes.reduce((a, b) => a + b, 0) / POOL),
      min: Math.min(...sizes),
      max: Math.max(...sizes),
    },
    us_per_op: usPerOp,
    us_per_op_range: usRange,
    zod_over_hand: round(median(ratios.zod_safe_parse)),
    zod_compiled_over_hand: round(median(ratios.zod_compiled_safe_parse)),
    sink: sink > 0,
  }),
);
