import { describe, expect, it } from 'vitest';
import { findMaxRates, type OpenModelResult } from '@streambid/loadgen';
import { scenarioSchema } from './args.js';
import {
  findMaxSummary,
  maxPassingRate,
  meanShare,
  searchBudget,
  stepJson,
  stepSchedule,
  stoppedBy,
  trialOf,
  type Trial,
} from './find-max.js';
import { emptyRegionRun, type RegionRun } from './region-run.js';
import type { PhaseView } from './seconds.js';

const limits = { p99Ms: 50, errorRate: 0.01, overspendPct: 1 };

function run(region: 'eu' | 'us', p99: number, errors = 0): RegionRun {
  const result: OpenModelResult = {
    targetRate: 100,
    durationS: 8,
    sent: 800,
    completed: 800 - errors,
    errors,
    skipped: 0,
    statusCounts: { '200': 480, '204': 320 - errors },
    tagCounts: {},
    throughputRps: 100,
    latencyMs: { p50: 1, p90: 2, p99, p999: p99, max: p99, mean: 1 },
    sendLagMs: { p99: 0.4, max: 1 },
  };
  return { ...emptyRegionRun(region), result, bids: 480 };
}

const view = (cpu: Record<string, number> = {}, steal = 0): PhaseView => ({
  seconds: [],
  stalls: [],
  cpu: { cpu, steal_pct: steal, busy_pct: 50, steal_max_pct: steal },
});

const trial = (eu: number, us: number, errors = 0): Trial =>
  trialOf([run('eu', eu, errors), run('us', us)], view(), limits);

describe('find-max step schedule', () => {
  it('multiplies the rate by the factor up to the maximum', () => {
    expect(stepSchedule({ start: 100, factor: 1.5, maxRate: 1000 })).toEqual([
      100, 150, 225, 338, 506, 759,
    ]);
  });

  it('adds a fixed step instead when one is given', () => {
    expect(stepSchedule({ start: 100, factor: 1.5, step: 200, maxRate: 700 })).toEqual([
      100, 300, 500, 700,
    ]);
  });

  it('never repeats a rate when the factor is too small to move it', () => {
    expect(stepSchedule({ start: 10, factor: 1.01, maxRate: 12 })).toEqual([10, 11, 12]);
  });

  it('seeds a larger budget for a longer flight, so the spend allowed per second stays', () => {
    const sc = scenarioSchema.parse({});
    expect(searchBudget(sc, 60)).toBe(5);
    expect(searchBudget(sc, 420)).toBe(20);
  });
});

describe('find-max trials and steps', () => {
  it('judges a trial by the worst region’s p99 and the allowed error rate', () => {
    expect(trial(20, 49).ok).toBe(true);
    expect(trial(20, 51).ok).toBe(false);
    expect(trial(20, 51).p99Ms).toBe(51);
    // 8 of 1600 requests (0.5 %) are within the 1 % allowed; 40 (2.5 %) are not.
    expect(trial(20, 20, 8)).toMatchObject({ ok: true, errors: 0 });
    expect(trial(20, 20, 40)).toMatchObject({ ok: false, errors: 40 });
  });

  it('passes a step on its median trial: one stalled trial of three does not decide it', async () => {
    const script: Record<number, Trial[]> = {
      100: [trial(5, 6), trial(5, 6), trial(5, 6)],
      150: [trial(300, 420), trial(8, 9), trial(7, 9)],
      225: [trial(30, 40), trial(80, 60), trial(20, 20, 40)],
      338: [trial(5, 5), trial(5, 5), trial(5, 5)],
    };
    const ran: number[] = [];
    const search = await findMaxRates<Trial>({
      rates: [100, 150, 225, 338],
      trials: 3,
      goal: { p99Ms: limits.p99Ms },
      targets: [
        {
          name: 'stack',
          run: (rate, i) => {
            ran.push(rate);
            return Promise.resolve(script[rate]?.[i] as Trial);
          },
        },
      ],
    });
    const steps = search['stack']?.steps ?? [];
    expect(steps.map((s) => [s.rate, s.ok])).toEqual([
      [100, true],
      [150, true],
      [225, false],
    ]);
    expect(ran).not.toContain(338);
    expect(maxPassingRate(steps)).toBe(150);
    expect(stepJson(steps[1] as (typeof steps)[number])).toMatchObject({
      rate: 150,
      ok: true,
      passed: 2,
      median_p99_ms: 9,
      trials: [
        { pass: false, p99_ms: { eu: 300, us: 420 }, bid_rate: { eu: 0.6, us: 0.6 } },
        { pass: true, p99_ms: { eu: 8, us: 9 } },
        { pass: true, p99_ms: { eu: 7, us: 9 } },
      ],
    });
    expect(stepJson(steps[2] as (typeof steps)[number]).trials[2]).toMatchObject({
      pass: false,
      error_rate: 0.025,
    });
  });

  it('reports 0 and says so when even the first step fails', () => {
    expect(maxPassingRate([{ rate: 100, ok: false }])).toBe(0);
    expect(stoppedBy([{ ok: false }], 5)).toBe('the first step failed');
    expect(stoppedBy([{ ok: true }, { ok: false }], 5)).toBe('a step failed');
    expect(stoppedBy([{ ok: true }, { ok: true }], 2)).toMatch(/highest planned rate passed/);
    const summary = findMaxSummary({
      runId: 'r',
      regions: ['eu', 'us'],
      options: { start: 100, factor: 1.5, maxRate: 3000, trials: 3, trialS: 8 },
      rates: [100, 150],
      scenario: scenarioSchema.parse({}),
      budgetPerCampaign: 30,
      warmup: { rate: 100, durationS: 10, p99Ms: {} },
      steps: [
        {
          rate: 100,
          ok: false,
          passed: 0,
          median: trial(90, 90),
          trials: [trial(90, 90), trial(90, 90), trial(90, 90)],
        },
      ],
      gcLogs: { node: null, jvm: [] },
      reportJson: 'x.json',
      cpuSlicesJson: 'y.json',
    });
    expect(summary).toMatchObject({ max_rps_per_region: 0, found: false });
  });

  it('averages CPU shares over trials, a role missing from a trial counting 0 there', () => {
    const share = meanShare([
      view({ 'bidder-eu': 60, other: 10 }, 1).cpu,
      view({ 'bidder-eu': 80, 'kafka-eu': 20 }, 3).cpu,
      undefined,
    ]);
    expect(share).toEqual({
      cpu: { 'bidder-eu': 70, 'kafka-eu': 10, other: 5 },
      steal_pct: 2,
      busy_pct: 50,
      steal_max_pct: 3,
    });
    expect(meanShare([undefined])).toBeUndefined();
  });
});
