import type { Registry } from '@streambid/adapters';
import type { BilledSpend, BillingLedger, Claim } from '../stream/billing.js';

/**
 * What the serving threads share: the claim on a bid id for billing (one ledger per process, fed
 * by the spend streams, so a notice repeated to another worker, after a restart or in another
 * region is billed once), the aggregated metrics text, and start-up readiness.
 */
export interface Coordinator {
  /** Whether the caller may bill this bid now; see {@link Claim}. */
  claimWin(bidId: string): Promise<Claim>;
  /**
   * Ends a claim. `billed` carries the spend that the broker acknowledged (counted in the billing
   * acks); without it the bid may be claimed again. `win` (a billed win for a known user) is
   * passed on to the other serving threads' recent wins, so a frequency cap holds whichever thread
   * the user's next request reaches.
   */
  settleWin(bidId: string, billed: BilledSpend | undefined, win?: RecentWin | undefined): void;
  /** Passes a win on to the other serving threads' recent wins (frequency caps). */
  shareWin(win: RecentWin): void;
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

/** Single-thread deployment (BIDDER_WORKERS=0, tests): everything is local. */
export class LocalCoordinator implements Coordinator {
  ready = false;

  constructor(
    private readonly registry: Registry,
    private readonly billing: BillingLedger,
  ) {}

  claimWin(bidId: string): Promise<Claim> {
    return Promise.resolve(this.billing.claim(bidId, Date.now()));
  }

  /** The only serving thread recorded the win itself: no one else to tell. */
  settleWin(bidId: string, billed: BilledSpend | undefined): void {
    this.billing.settle(bidId, billed, Date.now());
  }

  /** No other serving thread. */
  shareWin(): void {
    /* nothing to share */
  }

  metricsText(): Promise<string> {
    return this.registry.metrics();
  }

  allReady(): boolean {
    return this.ready;
  }
}
