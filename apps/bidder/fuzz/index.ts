// The bid-flow fuzzer's pieces the whole-stack HTTP fuzzer (test/fuzz) reuses: seeds, mutators,
// per-case generators and the pass rule. Source-only (`@streambid/bidder/fuzz`): not part of the
// bidder's production build.
export { flagsOrExit, freshSeed } from './args.js';
export {
  bidCase,
  caseRng,
  FINDING_COUNTER,
  fuzzBidder,
  passed,
  type FindingKind,
  type FuzzSummary,
} from './bid-fuzz.js';
export {
  chance,
  mutateJson,
  mutateQuery,
  mutateSegment,
  pick,
  scanSeed,
  type Rng,
  type Seed,
} from './mutators.js';
export { bidSeeds, type SeedPool } from './seeds.js';
