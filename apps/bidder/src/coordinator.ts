import type { Registry } from '@streambid/adapters';
import { TtlSet } from './domain/lru.js';

/**
 * What the serving threads share: the claim on a bid id for billing (so a win notice repeated to
 * another worker is billed once), the aggregated metrics text, and start-up readiness.
 */
export interface Coordinator {
  /** True when the caller may bill this bid; false when it is billed or being billed elsewhere. */
  claimWin(bidId: string): Promise<boolean>;
  /**
   * Ends a claim: `billed` keeps the bid as billed, otherwise it may be claimed again. `win` (a
   * billed win for a known user) is passed on to the other serving threads' recent wins, so a
   * frequency cap holds whichever thread the user's next request reaches.
   */
  settleWin(bidId: string, billed: boolean, win?: RecentWin | undefined): void;
  /** Prometheus text for the whole process. */
  metricsText(): Promise<string>;
  /** Every serving thread's views have caught up. */
  allReady(): boolean;
}

/** A billed win, as frequency caps count it until the cookie profile has caught up. */
export interface RecentWin {
  userId: string;
  campaignId: string;
  /** When it was billed (ms since epoch). */
  ts: number;
}

/** The claim ledger itself: billed bids (bounded, with TTL) and claims in flight. */
export class WinLedger {
  private readonly billed: TtlSet;
  private readonly inFlight = new Set<string>();

  constructor(maxSize: number, ttlMs: number) {
    this.billed = new TtlSet(maxSize, ttlMs);
  }

  claim(bidId: string, now: number): boolean {
    if (this.inFlight.has(bidId) || this.billed.has(bidId, now)) return false;
    this.inFlight.add(bidId);
    return true;
  }

  settle(bidId: string, billed: boolean, now: number): void {
    this.inFlight.delete(bidId);
    if (billed) this.billed.add(bidId, now);
  }
}

/** Single-thread deployment (BIDDER_WORKERS=0, tests): everything is local. */
export class LocalCoordinator implements Coordinator {
  private readonly ledger: WinLedger;
  ready = false;

  constructor(
    private readonly registry: Registry,
    dedupeSize: number,
    dedupeTtlMs: number,
  ) {
    this.ledger = new WinLedger(dedupeSize, dedupeTtlMs);
  }

  claimWin(bidId: string): Promise<boolean> {
    return Promise.resolve(this.ledger.claim(bidId, Date.now()));
  }

  /** The only serving thread recorded the win itself: no one else to tell. */
  settleWin(bidId: string, billed: boolean): void {
    this.ledger.settle(bidId, billed, Date.now());
  }

  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  allReady(): boolean {
    return this.ready;
  }
}
