/**
 * OpenRTB request validation benchmark. Prints one JSON line with µs per operation.
 * Run: node --conditions=@streambid/source --import tsx packages/contracts/bench/validate.bench.ts
 */
import { bidRequestSchema } from '../src/openrtb/schema.js';
import { makeBidRequest, mulberry32 } from '../src/openrtb/sample.js';
import { parseBidRequest, validateBidRequest } from '../src/openrtb/validate.js';

const POOL = 512;
const WARMUP_ROUNDS = 40;
const ROUNDS = 60;

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
  perRound.sort((a, b) => a - b);
  return perRound[Math.floor(perRound.length / 2)] ?? Number.NaN;
}

const round = (x: number): number => Math.round(x * 100) / 100;

// Every request must be valid for the comparison to be fair.
for (let i = 0; i < POOL; i++) {
  if (!validateBidRequest(parsed[i]).ok || !bidRequestSchema.safeParse(parsed[i]).success) {
    throw new Error(`generated request ${String(i)} failed validation`);
  }
}

const jsonParse = measure((i) => JSON.parse(bodies[i] ?? ''));
const zod = measure((i) => bidRequestSchema.safeParse(parsed[i]).success);
const hand = measure((i) => validateBidRequest(parsed[i]).ok);
const full = measure((i) => parseBidRequest(bodies[i] ?? '').ok);

console.log(
  JSON.stringify({
    bench: 'openrtb.validate',
    node: process.version,
    requests: POOL,
    bytes: {
      mean: Math.round(sizes.reduce((a, b) => a + b, 0) / POOL),
      min: Math.min(...sizes),
      max: Math.max(...sizes),
    },
    us_per_op: {
      json_parse: round(jsonParse),
      zod_safe_parse: round(zod),
      hand_validate: round(hand),
      parse_bid_request: round(full),
    },
    zod_over_hand: round(zod / hand),
    sink: sink > 0,
  }),
);
