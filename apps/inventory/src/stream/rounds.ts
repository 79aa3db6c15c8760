import type { Logger } from '@streambid/adapters';

/**
 * Runs `round` every `intervalMs`, one at a time: a round still running when the next is due
 * makes that one skip. A failed round is logged and the next one retries.
 */
export class Rounds {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly round: () => Promise<unknown>,
    private readonly o: { intervalMs: number; logger: Logger; failure: string },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.round()
        .then(() => undefined)
        .catch((err: unknown) => {
          this.o.logger.error({ err }, this.o.failure);
        })
        .finally(() => {
          this.running = undefined;
        });
    }, this.o.intervalMs);
  }

  /** Stops after the round in flight. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
