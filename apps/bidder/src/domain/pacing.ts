/**
 * Token-bucket pacing: each campaign earns spend tokens (micros) at its allowance's pace and a bid
 * must reserve its expected cost from them, so the spend rate tracks `paceMicrosPerSec` instead of
 * front-loading the budget. Pure: time is passed in.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  /**
   * @param ratePerSec tokens (micros) earned per second
   * @param capacity most tokens held; bounds a burst after an idle period
   * @param now ms since epoch; the bucket starts full
   */
  constructor(
    private ratePerSec: number,
    private capacity: number,
    now: number,
  ) {
    this.tokens = capacity;
    this.last = now;
  }

  /** Changes rate and depth (new allowance) without resetting what was earned. */
  reconfigure(ratePerSec: number, capacity: number, now: number): void {
    this.refill(now);
    this.ratePerSec = ratePerSec;
    this.capacity = capacity;
    if (this.tokens > capacity) this.tokens = capacity;
  }

  private refill(now: number): void {
    const dt = now - this.last;
    if (dt > 0) {
      this.tokens = Math.min(this.capacity, this.tokens + (dt * this.ratePerSec) / 1000);
      this.last = now;
    }
  }

  /**
   * Takes `cost` tokens if available; false (and nothing taken) otherwise. A cost above the bucket
   * depth (an expensive impression on a slow pace) goes through once the bucket is full and leaves
   * it in debt, so the average rate still holds.
   */
  tryTake(cost: number, now: number): boolean {
    this.refill(now);
    if (this.tokens < Math.min(cost, this.capacity)) return false;
    this.tokens -= cost;
    return true;
  }

  /** Gives back tokens reserved by a bid that was not sent (another bid won the imp). */
  giveBack(cost: number): void {
    this.tokens = Math.min(this.capacity, this.tokens + cost);
  }

  available(now: number): number {
    this.refill(now);
    return this.tokens;
  }
}

/**
 * Bucket depth for a pace: `burstS` seconds of spend, but never less than one impression so a
 * slow pace still lets a bid through now and then.
 */
export function bucketCapacity(paceMicrosPerSec: number, burstS: number, minCost: number): number {
  return Math.max(paceMicrosPerSec * burstS, minCost);
}
