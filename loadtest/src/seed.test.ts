import { describe, expect, it } from 'vitest';
import { bidCpmMicros, campaignBody } from './seed.js';

/** The format a seeded campaign bids on (its size and media type come from `i % 5`). */
const formatOf = (i: number): number => i % 5;

/** Home region index of the best-priced campaign per format, over `n` regions of 20 campaigns. */
function leaders(n: number): number[] {
  const best = new Map<number, { price: number; region: number; ties: number }>();
  for (let r = 0; r < n; r++)
    for (let i = 0; i < 20; i++) {
      const price = bidCpmMicros(i, r, n);
      const b = best.get(formatOf(i));
      if (b === undefined || price > b.price) best.set(formatOf(i), { price, region: r, ties: 0 });
      else if (price === b.price) b.ties++;
    }
  for (const b of best.values()) expect(b.ties).toBe(0);
  return [...best.values()].map((b) => b.region);
}

describe('seeded campaign prices', () => {
  it('give every home region the top price of some format, with no tie at the top', () => {
    for (const n of [2, 3]) expect(new Set(leaders(n)).size).toBe(n);
  });

  it('keep the ten price levels apart and are what the body carries', () => {
    for (let i = 0; i < 20; i++)
      expect(Math.floor((bidCpmMicros(i, 2, 3) - 1_000_000) / 400_000)).toBe(i % 10);
    const body = campaignBody({
      id: 'c',
      i: 7,
      budgetMicros: 1,
      flightEnd: 0,
      perDayCap: undefined,
      regionIndex: 1,
      regionCount: 2,
    });
    expect(body['bidCpmMicros']).toBe(bidCpmMicros(7, 1, 2));
  });
});
