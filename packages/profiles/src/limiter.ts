/**
 * At most `max` holders at once; the others wait and are let in in the order they asked (a freed
 * slot goes straight to the oldest waiter, so a newcomer never overtakes it).
 */
export class FifoLimiter {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
  }

  /** Resolves once the caller holds a slot; every acquire must be followed by one release. */
  acquire(): Promise<void> {
    if (this.held < this.max) {
      this.held++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next === undefined) this.held--;
    else next();
  }
}
