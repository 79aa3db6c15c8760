import {
  addImpression,
  addSpend,
  RegionSpend,
  SPEND_DEDUPE_MARGIN_MS,
  ZERO_SPEND,
  type Region,
  type Spend,
  type SpendOutcome,
  type SpendSum,
  type SpendTotal,
} from '@streambid/contracts';
import { DEFAULT_ALLOCATION } from './allocation.js';
import { DecayingRate } from './rate.js';
import { utcDayStart } from './pacing.js';

/** Global spend of one campaign as this region has seen it. */
export interface SpendTotals {
  /** Whole micros of the exact global sum: floor(Σ cpm / 1000) over every region. */
  totalMicros: number;
  /** Nano-units of the global sum below one micro (0–999). */
  remainderNanos: number;
  /** Whole micros per region (each region's exact sum, floored). */
  byRegion: Partial<Record<Region, number>>;
  /** Distinct spend events counted (those inside a total included). */
  events: number;
  /** Copies of already-counted events that were ignored (retries, replays, replication). */
  duplicates: number;
}

/** A region's cumulative spend of a campaign up to a cut, ready for the `spend-totals` topic. */
export type SpendTotalDraft = Omit<SpendTotal, 'eventId' | 'ts'>;

export interface SpendLedgerOptions {
  /** Time constant of the recent spend rate per region. @default 5000 */
  rateTauMs?: number;
  /** See {@link SPEND_DEDUPE_MARGIN_MS}. @default 900000 */
  dedupeMarginMs?: number;
}

interface CampaignLedger {
  regions: Map<Region, RegionSpend>;
  /** Spend per UTC day start (the last few days only). */
  byDay: Map<number, SpendSum>;
  rates: Map<Region, DecayingRate>;
  sealed: boolean;
}

const KEEP_DAYS = 3;

/**
 * Spend per campaign and region, exact (`addImpression`: whole micros plus the nano remainder).
 * Each region's figure is that region's latest `spend-totals` record plus the spend events at or
 * after its cut, each id once ({@link RegionSpend}), so it survives the spend topic's retention
 * and does not depend on the order the two streams are read in. Ids are kept from the start of
 * the UTC day (or the dedupe margin before the cut, if earlier), so the daily figure is deduped
 * too. Pure and in memory: the service rebuilds it from the streams at start.
 */
export class SpendLedger {
  private readonly campaigns = new Map<string, CampaignLedger>();
  private readonly rateTauMs: number;
  private readonly marginMs: number;

  constructor(opts: SpendLedgerOptions = {}) {
    this.rateTauMs = opts.rateTauMs ?? DEFAULT_ALLOCATION.rateTauMs;
    this.marginMs = opts.dedupeMarginMs ?? SPEND_DEDUPE_MARGIN_MS;
  }

  private ledger(campaignId: string): CampaignLedger {
    let l = this.campaigns.get(campaignId);
    if (!l) {
      l = { regions: new Map(), byDay: new Map(), rates: new Map(), sealed: false };
      this.campaigns.set(campaignId, l);
    }
    return l;
  }

  private regionOf(l: CampaignLedger, region: Region): RegionSpend {
    let r = l.regions.get(region);
    if (!r) {
      r = new RegionSpend({ marginMs: this.marginMs, keepIdsFrom: utcDayStart });
      if (l.sealed) r.seal();
      l.regions.set(region, r);
    }
    return r;
  }

  /** Counts a spend event unless a copy was counted or a total covers it. */
  record(s: Spend): SpendOutcome {
    const l = this.ledger(s.campaignId);
    const { outcome, first } = this.regionOf(l, s.region).applyEvent(s.eventId, s.ts, s.cpmMicros);
    if (!first) return outcome;
    // Day and rate come from every distinct event read, inside a total's cut or not.
    const day = utcDayStart(s.ts);
    l.byDay.set(day, addImpression(l.byDay.get(day) ?? ZERO_SPEND, s.cpmMicros));
    if (l.byDay.size > KEEP_DAYS) l.byDay.delete(Math.min(...l.byDay.keys()));
    let rate = l.rates.get(s.region);
    if (!rate) {
      rate = new DecayingRate(this.rateTauMs);
      l.rates.set(s.region, rate);
    }
    rate.add(s.cpmMicros / 1000, s.ts);
    return outcome;
  }

  /** Takes a region's cumulative total if it is later than the one held. */
  applyTotal(t: SpendTotal): boolean {
    return this.regionOf(this.ledger(t.campaignId), t.region).applyTotal(t);
  }

  totals(campaignId: string): SpendTotals {
    const out: SpendTotals = {
      totalMicros: 0,
      remainderNanos: 0,
      byRegion: {},
      events: 0,
      duplicates: 0,
    };
    let sum = ZERO_SPEND;
    for (const [region, r] of this.campaigns.get(campaignId)?.regions ?? []) {
      const t = r.total();
      sum = addSpend(sum, t);
      out.byRegion[region] = t.micros;
      out.events += r.events;
      out.duplicates += r.duplicates;
    }
    out.totalMicros = sum.micros;
    out.remainderNanos = sum.nanos;
    return out;
  }

  /** Cut of the latest total held for a region of a campaign (-Infinity: none), and its events. */
  cutOf(campaignId: string, region: Region): { cutTs: number; events: number } {
    const c = this.campaigns.get(campaignId)?.regions.get(region)?.cut;
    return { cutTs: c?.cutTs ?? Number.NEGATIVE_INFINITY, events: c?.events ?? 0 };
  }

  /**
   * Totals of `region` at `cutTs` for every campaign whose figure before the cut grew since its
   * last total (`include` may leave some out). Valid once every spend event of the region with
   * `ts < cutTs` has been recorded.
   */
  totalsToWrite(
    region: Region,
    cutTs: number,
    include: (campaignId: string) => boolean = () => true,
  ): SpendTotalDraft[] {
    const out: SpendTotalDraft[] = [];
    for (const [campaignId, l] of this.campaigns) {
      const cut = l.regions.get(region)?.cutAt(cutTs);
      if (!cut || !include(campaignId)) continue;
      out.push({
        campaignId,
        region,
        cutTs,
        totalMicros: cut.sum.micros,
        remainderNanos: cut.sum.nanos,
        events: cut.events,
      });
    }
    return out;
  }

  /** Spend in the UTC day containing `now` (whole micros). */
  spentToday(campaignId: string, now: number): number {
    return this.campaigns.get(campaignId)?.byDay.get(utcDayStart(now))?.micros ?? 0;
  }

  /** Recent spend rate per region, micros/s. */
  recentRates(campaignId: string, now: number): Partial<Record<Region, number>> {
    const out: Partial<Record<Region, number>> = {};
    for (const [r, rate] of this.campaigns.get(campaignId)?.rates ?? [])
      out[r] = rate.perSecond(now);
    return out;
  }

  /**
   * Drops the dedupe ids of a campaign whose flight is over: its totals stay, and later copies
   * of its events are ignored as duplicates (nothing can be spent after the flight).
   */
  seal(campaignId: string): void {
    const l = this.campaigns.get(campaignId);
    if (!l || l.sealed) return;
    l.sealed = true;
    for (const r of l.regions.values()) r.seal();
  }

  /** Number of event ids held for dedupe (memory watch). */
  get trackedEventIds(): number {
    let n = 0;
    for (const l of this.campaigns.values()) for (const r of l.regions.values()) n += r.trackedIds;
    return n;
  }
}
