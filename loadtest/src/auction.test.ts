import { describe, expect, it } from 'vitest';
import { competingBid, decideBid, LOSS_REASON, runAuction, standardNormal } from './auction.js';

describe('runAuction', () => {
  it('charges the second price: the competing bid plus one cent when it is above the floor', () => {
    expect(runAuction('second-price', { price: 3, floor: 1, competing: 2 })).toEqual({
      won: true,
      clearing: 2.01,
    });
  });

  it('charges the floor plus one cent in second price when the competing bid is below the floor', () => {
    expect(runAuction('second-price', { price: 3, floor: 1.5, competing: 0.4 })).toEqual({
      won: true,
      clearing: 1.51,
    });
  });

  it('never charges more than our own bid in second price', () => {
    expect(runAuction('second-price', { price: 2.005, floor: 0, competing: 2 })).toEqual({
      won: true,
      clearing: 2.005,
    });
  });

  it('charges our own bid in first price', () => {
    expect(runAuction('first-price', { price: 3, floor: 1, competing: 2 })).toEqual({
      won: true,
      clearing: 3,
    });
  });

  it('loses with 102 to a higher competing bid, naming what the winner paid and what would have won', () => {
    expect(runAuction('second-price', { price: 2, floor: 1, competing: 4 })).toEqual({
      won: false,
      reason: LOSS_REASON.lostToHigherBid,
      clearing: 2.01,
      minToWin: 4.01,
    });
    expect(runAuction('first-price', { price: 2, floor: 1, competing: 4 })).toMatchObject({
      won: false,
      reason: 102,
      clearing: 4,
    });
  });

  it('gives a tie to the competitor', () => {
    expect(runAuction('first-price', { price: 2, floor: 0, competing: 2 })).toMatchObject({
      won: false,
      reason: 102,
    });
  });

  it('loses with 100 below the floor, even when no one else bid above it', () => {
    expect(runAuction('second-price', { price: 0.5, floor: 1, competing: 0.2 })).toEqual({
      won: false,
      reason: LOSS_REASON.belowFloor,
      clearing: undefined,
      minToWin: 1,
    });
    expect(runAuction('second-price', { price: 0.5, floor: 1, competing: 3 })).toMatchObject({
      reason: 100,
      clearing: 1.01,
    });
  });
});

describe('decideBid', () => {
  const base = {
    type: 'second-price' as const,
    price: 3,
    floor: 0,
    failedChecks: [],
    competing: { median: 1, sigma: 0 },
    winRate: 0.3,
  };
  const draws = (...v: number[]) => {
    let i = 0;
    return () => v[i++ % v.length] ?? 0;
  };

  it('rejects a bid whose advertiser is in badv with 205, without an auction', () => {
    expect(decideBid({ ...base, failedChecks: ['adomain_not_in_badv'] }, draws(0.5))).toMatchObject(
      { won: false, reason: LOSS_REASON.advertiserExclusions },
    );
  });

  it('rejects a bid that failed the response schema with 3', () => {
    expect(decideBid({ ...base, failedChecks: ['response_schema'] }, draws(0.5))).toMatchObject({
      won: false,
      reason: LOSS_REASON.invalidResponse,
    });
  });

  it('wins against a competing bid drawn at the median when sigma is 0', () => {
    expect(decideBid(base, draws(0.3, 0.7))).toEqual({ won: true, clearing: 1.01 });
    expect(decideBid({ ...base, price: 0.9 }, draws(0.3, 0.7))).toMatchObject({ reason: 102 });
  });

  it('keeps the old coin flip at winRate with auction random', () => {
    expect(decideBid({ ...base, type: 'random' }, draws(0.29, 0.5))).toEqual({
      won: true,
      clearing: 3 * 0.8,
    });
    expect(decideBid({ ...base, type: 'random' }, draws(0.31))).toMatchObject({ won: false });
  });
});

describe('the competing-bid distribution', () => {
  it('has its median at the configured median and spreads with sigma', () => {
    let seed = 1;
    const rnd = () => {
      seed = (seed * 16807) % 2147483647;
      return seed / 2147483647;
    };
    const bids = Array.from({ length: 20_001 }, () =>
      competingBid({ median: 2, sigma: 0.5 }, rnd(), rnd()),
    ).sort((a, b) => a - b);
    expect(bids[10_000]).toBeGreaterThan(1.9);
    expect(bids[10_000]).toBeLessThan(2.1);
    // ln(p84 / median) ≈ sigma for a log-normal.
    expect(Math.log((bids[16_827] ?? 0) / 2)).toBeCloseTo(0.5, 1);
  });

  it('draws a standard normal of 0 at the quarter turn', () => {
    expect(standardNormal(0.5, 0.25)).toBeCloseTo(0, 10);
  });
});
