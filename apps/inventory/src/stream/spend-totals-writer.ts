import { randomUUID } from 'node:crypto';
import type { Logger, Publisher, StreamConsumer } from '@streambid/adapters';
import type { Catalogue, Region, SpendTotal } from '@streambid/contracts';
import type { SpendLedger } from '../domain/ledger.js';
import { Rounds } from './rounds.js';

/** Settings of the spend-totals writer. */
export interface SpendTotalsWriterOptions {
  ledger: SpendLedger;
  publisher: Publisher;
  topics: Catalogue;
  /** This region: the writer cuts the spend its own bidders wrote (the local `spend` topic). */
  region: Region;
  /** The consumer that feeds the ledger from `spend`. */
  spendIn: StreamConsumer;
  /** Whether the ledger holds every total already written (the totals consumer caught up). */
  totalsRead: () => boolean;
  intervalMs: number;
  /**
   * How far behind the wall clock a cut is: a spend event is written within this long of its
   * event time (the bidder's billing deadline plus producer retries), so every event before the
   * cut is in the topic when the writer has read it up to now.
   */
  settleMs: number;
  logger: Logger;
  /** Called with the number of totals each round wrote. */
  onWritten?: (count: number) => void;
  /** Called for a round that wrote nothing because a view was behind or unhealthy. */
  onSkipped?: () => void;
  /** @default Date.now */
  clock?: () => number;
}

/** Longest a round waits for the spend consumer to reach the topic's end. */
const CATCH_UP_TIMEOUT_MS = 10_000;

/**
 * Writes this region's cumulative spend per campaign to the compacted `spend-totals` topic every
 * `intervalMs`, for the campaigns whose spend before the cut grew. A restart rebuilds each
 * region's figure from its latest total plus the tail of `spend`, so spend outlives the spend
 * topic's retention. A round writes nothing unless the ledger has read every total written before
 * (or it would cut from a partial history) and the local spend topic up to the round's start.
 */
export class SpendTotalsWriter {
  private readonly rounds: Rounds;
  private readonly clock: () => number;

  constructor(private readonly o: SpendTotalsWriterOptions) {
    this.clock = o.clock ?? Date.now;
    this.rounds = new Rounds(() => this.tick(), {
      intervalMs: o.intervalMs,
      logger: o.logger,
      failure: 'writing spend totals failed; retrying next round',
    });
  }

  /** One round; returns the number of totals written, or undefined if it had to skip. */
  async tick(): Promise<number | undefined> {
    const started = this.clock();
    if (!this.o.totalsRead() || !this.o.spendIn.healthy) {
      this.o.onSkipped?.();
      return undefined;
    }
    if (!(await this.o.spendIn.readUpToNow(this.o.topics.spend.name, CATCH_UP_TIMEOUT_MS))) {
      this.o.onSkipped?.();
      return undefined;
    }
    const cutTs = started - this.o.settleMs;
    const now = this.clock();
    const out: SpendTotal[] = this.o.ledger
      .totalsToWrite(this.o.region, cutTs)
      .map((d) => ({ eventId: randomUUID(), ts: now, ...d }));
    if (out.length > 0) await this.o.publisher.publish(this.o.topics.spendTotals, out);
    // Taken at once: the next round cuts from here even before the consumer reads these back.
    for (const t of out) this.o.ledger.applyTotal(t);
    this.o.onWritten?.(out.length);
    return out.length;
  }

  start(): void {
    this.rounds.start();
  }

  /** Stops after the round in flight. */
  stop(): Promise<void> {
    return this.rounds.stop();
  }
}
