import { describe, expect, it } from 'vitest';
import {
  dueCount,
  intendedTime,
  latencyFrom,
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
