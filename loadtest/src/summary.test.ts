import { describe, expect, it } from 'vitest';
import type { OpenModelResult } from '@streambid/loadgen';
import { scenarioSchema } from './args.js';
import type { RegionRun } from './run.js';
import type { SeededCampaign } from './seed.js';
import { summarise } from './summary.js';

function run(p99: number, wins: [string, number][], blocklistedBids = 0): RegionRun {
  const result: OpenModelResult = {
    targetRate: 100,
    durationS: 10,
    sent: 1000,
    completed: 1000,
    errors: 0,
    skipped: 0,
    statusCounts: { '200': 600, '204': 400 },
    tagCounts: {},
    throughputRps: 100,
    latencyMs: { p50: 1, p90: 2, p99, p999: p99, max: p99, mean: 1 },
    sendLagMs: { p99: 0, max: 0 },
  };
  return {
    region: 'eu',
    result,
    bids: 600,
    wins: 10,
    clicks: 1,
    noticeErrors: 0,
    blocklistedBids,
    botRequests: 0,
    winsByUserCampaign: new Map(wins),
  };
}

const seeded = [
  { id: 'c1', homeRegion: 'eu', budgetMicros: 1_000_000, perDayCap: 2 },
] as unknown as SeededCampaign[];

function summary(warm: RegionRun, measured: RegionRun) {
  return summarise({
    runId: 'r',
    scenario: scenarioSchema.parse({ thresholds: { p99Ms: 50 } }),
    runs: [measured],
    warmup: [warm],
    seeded,
    spend: { byCampaign: new Map([['c1', 500_000]]), byRegion: new Map() },
    lag: { p50: null, p99: null },
    reportHtml: 'x.html',
    reportJson: 'x.json',
  });
}

describe('load-test summary', () => {
  it('holds the latency threshold to the measured phase and reports the warm-up on its own', () => {
    const s = summary(run(400, []), run(20, []));
    expect(s.passed).toBe(true);
    expect(s.regions['eu']?.p99_ms).toBe(20);
    expect(s.warmup.regions['eu']?.p99_ms).toBe(400);
    expect(summary(run(10, []), run(60, [])).passed).toBe(false);
  });

  it('counts frequency caps and blocklisted bids across warm-up and measured phase together', () => {
    const s = summary(run(1, [['u1|c1', 2]], 1), run(1, [['u1|c1', 1]], 2));
    expect(s.freq_cap_violations).toBe(1);
    expect(s.blocklisted_bids).toBe(3);
    expect(s.passed).toBe(true);
  });
});
