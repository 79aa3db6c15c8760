import { describe, expect, it } from 'vitest';
import { bucketCapacity, TokenBucket } from './pacing.js';

describe('TokenBucket pacing', () => {
  it('lets spend through at the pace rate and refuses the excess', () => {
    const b = new TokenBucket(1000, 1000, 0); // 1000 micros/s, 1 s deep, starts full
    expect(b.tryTake(1000, 0)).toBe(true);
    expect(b.tryTake(1, 0)).toBe(false);
    expect(b.tryTake(500, 500)).toBe(true); // half a second earns half the rate
    expect(b.tryTake(1, 500)).toBe(false);
  });

  it('never holds more than its capacity after an idle period', () => {
    const b = new TokenBucket(1000, 2000, 0);
    expect(b.available(60_000)).toBe(2000);
  });

  it('tracks the pace over a long run of greedy bids', () => {
    const b = new TokenBucket(2000, 2000, 0); // 2000 micros/s
    let spent = 0;
    for (let t = 0; t <= 10_000; t += 10) if (b.tryTake(100, t)) spent += 100;
    // 10 s at 2000/s plus the initial full bucket.
    expect(spent).toBeGreaterThanOrEqual(21_900);
    expect(spent).toBeLessThanOrEqual(22_000);
  });

  it('gives back a reservation that was not used', () => {
    const b = new TokenBucket(0, 100, 0);
    expect(b.tryTake(100, 0)).toBe(true);
    b.giveBack(100);
    expect(b.tryTake(100, 0)).toBe(true);
  });

  it('keeps a bucket at least one impression deep for slow paces', () => {
    expect(bucketCapacity(1, 2, 500)).toBe(500);
    expect(bucketCapacity(1000, 2, 500)).toBe(2000);
  });
});

describe('TokenBucket with impressions dearer than its depth', () => {
  it('lets one expensive bid through when full and holds the average rate through debt', () => {
    const b = new TokenBucket(100, 200, 0); // 100 micros/s, depth 200, impression costs 1000
    expect(b.tryTake(1000, 0)).toBe(true);
    expect(b.tryTake(1000, 5_000)).toBe(false); // 500 earned back, still in debt
    let spent = 1000;
    for (let t = 0; t <= 100_000; t += 100) if (b.tryTake(1000, t)) spent += 1000;
    // 100 s at 100 micros/s is 10,000 micros, plus the first bid's credit.
    expect(spent).toBeGreaterThanOrEqual(9000);
    expect(spent).toBeLessThanOrEqual(11_200);
  });
});
