import { describe, expect, it } from 'vitest';
import type { OpenModelResult } from './open-model.js';
import {
  findMaxRates,
  interleaved,
  interleavedTrials,
  judgeStep,
  median,
  openModelTrial,
  trialPasses,
  type TrialFigures,
} from './trials.js';

const goal = { p99Ms: 5 };
const t = (p99Ms: number, errors = 0): TrialFigures => ({ p99Ms, errors });

describe('median', () => {
  it('takes the middle value, the later of two middle ones, NaN of nothing', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(median([])).toBeNaN();
  });
});

describe('judging a step by its median trial', () => {
  it('passes a step with one bad trial of three', () => {
    const v = judgeStep([t(3), t(11.7), t(4)], goal);
    expect(v).toEqual({ ok: true, median: t(4), passed: 2 });
  });

  it('fails a step with two bad trials of three', () => {
    expect(judgeStep([t(3), t(6), t(7)], goal)).toMatchObject({ ok: false, passed: 1 });
  });

  it('ranks a trial with errors below any latency', () => {
    expect(judgeStep([t(1, 1), t(4.9), t(2, 3)], goal)).toMatchObject({
      ok: false,
      median: t(1, 1),
    });
    expect(trialPasses(t(1, 1), goal)).toBe(false);
    expect(trialPasses(t(5), goal)).toBe(true);
  });

  it('fails an even count split down the middle', () => {
    expect(judgeStep([t(1), t(9), t(2), t(8)], goal).ok).toBe(false);
    expect(() => judgeStep([], goal)).toThrow(/at least one/);
  });
});

describe('interleaving', () => {
  it('alternates the order of the targets trial by trial', () => {
    expect(interleaved(['bidder', 'hello'], 0)).toEqual(['bidder', 'hello']);
    expect(interleaved(['bidder', 'hello'], 1)).toEqual(['hello', 'bidder']);
    expect(interleaved(['bidder', 'hello'], 2)).toEqual(['bidder', 'hello']);
  });

  it('runs each target once per round and keeps results by name', async () => {
    const order: string[] = [];
    const r = await interleavedTrials(['a', 'b'], 3, (name, trial) => {
      order.push(`${name}${String(trial)}`);
      return Promise.resolve(trial);
    });
    expect(order).toEqual(['a0', 'b0', 'b1', 'a1', 'a2', 'b2']);
    expect(r).toEqual({ a: [0, 1, 2], b: [0, 1, 2] });
  });
});

describe('findMaxRates', () => {
  /** A target whose p99 grows with the rate, with one stall on the trials listed. */
  const target = (
    name: string,
    p99At: (rate: number) => number,
    stalls: string[],
    log: string[],
  ) => ({
    name,
    run: (rate: number, trial: number) => {
      log.push(`${name}@${String(rate)}#${String(trial)}`);
      const stalled = stalls.includes(`${String(rate)}#${String(trial)}`);
      return Promise.resolve(t(stalled ? 11.7 : p99At(rate)));
    },
  });

  it('finds the highest rate whose median trial meets the goal, through single stalls', async () => {
    const log: string[] = [];
    const r = await findMaxRates({
      rates: [500, 1000, 2000, 4000],
      trials: 3,
      goal,
      targets: [
        target('bidder', (rate) => rate / 500, ['500#0', '2000#2'], log),
        target('hello', (rate) => rate / 1000, ['500#1'], log),
      ],
    });
    expect(r['bidder']?.maxRate).toBe(2000);
    expect(r['bidder']?.best).toEqual(t(4));
    expect(r['hello']?.maxRate).toBe(4000);
    expect(r['bidder']?.steps.map((s) => [s.rate, s.ok, s.passed])).toEqual([
      [500, true, 2],
      [1000, true, 3],
      [2000, true, 2],
      [4000, false, 0],
    ]);
    // Both targets see every step, interleaved, until one leaves the search.
    expect(log.slice(0, 6)).toEqual([
      'bidder@500#0',
      'hello@500#0',
      'hello@500#1',
      'bidder@500#1',
      'bidder@500#2',
      'hello@500#2',
    ]);
    expect(log.filter((l) => l.includes('@4000'))).toHaveLength(6);
  });

  it('stops stepping a target after its first failed step and reports 0 when that is the first', async () => {
    const log: string[] = [];
    const r = await findMaxRates({
      rates: [500, 1000, 2000],
      goal,
      targets: [target('slow', () => 9, [], log), target('fast', () => 1, [], log)],
    });
    expect(r['slow']).toMatchObject({ maxRate: 0, best: undefined });
    expect(r['slow']?.steps).toHaveLength(1);
    expect(r['fast']?.maxRate).toBe(2000);
    expect(log.filter((l) => l.startsWith('slow'))).toHaveLength(3);
    expect(log.filter((l) => l.startsWith('fast'))).toHaveLength(9);
  });
});

describe('openModelTrial', () => {
  it('counts unsent requests as errors', () => {
    const r: OpenModelResult = {
      targetRate: 1000,
      durationS: 3,
      sent: 2990,
      completed: 2989,
      errors: 1,
      skipped: 10,
      statusCounts: { '200': 2989 },
      tagCounts: {},
      throughputRps: 996,
      latencyMs: { p50: 1, p90: 2, p99: 3, p999: 4, max: 5, mean: 1.2 },
      sendLagMs: { p99: 0.4, max: 1 },
      timeline: [
        { second: 0, sent: 1000, completed: 1000, errors: 0, p50Ms: 1, p99Ms: 2 },
        { second: 1, sent: 990, completed: 989, errors: 1, p50Ms: 1, p99Ms: 3.5 },
      ],
    };
    expect(openModelTrial(r)).toEqual({
      rate: 1000,
      rps: 996,
      p50Ms: 1,
      p99Ms: 3,
      p999Ms: 4,
      errors: 11,
      sendLagP99Ms: 0.4,
      status: { '200': 2989 },
      p99ByS: [2, 3.5],
    });
  });
});
