import { describe, expect, it } from 'vitest';
import type { OpenModelResult } from '@streambid/loadgen';
import { scenarioSchema } from './args.js';
import { emptyRegionRun } from './region-run.js';
import type { BillingRecord, RegionRun } from './run.js';
import type { SeededCampaign } from './seed.js';
import { endOfTestSummary } from './report/terminal.js';
import { billingOutcomes, CHECKS_THRESHOLD, invalidSpendMicros, summarise } from './summary.js';

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
    ...emptyRegionRun('eu'),
    region: 'eu',
    result,
    bids: 600,
    wins: 10,
    clicks: 1,
    noticeErrors: 0,
    blocklistedBids,
    botRequests: 0,
    bidsOnKnownBots: 0,
    invalidBids: new Set(),
    winsByUserCampaign: new Map(wins),
    billing: new Map(),
  };
}

const seeded = [
  { id: 'c1', homeRegion: 'eu', budgetMicros: 1_000_000, perDayCap: 2 },
  { id: 'c2', homeRegion: 'us', budgetMicros: 1_000_000, perDayCap: undefined },
  { id: 'c3', homeRegion: 'us', budgetMicros: 1_000_000, perDayCap: undefined },
] as unknown as SeededCampaign[];

type SummaryInput = Parameters<typeof summarise>[0];

/** A summary's input with nothing spent and no endpoints; `over` sets what a test is about. */
function summaryInput(over: Partial<SummaryInput>): SummaryInput {
  return {
    runId: 'r',
    scenario: scenarioSchema.parse({}),
    runs: [],
    warmup: [],
    seeded: [],
    spend: {
      byCampaign: new Map(),
      byRegion: new Map(),
      eventsByBid: new Map(),
      cpmByBid: new Map(),
    },
    namespace: 'lt-r-',
    window: { from_ms: 0, to_ms: 1 },
    brokers: {},
    inventoryUrls: {},
    lag: { p50: null, p99: null },
    reportHtml: 'x.html',
    reportJson: 'x.json',
    ...over,
  };
}

function summary(warm: RegionRun, measured: RegionRun) {
  return summarise(
    summaryInput({
      scenario: scenarioSchema.parse({ thresholds: { p99Ms: 50 } }),
      runs: [measured],
      warmup: [warm],
      seeded,
      spend: {
        byCampaign: new Map([
          ['c1', 500_000],
          ['c3', 7],
        ]),
        byRegion: new Map(),
        eventsByBid: new Map(),
        cpmByBid: new Map(),
      },
    }),
  );
}

describe('load-test summary', () => {
  it('holds the latency threshold to the measured phase and reports the warm-up on its own', () => {
    const s = summary(run(400, []), run(20, []));
    expect(s.passed).toBe(true);
    expect(s.regions['eu']?.p99_ms).toBe(20);
    expect(s.warmup.regions['eu']?.p99_ms).toBe(400);
    expect(summary(run(10, []), run(60, [])).passed).toBe(false);
  });

  it('sums each campaign’s spend into its home region, zero included', () => {
    expect(summary(run(1, []), run(1, [])).spend_by_home_region).toEqual({ eu: 500_000, us: 7 });
  });

  it('counts frequency caps and blocklisted bids across warm-up and measured phase together', () => {
    const s = summary(run(1, [['u1|c1', 2]], 1), run(1, [['u1|c1', 1]], 2));
    expect(s.freq_cap_violations).toBe(1);
    expect(s.blocklisted_bids).toBe(3);
    expect(s.passed).toBe(true);
  });

  it('fails the run on a bid on a known bot, warm-up included', () => {
    const warm = run(1, []);
    warm.bidsOnKnownBots = 1;
    const s = summary(warm, run(1, []));
    expect(s.bids_on_known_bots).toBe(1);
    expect(s.threshold_list.find((t) => t.name === 'bids_on_known_bots')?.ok).toBe(false);
    expect(s.passed).toBe(false);
    expect(summary(run(1, []), run(1, [])).bids_on_known_bots).toBe(0);
  });

  it('adds up the spend of billed bids on invalid traffic exactly, sub-micro parts included', () => {
    const a = run(1, []);
    const b = run(1, []);
    a.invalidBids = new Set(['x', 'unbilled']);
    b.invalidBids = new Set(['y']);
    // 1,500 + 1,500 µCPM = 3 micros: each impression alone would round to 1.
    const cpm = new Map([
      ['x', 1_500],
      ['y', 1_500],
      ['human', 9_000_000],
    ]);
    expect(invalidSpendMicros([a, b], cpm)).toBe(3);
  });

  it('counts double bills, unbilled wins and billed test traffic from the exchange’s own record', () => {
    const rec = (o: Partial<BillingRecord>): BillingRecord => ({
      test: false,
      sent: 1,
      billed: 1,
      duplicates: 0,
      retriable: 0,
      ...o,
    });
    const r = run(1, []);
    r.billing = new Map([
      ['ok', rec({})],
      ['retried', rec({ sent: 3, retriable: 1, duplicates: 1 })],
      ['told-twice', rec({ billed: 2, sent: 2 })],
      ['written-twice', rec({})],
      ['never', rec({ billed: 0, retriable: 20, sent: 20 })],
      ['lost', rec({})],
      ['test-ok', rec({ test: true, billed: 0 })],
      ['test-billed', rec({ test: true })],
    ]);
    const events = new Map([
      ['ok', 1],
      ['retried', 1],
      ['told-twice', 1],
      ['written-twice', 2],
      ['never', 0],
      ['test-billed', 1],
    ]);
    expect(billingOutcomes([r], events)).toEqual({
      double_bills: 2,
      unbilled_wins: 2,
      test_traffic_billed: 1,
      billing_notices_sent: 30,
    });
    const s = summary(run(1, []), r);
    expect(s.passed).toBe(false);
    expect(s.threshold_list.find((t) => t.name === 'double_bills')?.ok).toBe(false);
  });

  it('fails the run when a region passes fewer than 99.9 % of its checks, and names the check', () => {
    const r = run(1, []);
    r.checks.adomain_not_in_badv = { passes: 998, fails: 2 };
    r.checks.response_schema = { passes: 1000, fails: 0 };
    const s = summary(run(1, []), r);
    expect(s.checks['adomain_not_in_badv']).toEqual({ passes: 998, fails: 2, pass_rate: 0.998 });
    expect(s.regions['eu']?.checks_pass_rate).toBe(0.999);
    const t = s.threshold_list.find((x) => x.name === CHECKS_THRESHOLD);
    expect(t).toMatchObject({ limit: 0.999, value: 0.999, ok: true, op: '>=' });
    r.checks.adomain_not_in_badv = { passes: 997, fails: 3 };
    const failed = summary(run(1, []), r);
    expect(failed.threshold_list.find((x) => x.name === CHECKS_THRESHOLD)?.ok).toBe(false);
    expect(failed.passed).toBe(false);
  });

  it('reports the auction over warm-up and measured phase: win rate and losses by reason code', () => {
    const warm = run(1, []);
    warm.lossReasons = { '102': 5 };
    const measured = run(1, []);
    measured.lossReasons = { '102': 3, '100': 1 };
    measured.notices = { win: 12, winDuplicates: 2, loss: 4, lossDuplicates: 0 };
    const s = summary(warm, measured);
    expect(s.auction).toMatchObject({
      type: 'second-price',
      wins: 20,
      bids: 1200,
      win_rate: 0.0167,
      losses_by_reason: { '102': 8, '100': 1 },
      win_notices_sent: 12,
      win_notices_duplicated: 2,
    });
  });
});

