import { randomUUID } from 'node:crypto';
import type { Publisher } from '@streambid/adapters';
import type { Logger } from '@streambid/adapters';
import type { BudgetAllowance, Campaign, Catalogue, Region } from '@streambid/contracts';
import { allocate, type AllocationOptions, type RegionAllowance } from '../domain/allocation.js';
import type { CampaignView } from '../domain/campaign-view.js';
import type { SpendLedger } from '../domain/ledger.js';
import { Rounds } from './rounds.js';

/** Settings of the budget loop. */
export interface BudgetControllerOptions {
  view: CampaignView;
  ledger: SpendLedger;
  publisher: Publisher;
  topics: Catalogue;
  /** This service's region: it allocates the campaigns homed here. */
  region: Region;
  /** Regions that receive allowances. */
  regions: readonly Region[];
  intervalMs: number;
  /** Every allowance is re-published at least this often. */
  refreshMs: number;
  allocation?: AllocationOptions;
  logger: Logger;
  /** Called with the number of allowances each publish sent. */
  onPublished?: (count: number) => void;
  /**
   * While true, rounds compute and publish nothing (the spend view is frozen: allowances from it
   * would grant budget already spent). Bidders keep the allowances they hold. @default never
   */
  paused?: () => boolean;
  /** @default Date.now */
  clock?: () => number;
}

/** After its flight, a campaign's allowances are refreshed this long, then left in the topic. */
const AFTER_FLIGHT_MS = 3_600_000;
/** Dedupe sets of finished campaigns are dropped this long after the flight (late replicas). */
const SEAL_AFTER_MS = 6 * 3_600_000;

const same = (a: RegionAllowance | undefined, b: RegionAllowance): boolean =>
  a !== undefined &&
  a.capMicros === b.capMicros &&
  a.paceMicrosPerSec === b.paceMicrosPerSec &&
  a.exhausted === b.exhausted;

/**
 * The banker for the campaigns homed in this region: recomputes every region's allowance from the
 * global spend picture, publishes those that changed, and all of them every `refreshMs`. It must
 * start only once the spend view has caught up, or it would hand out budget already spent.
 */
export class BudgetController {
  private readonly last = new Map<string, Map<Region, RegionAllowance>>();
  private readonly rounds: Rounds;
  private lastRefresh = 0;
  private readonly clock: () => number;
  ticks = 0;
  /** Rounds skipped while paused. */
  pausedTicks = 0;

  constructor(private readonly o: BudgetControllerOptions) {
    this.clock = o.clock ?? Date.now;
    this.rounds = new Rounds(() => this.tick(), {
      intervalMs: o.intervalMs,
      logger: o.logger,
      failure: 'budget allocation round failed; retrying next round',
    });
  }

  /** Latest allowances computed for a campaign homed here. */
  allowances(campaignId: string): RegionAllowance[] | undefined {
    const m = this.last.get(campaignId);
    return m ? [...m.values()] : undefined;
  }

  /** Computes the allowances of one campaign now (pure; nothing published). */
  compute(c: Campaign, now: number): RegionAllowance[] {
    return allocate(
      {
        plan: {
          totalMicros: c.budget.totalMicros,
          dailyMicros: c.budget.dailyMicros,
          flight: c.flight,
        },
        bidCpmMicros: c.bidCpmMicros,
        active: c.status === 'active',
        regions: this.o.regions,
        spendByRegion: this.o.ledger.totals(c.id).byRegion,
        spentTodayMicros: this.o.ledger.spentToday(c.id, now),
        recentRateByRegion: this.o.ledger.recentRates(c.id, now),
        now,
      },
      this.o.allocation,
    );
  }

  /** One round: allocate, publish what changed (or everything when a refresh is due). */
  async tick(): Promise<number> {
    if (this.o.paused?.() === true) {
      this.pausedTicks++;
      return 0;
    }
    const now = this.clock();
    const refresh = now - this.lastRefresh >= this.o.refreshMs;
    const out: BudgetAllowance[] = [];
    const next = new Map<string, Map<Region, RegionAllowance>>();
    for (const c of this.o.view.list()) {
      if (c.homeRegion !== this.o.region) continue;
      if (now > c.flight.end + SEAL_AFTER_MS) this.o.ledger.seal(c.id);
      const prev = this.last.get(c.id);
      const settled = c.status === 'archived' || now > c.flight.end + AFTER_FLIGHT_MS;
      // Finished campaigns keep their last allowances in the compacted topic; nothing to refresh.
      if (settled && prev) {
        next.set(c.id, prev);
        continue;
      }
      const computed = this.compute(c, now);
      const byRegion = new Map(computed.map((a) => [a.region, a]));
      next.set(c.id, byRegion);
      for (const a of computed)
        if (refresh || !same(prev?.get(a.region), a))
          out.push({ eventId: randomUUID(), ts: now, campaignId: c.id, ...a });
    }
    if (out.length > 0) await this.o.publisher.publish(this.o.topics.budget, out);
    // Only after the broker acknowledged: a failed publish is retried on the next tick.
    for (const [id, m] of next) this.last.set(id, m);
    if (refresh) this.lastRefresh = now;
    this.ticks++;
    this.o.onPublished?.(out.length);
    return out.length;
  }

  start(): void {
    this.rounds.start();
  }

  /** Stops the loop after the round in flight. */
  stop(): Promise<void> {
    return this.rounds.stop();
  }
}
