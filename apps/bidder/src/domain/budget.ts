import type { BudgetAllowance, Region, Spend } from '@streambid/contracts';
import { TtlSet } from './lru.js';
import { bucketCapacity, TokenBucket } from './pacing.js';

/** Why the budget gate refused a bid. */
export type BudgetRefusal = 'no_allowance' | 'exhausted' | 'budget_spent' | 'pacing';

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
  /** Spend event ids remembered for dedupe. @default 1000000 */
  dedupeSize?: number;
}

interface Allowance {
  capMicros: number;
  exhausted: boolean;
  bucket: TokenBucket;
}

/**
 * This region's budget allowances and spend, built from the `budget` and `spend` streams, plus the
 * wins this process billed that the spend stream has not shown yet. Decides whether a campaign may
 * spend `cost` more now. Pure: no I/O, time passed in.
 */
export class BudgetView {
  private readonly allowances = new Map<string, Allowance>();
  private readonly spent = new Map<string, number>();
  /** bid id → (campaign, amount) billed here, not yet seen on the spend topic. */
  private readonly pending = new Map<string, { campaignId: string; amountMicros: number }>();
  private readonly pendingByCampaign = new Map<string, number>();
  private readonly seen: TtlSet;
  private readonly requireAllowance: boolean;
  private readonly paceShare: number;
  private readonly burstS: number;
  private readonly winRate: number;

  constructor(private readonly opts: BudgetViewOptions) {
    this.requireAllowance = opts.requireAllowance ?? true;
    this.paceShare = opts.paceShare ?? 1;
    this.burstS = opts.burstS ?? 2;
    this.winRate = opts.winRate ?? 1;
    // Spend ids are kept for dedupe of redelivered messages; replays far apart are rare.
    this.seen = new TtlSet(opts.dedupeSize ?? 1_000_000, Number.MAX_SAFE_INTEGER / 2);
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

  /** Adds a spend event from the stream once (dedupe by event id); other regions are ignored. */
  applySpend(s: Spend, now: number): void {
    if (s.region !== this.opts.region) return;
    if (!this.seen.add(s.eventId, now)) return;
    this.spent.set(s.campaignId, (this.spent.get(s.campaignId) ?? 0) + s.amountMicros);
    const p = this.pending.get(s.eventId);
    if (p) {
      this.pending.delete(s.eventId);
      this.addPending(p.campaignId, -p.amountMicros);
    }
  }

  /** Records a win this process billed (spend acknowledged by Kafka, not yet consumed back). */
  recordBilled(bidId: string, campaignId: string, amountMicros: number, now: number): void {
    if (this.seen.has(bidId, now) || this.pending.has(bidId)) return;
    this.pending.set(bidId, { campaignId, amountMicros });
    this.addPending(campaignId, amountMicros);
  }

  /** Whether the spend stream already holds this bid's spend. */
  hasSpend(bidId: string, now: number): boolean {
    return this.seen.has(bidId, now) || this.pending.has(bidId);
  }

  private addPending(campaignId: string, delta: number): void {
    const v = (this.pendingByCampaign.get(campaignId) ?? 0) + delta;
    if (v <= 0) this.pendingByCampaign.delete(campaignId);
    else this.pendingByCampaign.set(campaignId, v);
  }

  /** This region's spend for a campaign: the stream plus wins billed here not yet on it. */
  regionSpend(campaignId: string): number {
    return (this.spent.get(campaignId) ?? 0) + (this.pendingByCampaign.get(campaignId) ?? 0);
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
