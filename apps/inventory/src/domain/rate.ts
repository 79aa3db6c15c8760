/**
 * Recent rate of an amount per second, as an exponentially decaying sum over event time. Events
 * may arrive out of order (remote regions lag): a late event is added already decayed.
 */
export class DecayingRate {
  private acc = 0;
  private last = Number.NEGATIVE_INFINITY;

  /** @param tauMs time constant of the decay: older amounts weigh e^(-age/tau). */
  constructor(private readonly tauMs: number) {}

  add(amount: number, ts: number): void {
    if (this.last === Number.NEGATIVE_INFINITY) {
      this.acc = amount;
      this.last = ts;
    } else if (ts >= this.last) {
      this.acc = this.acc * Math.exp((this.last - ts) / this.tauMs) + amount;
      this.last = ts;
    } else {
      this.acc += amount * Math.exp((ts - this.last) / this.tauMs);
    }
  }

  /** Amount per second around `now`. */
  perSecond(now: number): number {
    if (this.last === Number.NEGATIVE_INFINITY) return 0;
    const age = Math.max(0, now - this.last);
    return (this.acc * Math.exp(-age / this.tauMs)) / (this.tauMs / 1000);
  }
}
