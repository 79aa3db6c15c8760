import { describe, expect, it } from 'vitest';
import {
  dueCount,
  intendedTime,
  latencyFrom,
  rateSchedule,
  rateSteps,
  secondOf,
  totalRequests,
} from './schedule.js';

describe('open-model scheduling', () => {
  it('spaces intended send times evenly at the arrival rate', () => {
    expect(intendedTime(1000, 0, 500)).toBe(1000);
    expect(intendedTime(1000, 1, 500)).toBe(1002);
    expect(intendedTime(1000, 500, 500)).toBe(2000);
  });

  it('counts the requests due by an elapsed time, request 0 at once, capped at the total', () => {
    expect(dueCount(-1, 1000, 10)).toBe(0);
    expect(dueCount(0, 1000, 10)).toBe(1);
    expect(dueCount(0.999, 1000, 10)).toBe(1);
    expect(dueCount(1, 1000, 10)).toBe(2);
    expect(dueCount(5, 1000, 10)).toBe(6);
    expect(dueCount(60_000, 1000, 10)).toBe(10);
  });

  it('sends as many requests as rate times duration', () => {
    expect(totalRequests(8000, 5)).toBe(40_000);
    expect(totalRequests(333, 0.5)).toBe(167);
  });

  it('charges latency from the intended time, so a late send still counts its wait', () => {
    // Intended at 10 ms, sent late at 40 ms (client or server stall), answered at 45 ms: 35 ms.
    expect(latencyFrom(10, 45)).toBe(35);
    expect(latencyFrom(10, 5)).toBe(0);
  });

  it('buckets intended times into whole seconds for the timeline', () => {
    expect(secondOf(1000, 1000)).toBe(0);
    expect(secondOf(1000, 1999.9)).toBe(0);
    expect(secondOf(1000, 2000)).toBe(1);
  });

  it('steps rates geometrically up to the maximum', () => {
    expect(rateSteps(1000, 8000, 2)).toEqual([1000, 2000, 4000, 8000]);
    expect(rateSteps(1000, 500, 2)).toEqual([1000]);
  });
});

describe('ramping arrival rate (rateSchedule)', () => {
  it('keeps a constant rate identical to the fixed-rate schedule', () => {
    const s = rateSchedule({ stages: [{ durationS: 5, target: 500 }] });
    expect(s.total).toBe(totalRequests(500, 5));
    expect(s.intendedMs(0)).toBe(0);
    expect(s.intendedMs(1)).toBeCloseTo(2, 9);
    expect(s.intendedMs(500)).toBeCloseTo(1000, 9);
    for (const t of [0, 0.999, 1, 5, 1234.5, 60_000])
      expect(s.dueCount(t)).toBe(dueCount(t, 500, s.total));
  });

  it('sends the integral of a ramp, closer together as the rate rises', () => {
    // 0 → 100 req/s over 10 s: 500 requests; the integral 5 t² reaches i at t = sqrt(i / 5).
    const s = rateSchedule({ startRate: 0, stages: [{ durationS: 10, target: 100 }] });
    expect(s.total).toBe(500);
    expect(s.durationS).toBe(10);
    expect(s.intendedMs(0)).toBe(0);
    expect(s.intendedMs(5)).toBeCloseTo(1000, 6);
    expect(s.intendedMs(125)).toBeCloseTo(5000, 6);
    const gap = (i: number): number => s.intendedMs(i + 1) - s.intendedMs(i);
    expect(gap(10)).toBeGreaterThan(gap(100));
    expect(gap(100)).toBeGreaterThan(gap(400));
    // Requests intended in each second match the rate's integral over it, ±1.
    const perSecond = Array.from({ length: 10 }, () => 0);
    for (let i = 0; i < s.total; i++) {
      const sec = Math.floor(s.intendedMs(i) / 1000);
      perSecond[sec] = (perSecond[sec] ?? 0) + 1;
    }
    perSecond.forEach((n, sec) => {
      expect(Math.abs(n - (5 * (sec + 1) ** 2 - 5 * sec ** 2))).toBeLessThanOrEqual(1);
    });
  });

  it('waits for the offset, holds a plateau, ramps down, and never sends during a zero stage', () => {
    const s = rateSchedule({
      offsetS: 2,
      startRate: 10,
      stages: [
        { durationS: 2, target: 10 },
        { durationS: 1, target: 0 },
        { durationS: 3, target: 0 },
        { durationS: 0, target: 20 },
        { durationS: 1, target: 20 },
      ],
    });
    expect(s.durationS).toBe(9);
    expect(s.total).toBe(20 + 5 + 20);
    expect(s.dueCount(1999)).toBe(0);
    expect(s.intendedMs(0)).toBe(2000);
    expect(s.intendedMs(10)).toBeCloseTo(3000, 6);
    // The ramp down's last request is due as it ends (5 s); the next waits for the 20 req/s stage.
    expect(s.intendedMs(24)).toBeLessThan(5000);
    expect(s.intendedMs(25)).toBeCloseTo(5000, 6);
    expect(s.intendedMs(26)).toBeCloseTo(8050, 6);
    expect(s.dueCount(7000)).toBe(26);
    expect(s.intendedMs(44)).toBeCloseTo(8950, 6);
    expect(s.dueCount(100_000)).toBe(45);
  });

  it('refuses a negative rate or duration', () => {
    expect(() => rateSchedule({ stages: [{ durationS: -1, target: 5 }] })).toThrow();
    expect(() => rateSchedule({ stages: [{ durationS: 1, target: -5 }] })).toThrow();
  });
});
