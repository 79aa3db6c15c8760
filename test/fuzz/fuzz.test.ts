/**
 * CI-sized runs of the two fuzzers (the full-size ones are `npm run fuzz:bidder -- --cases
 * 1000000` and `npm run fuzz:http -- --cases 50000`): no crash, hang, 5xx or invalid event. A
 * failure names the seed that replays it. RSS growth is judged on the full-size runs; 20,000 cases
 * are too few to tell a leak from the heap settling.
 */
import { describe, expect, it } from 'vitest';
import { fuzzBidder, type FuzzSummary } from '@streambid/bidder/fuzz';
import { endpoints, uniq } from '@streambid/testkit/services';
import { fuzzHttp } from './http-fuzz.js';

const zeros = (s: FuzzSummary) => ({
  crashes: s.crashes,
  hangs: s.hangs,
  status_5xx: s.status_5xx,
  invalid_events: s.invalid_events,
});
const ZERO = { crashes: 0, hangs: 0, status_5xx: 0, invalid_events: 0 };
const seed = (Date.now() ^ (process.pid << 8)) >>> 0;

describe('raw-text fuzzers, CI-sized', () => {
  it('fuzz:bidder: 20,000 mutated requests through the bid flow in process', async () => {
    const r = await fuzzBidder({ cases: 20_000, seed, workers: 1 });
    const why = `replay: npm run fuzz:bidder -- --cases 20000 --seed ${String(seed)}\n${JSON.stringify(r.findings, null, 1).slice(0, 4000)}`;
    expect(zeros(r.summary), why).toEqual(ZERO);
    // It did reach bids, and every bid's trackers were checked.
    expect(r.stats.bids).toBeGreaterThan(1000);
    expect(r.stats.trackerChecks).toBe(r.stats.bids);
  }, 120_000);

  it('fuzz:http: 3,000 requests to a two-worker bidder and the inventory API over HTTP', async () => {
    const ep = endpoints();
    const r = await fuzzHttp({
      cases: 3000,
      seed,
      kafka: ep.kafka.eu ?? '',
      clusters: Object.values(ep.kafka),
      redis: ep.redis.eu ?? '',
      namespace: `${uniq('fuzz')}-`,
    });
    const why = `replay: npm run fuzz:http -- --cases 3000 --seed ${String(seed)}\n${JSON.stringify(r.findings, null, 1).slice(0, 4000)}`;
    expect(zeros(r.summary), why).toEqual(ZERO);
    const stats = r.stats as { expected: { bids: number; wins: number } };
    expect(stats.expected.bids).toBeGreaterThan(100);
    expect(stats.expected.wins).toBeGreaterThan(10);
  }, 120_000);
});
