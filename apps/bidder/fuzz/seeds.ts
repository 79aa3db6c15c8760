/**
 * Seed texts for the raw-text fuzzers: the OpenRTB fixtures as written (pretty-printed), generated
 * samples (some buying through the fuzz world's deals), and requests drawn from the validator's
 * accepted space (the property test's arbitrary, so boundaries — maximum lengths, counts, lone
 * surrogates — are in the seeds the mutators start from).
 */
import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { bidRequestSpec, type BidRequest } from '@streambid/contracts';
import { makeBidRequest, mulberry32 } from '@streambid/testkit';
import { arbitraryOf } from '@streambid/testkit/arbitrary';
import { scanSeed, type Rng, type Seed } from './mutators.js';
import { ACCEPTED_HINTS, WORLD_DEAL_IDS } from './world.js';

const FIXTURES = new URL('../../../test/fixtures/openrtb/', import.meta.url);

/** The fixture requests (every file but `malformed.json`), as their text. */
export function fixtureSeeds(): Seed[] {
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.json') && f !== 'malformed.json')
    .sort()
    .map((f) => scanSeed(f, readFileSync(new URL(f, FIXTURES), 'utf8')));
}

/** Generated requests; every fourth buys through one of the world's deals. */
export function sampleRequests(seed: number, n: number): BidRequest[] {
  const rng = mulberry32(seed);
  const out: BidRequest[] = [];
  for (let i = 0; i < n; i++) {
    const media = i % 5 === 1 ? 'video' : i % 5 === 2 ? 'native' : undefined;
    const req = makeBidRequest(rng, media ? { media, maxImps: 4 } : { maxImps: 4 });
    if (i % 4 === 0) {
      const imp = req.imp[0];
      if (imp) {
        imp.pmp = {
          private_auction: i % 8 === 0 ? 1 : 0,
          deals: [{ id: WORLD_DEAL_IDS[i % 2] ?? 'deal-fz-1', bidfloor: 1, bidfloorcur: 'USD' }],
        };
      }
    }
    out.push(req);
  }
  return out;
}

/** Requests from the accepted space, each at most `maxChars` of JSON. */
export function acceptedSeeds(seed: number, n: number, maxChars: number): Seed[] {
  const arb = arbitraryOf(bidRequestSpec, { hints: ACCEPTED_HINTS });
  const out: Seed[] = [];
  for (const req of fc.sample(arb, { seed, numRuns: n * 3 })) {
    const text = JSON.stringify(req);
    if (text.length <= maxChars) out.push(scanSeed(`accepted-${String(out.length)}`, text));
    if (out.length >= n) break;
  }
  return out;
}

/** The seeds of a run: real-looking requests, and boundary-heavy ones from the accepted space. */
export interface SeedPool {
  /** Fixtures and generated samples (~1–3 KB). */
  common: Seed[];
  /** Drawn from the accepted space (up to `maxChars`, ~15 KB on average). */
  accepted: Seed[];
}

/** Every seed kind, in a fixed order for a given seed. */
export function bidSeeds(seed: number, o: { maxChars?: number } = {}): SeedPool {
  return {
    common: [
      ...fixtureSeeds(),
      ...sampleRequests(seed, 120).map((r, i) =>
        scanSeed(`sample-${String(i)}`, JSON.stringify(r)),
      ),
    ],
    // A quarter of the bidder's default body limit: most mutations of them still reach the flow.
    accepted: acceptedSeeds(seed, 60, o.maxChars ?? 16 * 1024),
  };
}

/** A seed for one case: one in ten from the accepted space (they cost ~6× more to parse). */
export function pickSeed(rng: Rng, pool: SeedPool): Seed {
  const from = pool.accepted.length > 0 && rng() < 0.1 ? pool.accepted : pool.common;
  return from[Math.floor(rng() * from.length)] as Seed;
}
