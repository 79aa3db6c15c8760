import type {
  BidEvent,
  Catalogue,
  ClickEvent,
  ImpressionEvent,
  WinEvent,
} from '@streambid/contracts';
import type { BufferedPublisher } from '@streambid/adapters';

/**
 * Fire-and-forget events. Bid events are queued as plain objects and handed to the
 * BufferedPublisher (which validates each through its zod schema) on the next turn of the event
 * loop, so schema validation never sits between a request and its response. The queue is bounded;
 * what does not fit is dropped and counted.
 */
export class EventSink {
  private pending: BidEvent[] = [];
  private scheduled = false;
  /** Bid events refused by the pre-buffer (the BufferedPublisher counts its own drops). */
  dropped = 0;

  constructor(
    private readonly out: BufferedPublisher,
    private readonly topics: Catalogue,
    private readonly max: number,
  ) {}

  bid(e: BidEvent): void {
    if (this.pending.length >= this.max) {
      this.dropped++;
      return;
    }
    this.pending.push(e);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(this.drain);
    }
  }

  private readonly drain = (): void => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = [];
    for (const e of batch) this.out.offer(this.topics.bids, e);
  };

  win(e: WinEvent): void {
    this.out.offer(this.topics.wins, e);
  }

  impression(e: ImpressionEvent): void {
    this.out.offer(this.topics.impressions, e);
  }

  click(e: ClickEvent): void {
    this.out.offer(this.topics.clicks, e);
  }

  get buffered(): number {
    return this.pending.length + this.out.stats.buffered;
  }

  get totalDropped(): number {
    return this.dropped + this.out.stats.dropped + this.out.stats.invalid;
  }

  /** Hands over what is queued and sends it (shutdown). */
  async close(timeoutMs: number): Promise<void> {
    this.drain();
    await this.out.close(timeoutMs);
  }
}
