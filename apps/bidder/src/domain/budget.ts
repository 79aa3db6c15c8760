import type { NoBid } from './no-bid.js';
import {
  RegionSpend,
  type BudgetAllowance,
  type Region,
  type Spend,
  type SpendTotal,
} from '@streambid/contracts';
import { bucketCapacity, TokenBucket } from './pacing.js';

/** Why the budget gate refused a bid. */
export type BudgetRefusal = Extract<
  NoBid,
  'no_allowance' | 'exhausted' | 'budget_spent' | 'pacing'
>;

/** Options of {@link BudgetView}. */
export interface BudgetViewOptions {
  region: Region;
  /** Campaigns without an allowance may not bid. @default true */
  requireAllowance?: boolean;
  /** Share of the region's pace this process may spend (1 / worker count). @default 1 */
  paceShare?: number;
  /** Bucket depth in seconds of pace. @default 2 */
  burstS?: number;
  /** Expected win rate: a bid reserves cost × winRate tokens. @default 1 */
  winRate?: number;
}

interface Allowance {
  capMicros: number;
  exhausted: boolean;
  bucket: TokenBucket;
}

/**
 * This region's budget allowances and spend, built from the `budget` stream and, per campaign,
 * the region's latest `spend-totals` record plus the tail of `spend` (so a restart after the
 * spend topic's retention still knows what was spent), plus the wins this process billed that
 * the spend stream has not shown yet. Decides whether a campaign may
 * spend `cost` more now. Pure: no I/O, time passed in.
 */
export class BudgetView {
  private readonly allowances = new Map<string, Allowance>();
  private readonly spent = new Map<string, RegionSpend>();
  /** bid id → (campaign, amount) billed here, not yet seen on the spend topic. */
  private readonly pending = new Map<string, { campaignId: string; amountMicros: number }>();
  private readonly pendingByCampaign = new Map<string, number>();
  private readonly requireAllowance: boolean;
  private readonly paceShare: number;
  private readonly burstS: number;
  private readonly winRate: number;

  constructor(private readonly opts: BudgetViewOptions) {
    this.requireAllowance = opts.requireAllowance ?? true;
    this.paceShare = opts.paceShare ?? 1;
    this.burstS = opts.burstS ?? 2;
    this.winRate = opts.winRate ?? 1;
  }

  /** Applies an allowance; entries for other regions are ignored. */
  applyAllowance(a: BudgetAllowance, now: number): void {
    if (a.region !== this.opts.region) return;
    const rate = a.paceMicrosPerSec * this.paceShare;
    const cap = bucketCapacity(rate, this.burstS, 1);
    const cur = this.allowances.get(a.campaignId);
    if (cur) {
      cur.capMicros = a.capMicros;
      cur.exhausted = a.exhausted;
      cur.bucket.reconfigure(rate, cap, now);
    } else {
      this.allowances.set(a.campaignId, {
        capMicros: a.capMicros,
        exhausted: a.exhausted,
        bucket: new TokenBucket(rate, cap, now),
      });
    }
  }

  /** Tombstone of the compacted key `campaignId:region`. */
  removeAllowance(topicKey: string): void {
    const i = topicKey.lastIndexOf(':');
    if (i <= 0 || topicKey.slice(i + 1) !== this.opts.region) return;
    this.allowances.delete(topicKey.slice(0, i));
  }

  private spendOf(campaignId: string): RegionSpend {
    let r = this.spent.get(campaignId);
    if (!r) {
      r = new RegionSpend();
      this.spent.set(campaignId, r);
    }
    return r;
  }

  /** Adds a spend event from the stream once (dedupe by event id); other regions are ignored. */
  applySpend(s: Spend): void {
    if (s.region !== this.opts.region) return;
    this.spendOf(s.campaignId).applyEvent(s.eventId, s.ts, s.cpmMicros);
    const p = this.pending.get(s.eventId);
    if (p) {
      this.pending.delete(s.eventId);
      this.addPending(p.campaignId, -p.amountMicros);
    }
  }

  /** Takes this region's cumulative total of a campaign (other regions' are ignored). */
  applyTotal(t: SpendTotal): void {
    if (t.region === this.opts.region) this.spendOf(t.campaignId).applyTotal(t);
  }

  /** Records a win this process billed (spend acknowledged by Kafka, not yet consumed back). */
  recordBilled(bidId: string, campaignId: string, amountMicros: number): void {
    if (this.pending.has(bidId) || this.spent.get(campaignId)?.has(bidId) === true) return;
    this.pending.set(bidId, { campaignId, amountMicros });
    this.addPending(campaignId, amountMicros);
  }

  /** Whether this bid's spend is known: on the stream, or billed here and not yet on it. */
  hasSpend(bidId: string, campaignId: string): boolean {
    return this.pending.has(bidId) || this.spent.get(campaignId)?.has(bidId) === true;
  }

  private addPending(campaignId: string, delta: number): void {
    const v = (this.pendingByCampaign.get(campaignId) ?? 0) + delta;
    if (v <= 0) this.pendingByCampaign.delete(campaignId);
    else this.pendingByCampaign.set(campaignId, v);
  }

  /** This region's spend for a campaign: the stream plus wins billed here not yet on it. */
  regionSpend(campaignId: string): number {
    const streamed = this.spent.get(campaignId)?.total().micros ?? 0;
    return streamed + (this.pendingByCampaign.get(campaignId) ?? 0);
  }

  /** Cheap check without reserving pacing tokens (candidate filtering). */
  refusal(campaignId: string, costMicros: number): BudgetRefusal | undefined {
    const a = this.allowances.get(campaignId);
    if (!a) return this.requireAllowance ? 'no_allowance' : undefined;
    if (a.exhausted) return 'exhausted';
    if (this.regionSpend(campaignId) + costMicros > a.capMicros) return 'budget_spent';
    return undefined;
  }

  /**
   * Full gate for the chosen bid: budget, then pacing. On success the expected cost is reserved
   * from the campaign's bucket; {@link release} gives it back if the bid is not sent.
   */
  reserve(campaignId: string, costMicros: number, now: number): BudgetRefusal | undefined {
    const r = this.refusal(campaignId, costMicros);
    if (r) return r;
    const a = this.allowances.get(campaignId);
    if (!a) return undefined; // allowance not required and absent: no pacing information
    return a.bucket.tryTake(costMicros * this.winRate, now) ? undefined : 'pacing';
  }

  release(campaignId: string, costMicros: number): void {
    this.allowances.get(campaignId)?.bucket.giveBack(costMicros * this.winRate);
  }

  get allowanceCount(): number {
    return this.allowances.size;
  }
}
