import { describe, expect, it } from 'vitest';
import { allocate, shares, type AllocationInput } from './allocation.js';

const HOUR = 3_600_000;
const start = Date.UTC(2025, 0, 1);

function input(over: Partial<AllocationInput> = {}): AllocationInput {
  return {
    plan: { totalMicros: 1_000_000_000, flight: { start, end: start + 10 * HOUR } },
    bidCpmMicros: 2_000_000,
    active: true,
    regions: ['eu', 'us', 'ap'],
    spendByRegion: {},
    spentTodayMicros: 0,
    recentRateByRegion: {},
    now: start + 5 * HOUR,
    ...over,
  };
}

const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

describe('allocate', () => {
  it('gives each region its spend plus a share of the released budget, never more than the budget in total', () => {
    const spendByRegion = { eu: 300_000_000, us: 150_000_000, ap: 10_000_000 };
    const out = allocate(input({ spendByRegion, recentRateByRegion: { eu: 20_000, us: 10_000 } }), {
      lookaheadMs: 3_600_000,
    });
    for (const a of out) expect(a.capMicros).toBeGreaterThanOrEqual(spendByRegion[a.region]);
    expect(sum(out.map((a) => a.capMicros))).toBeLessThanOrEqual(1_000_000_000);
    const headroom = (r: string): number => {
      const a = out.find((x) => x.region === r);
      return (a?.capMicros ?? 0) - (spendByRegion[r as 'eu'] ?? 0);
    };
    expect(headroom('eu')).toBeGreaterThan(headroom('us'));
    expect(headroom('ap')).toBeGreaterThan(0);
  });

  it('releases budget along the even-delivery curve, so a campaign on pace gets only a little headroom', () => {
    const onPace = { eu: 250_000_000, us: 250_000_000 };
    const out = allocate(input({ regions: ['eu', 'us'], spendByRegion: onPace }), {
      lookaheadMs: 60_000,
    });
    const headroom = sum(out.map((a) => a.capMicros)) - 500_000_000;
    // One minute of a 10-hour flight of 1000 units is about 1.67 units.
    expect(headroom).toBeGreaterThan(1_500_000);
    expect(headroom).toBeLessThan(1_800_000);
  });

  it('freezes every cap at the regional spend and flags exhaustion once less than one impression is left', () => {
    const spendByRegion = { eu: 600_000_000, us: 399_999_000 };
    const out = allocate(input({ spendByRegion }));
    expect(out).toEqual([
      { region: 'eu', capMicros: 600_000_000, paceMicrosPerSec: 0, exhausted: true },
      { region: 'us', capMicros: 399_999_000, paceMicrosPerSec: 0, exhausted: true },
      { region: 'ap', capMicros: 0, paceMicrosPerSec: 0, exhausted: true },
    ]);
  });

  it('gives a paused campaign no headroom without calling it exhausted', () => {
    const out = allocate(input({ active: false, spendByRegion: { eu: 5 } }));
    expect(out.map((a) => [a.capMicros - (a.region === 'eu' ? 5 : 0), a.exhausted])).toEqual([
      [0, false],
      [0, false],
      [0, false],
    ]);
  });

  it('gives nothing outside the flight', () => {
    const out = allocate(input({ now: start + 11 * HOUR }));
    expect(sum(out.map((a) => a.capMicros))).toBe(0);
  });

  it('splits the pace to deliver what is left evenly over the rest of the flight', () => {
    const out = allocate(input({ regions: ['eu', 'us'], spendByRegion: { eu: 500_000_000 } }));
    // 500 units left over 5 hours = 27 777 micros/s in total.
    expect(sum(out.map((a) => a.paceMicrosPerSec))).toBeGreaterThan(27_770);
    expect(sum(out.map((a) => a.paceMicrosPerSec))).toBeLessThanOrEqual(27_778);
  });

  it('honours the daily budget: nothing more once today is spent', () => {
    const plan = {
      totalMicros: 1_000_000_000,
      dailyMicros: 100_000_000,
      flight: { start, end: start + 30 * 24 * HOUR },
    };
    const out = allocate(
      input({ plan, spendByRegion: { eu: 100_000_000 }, spentTodayMicros: 100_000_000 }),
    );
    expect(out.find((a) => a.region === 'eu')?.capMicros).toBe(100_000_000);
    expect(sum(out.map((a) => a.paceMicrosPerSec))).toBe(0);
  });
});

describe('shares', () => {
  it('weights regions by recent spend with a floor, summing to one', () => {
    const s = shares(['eu', 'us', 'ap'], { eu: 90, us: 10 }, 0.05);
    expect(sum([...s.values()])).toBeCloseTo(1, 12);
    expect(s.get('ap')).toBeCloseTo(0.05, 12);
    expect(s.get('eu')).toBeCloseTo(0.05 + 0.85 * 0.9, 12);
  });

  it('splits evenly when no region has spent recently', () => {
    const s = shares(['eu', 'us'], {}, 0.05);
    expect(s.get('eu')).toBeCloseTo(0.5, 12);
    expect(s.get('us')).toBeCloseTo(0.5, 12);
  });
});