describe('load-test summary per scenario', () => {
  it('reports each scenario by region and judges the file’s expressions as thresholds.<expr>', () => {
    const measured = run(1, []);
    const ctvResult = { ...measured.result, sent: 300, completed: 300 };
    measured.scenarios = [
      {
        scenario: 'ctv',
        tags: { media: 'video' },
        activeS: 10,
        result: ctvResult,
        checks: {
          ...measured.checks,
          response_schema: { passes: 299, fails: 1 },
        },
        bids: 200,
      },
    ];
    const scenario = scenarioSchema.parse({
      scenarios: {
        ctv: {
          executor: 'ramping-arrival-rate',
          stages: [{ duration: 10, target: 60 }],
          tags: { media: 'video' },
        },
      },
      thresholds: ['p99_ms{region:eu,scenario:ctv} < 30', 'checks{scenario:*} > 0.999'],
    });
    const s = summarise(summaryInput({ scenario, runs: [measured] }));
    expect(s.scenarios['ctv']?.regions['eu']).toMatchObject({
      p50_ms: 1,
      p99_ms: 1,
      rps: 30,
      sent: 300,
      checks_pass_rate: 0.99667,
    });
    expect(s.scenarios['ctv']?.stages).toEqual([{ duration: 10, target: 60 }]);
    expect(s.thresholds['p99_ms{region:eu,scenario:ctv} < 30']).toMatchObject({
      ok: true,
      value: 1,
    });
    expect(s.thresholds['checks{scenario:*} > 0.999']?.ok).toBe(false);
    expect(s.thresholds['double_bills']?.ok).toBe(true);
    expect(s.threshold_list.map((t) => t.name)).toContain('checks{scenario:*} > 0.999');
    expect(s.passed).toBe(false);
    // The summary JSON echoes the expressions readably (tags as pairs, not an empty Map).
    expect(JSON.parse(JSON.stringify(s.scenario)).thresholdExprs[0].tags).toEqual([
      ['region', 'eu'],
      ['scenario', 'ctv'],
    ]);
  });
});

describe('the end-of-test summary in the terminal', () => {
  it('lists each series, every check and threshold with its mark, then the business results', () => {
    const warm = run(1, []);
    warm.bidsOnKnownBots = 2;
    const lines = endOfTestSummary(summary(warm, run(20, [])));
    const text = lines.join('\n');
    expect(lines[0]).toContain('█ scenarios');
    expect(lines.find((l) => /^ {4}default +eu /.test(l))).toMatch(/ 20\.00 /);
    expect(text).toContain('✓ response_schema');
    expect(text).toMatch(/✓ p99_ms \(worst region\) \.+ 20 \(limit ≤ 50\)/);
    expect(text).toMatch(/✗ bids_on_known_bots \.+ 2 \(limit ≤ 0\)/);
    expect(text).toMatch(/█ business[\s\S]*spend by home region \.+ eu 0\.50, us 0\.00/);
  });
});
