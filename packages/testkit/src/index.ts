/**
 * Test and benchmark helpers that need no running service: fixtures, the sample OpenRTB request
 * generator and the seeded PRNG. Service clients for integration tests are in
 * `@streambid/testkit/services`, fast-check arbitraries in `@streambid/testkit/arbitrary`, so
 * importing this entry pulls in neither vitest nor fast-check (the load test and the fuzzers run
 * outside vitest).
 */
export { makeBidRequest, SAMPLE_BANNER_SIZES, SAMPLE_COUNTRIES } from './sample.js';
export type { SampleOptions } from './sample.js';
// The PRNG lives with the traffic simulator, which production tools (the fraud evaluation) run
// too; the kit re-exports it so tests and benches get generator and seed from one place.
export { mulberry32 } from '@streambid/traffic';
export { countryCodes, makeCampaign, makeSpend, SAMPLE_BANNER } from './fixtures.js';
export { openBannerRequest } from './requests.js';
export { RUN_ENV } from './run.js';
export { KeepAliveConnection, type KeepAliveAnswer } from './http.js';
export { deleteKeysWithPrefix, redisCpuUs } from './redis.js';
