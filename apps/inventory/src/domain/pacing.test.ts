import { describe, expect, it } from 'vitest';
import { DAY_MS, dailyTarget, flightTarget, paceRate, releasable } from './pacing.js';

const start = Date.UTC(2025, 0, 1);
const plan = { totalMicros: 10_000_000, flight: { start, end: start + 10_000 } };

describe('pacing', () => {
  it('targets an even cumulative spend over the flight', () => {
    expect(flightTarget(plan, start)).toBe(0);
    expect(flightTarget(plan, start + 2500)).toBe(2_500_000);
    expect(flightTarget(plan, start + 20_000)).toBe(10_000_000);
  });

  it('keeps unspent budget released so delivery can catch up after a quiet period', () => {
    expect(releasable(plan, { totalMicros: 0, todayMicros: 0 }, start + 5000, 0)).toBe(5_000_000);
    expect(
      releasable(plan, { totalMicros: 4_000_000, todayMicros: 4_000_000 }, start + 5000, 1000),
    ).toBe(2_000_000);
  });

  it('releases nothing when spend is ahead of the curve, before the flight or after it', () => {
    expect(releasable(plan, { totalMicros: 6_000_000, todayMicros: 0 }, start + 5000, 0)).toBe(0);
    expect(releasable(plan, { totalMicros: 0, todayMicros: 0 }, start - 1, 1000)).toBe(0);
    expect(releasable(plan, { totalMicros: 0, todayMicros: 0 }, start + 10_000, 1000)).toBe(0);
  });

  it('spreads the daily budget evenly over the day', () => {
    const daily = {
      totalMicros: 100_000_000,
      dailyMicros: 8_000_000,
      flight: { start, end: start + 10 * DAY_MS },
    };
    expect(dailyTarget(daily, start + DAY_MS / 2, start + DAY_MS / 2)).toBe(4_000_000);
    expect(
      releasable(daily, { totalMicros: 50_000_000, todayMicros: 4_000_000 }, start + DAY_MS / 2, 0),
    ).toBe(0);
  });

  it('paces what is left over the time left, capped by what is left today', () => {
    expect(paceRate(plan, { totalMicros: 5_000_000, todayMicros: 0 }, start + 5000)).toBeCloseTo(
      1_000_000,
      6,
    );
    const daily = {
      totalMicros: 100_000_000,
      dailyMicros: 8_640_000,
      flight: { start, end: start + 10 * DAY_MS },
    };
    expect(paceRate(daily, { totalMicros: 0, todayMicros: 0 }, start)).toBeCloseTo(100, 6);
  });
});
