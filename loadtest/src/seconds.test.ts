import { describe, expect, it } from 'vitest';
import {
  cpuShare,
  findStalls,
  gcMsBySecond,
  p99BySecondOf,
  phaseView,
  secondRows,
  topRoles,
  type CpuSlice,
  type SecondRow,
} from './seconds.js';

const clock = { hz: 100, cores: 2 };

/** A 100 ms slice starting at `t0` ms: 2 cores × 10 ticks of host time. */
function slice(t0: number, ticks: Record<string, number>, host = { idle: 10, steal: 0 }): CpuSlice {
  return { t0, t1: t0 + 100, ticks, host: { total: 20, ...host } };
}

function row(s: number, p99: Record<string, number | null>, cpu: Record<string, number> = {}) {
  return {
    s,
    p99_ms: p99,
    steal_pct: 0,
    steal_max_pct: 0,
    busy_pct: 50,
    cpu,
    gen_gc_ms: 0,
  } satisfies SecondRow;
}

describe('CPU shares from 100 ms slices', () => {
  it('gives each role its % of one core and the rest of the host busy time as other', () => {
    // 10 slices of one second: the bidder 5 of 10 ticks (50 %), the host 10 of 20 ticks busy,
    // i.e. one core: the other half core is outside the roles.
    const slices = Array.from({ length: 10 }, (_, i) => slice(i * 100, { 'bidder-eu': 5 }));
    expect(cpuShare(slices, clock)).toEqual({
      cpu: { 'bidder-eu': 50, other: 50 },
      steal_pct: 0,
      busy_pct: 50,
      steal_max_pct: 0,
    });
  });

  it('reports steal over the span and its worst slice', () => {
    const slices = [slice(0, {}, { idle: 20, steal: 0 }), slice(100, {}, { idle: 10, steal: 10 })];
    const share = cpuShare(slices, clock);
    expect(share?.steal_pct).toBe(25);
    expect(share?.steal_max_pct).toBe(50);
    expect(share?.busy_pct).toBe(0);
    expect(cpuShare([], clock)).toBeUndefined();
  });

  it('puts a slice in the second of its midpoint and lines it up with the p99 of that second', () => {
    const slices = [
      slice(-50, { x: 10 }),
      slice(950, { 'kafka-eu': 10 }),
      slice(1000, { 'kafka-eu': 10 }),
    ];
    const rows = secondRows({
      p99BySecond: { eu: [3, 40], us: [2] },
      slices,
      gcPauses: [{ startTime: 1200, duration: 7.25 }],
      startMs: 0,
      seconds: 2,
      clock,
    });
    // The first slice's midpoint is at 0 ms: second 0. The second's at 1000 ms: second 1.
    expect(rows[0]?.cpu).toEqual({ x: 100, other: 0 });
    expect(rows[1]?.cpu).toEqual({ 'kafka-eu': 100, other: 0 });
    expect(rows[1]?.p99_ms).toEqual({ eu: 40, us: null });
    expect(rows.map((r) => r.gen_gc_ms)).toEqual([0, 7.3]);
  });

  it('counts generator GC pauses in the second they began, and none outside the phase', () => {
    expect(
      gcMsBySecond(
        [
          { startTime: 10, duration: 1 },
          { startTime: 999, duration: 2 },
          { startTime: 1000, duration: 4 },
          { startTime: -1, duration: 50 },
          { startTime: 3000, duration: 50 },
        ],
        0,
        3,
      ),
    ).toEqual([3, 4, 0]);
  });

  it('reads a sparse timeline with holes for the seconds nothing was sent in', () => {
    const timeline: { second: number; p99Ms: number }[] = [];
    timeline[0] = { second: 0, p99Ms: 1 };
    timeline[2] = { second: 2, p99Ms: 3 };
    expect(p99BySecondOf([{ region: 'eu', timeline }])).toEqual({ eu: [1, undefined, 3] });
  });
});

describe('per-second roles', () => {
  it('keeps the busiest roles and other, so a second stays a short line', () => {
    const cpu = { a: 1, b: 50, c: 0.4, d: 20, other: 0, e: 30 };
    expect(topRoles(cpu, 2)).toEqual({ b: 50, e: 30, other: 0 });
    expect(Object.keys(topRoles(cpu, 6))).toEqual(['b', 'e', 'd', 'a', 'other']);
  });
});

describe('stalls', () => {
  const steady = Array.from({ length: 9 }, (_, s) => row(s, { eu: 4, us: 5 }));

  it('finds the seconds in which every region exceeds 5× its median second, with the top roles', () => {
    const rows = [
      ...steady,
      row(9, { eu: 311, us: 529 }, { other: 120, 'bidder-eu': 45, 'kafka-us': 30, mm2: 2 }),
    ];
    expect(findStalls(rows)).toEqual([
      {
        s: 9,
        p99_ms: { eu: 311, us: 529 },
        x_median: 77.8,
        steal_pct: 0,
        steal_max_pct: 0,
        busy_pct: 50,
        top_cpu: { other: 120, 'bidder-eu': 45, 'kafka-us': 30 },
        gen_gc_ms: 0,
      },
    ]);
  });

  it('is no stall when only one region is slow, or when the jump stays under the floor', () => {
    expect(findStalls([...steady, row(9, { eu: 311, us: 6 })])).toEqual([]);
    const quick = Array.from({ length: 9 }, (_, s) => row(s, { eu: 1, us: 1 }));
    expect(findStalls([...quick, row(9, { eu: 12, us: 15 })])).toEqual([]);
    expect(findStalls([...quick, row(9, { eu: 12, us: 15 })], { minMs: 10 })).toHaveLength(1);
    expect(findStalls([...steady, row(9, { eu: 40, us: null })])).toEqual([]);
    expect(findStalls([])).toEqual([]);
  });

  it('keeps a phase view whose CPU covers only the phase seconds', () => {
    const view = phaseView({
      rec: { slices: [slice(0, { a: 10 }), slice(5000, { b: 10 })], gcPauses: [], clock },
      p99BySecond: { eu: [1] },
      startMs: 0,
      seconds: 1,
    });
    expect(view.cpu?.cpu).toEqual({ a: 100, other: 0 });
    expect(view.seconds).toHaveLength(1);
    expect(view.stalls).toEqual([]);
  });
});
