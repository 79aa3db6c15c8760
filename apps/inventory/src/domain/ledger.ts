import type { Region, Spend } from '@streambid/contracts';
import { DEFAULT_ALLOCATION } from './allocation.js';
import { DecayingRate } from './rate.js';
import { utcDayStart } from './pacing.js';

/** Global spend of one campaign as this region has seen it. */
export interface SpendTotals {
  totalMicros: number;
  byRegion: Partial<Record<Region, number>>;
  /** Distinct spend events counted. */
  events: number;
  /** Copies of already-counted events that were ignored (retries, replays, replication). */
  duplicates: number;
}

interface CampaignLedger {
  /** Spend event ids already counted: the exactly-once guard. */
  seen: Set<string> | undefined;
  totals: SpendTotals;
  /** Spend per UTC day start (the last few days only). */
  byDay: Map<number, number>;
  rates: Map<Region, DecayingRate>;
}

const KEEP_DAYS = 3;

/**
 * Spend per campaign and region, counted exactly once per spend event id. Pure and in memory: the
 * service rebuilds it from every region's spend stream at start, so a restart or replay of the
 * same events yields the same totals.
 */
export class SpendLedger {
  private readonly campaigns = new Map<string, CampaignLedger>();

  /** @param rateTauMs time constant of the recent spend rate per region. */
  constructor(private readonly rateTauMs: number = DEFAULT_ALLOCATION.rateTauMs) {}

  private ledger(campaignId: string): CampaignLedger {
    let l = this.campaigns.get(campaignId);
    if (!l) {
      l = {
        seen: new Set(),
        totals: { totalMicros: 0, byRegion: {}, events: 0, duplicates: 0 },
        byDay: new Map(),
        rates: new Map(),
      };
      this.campaigns.set(campaignId, l);
    }
    return l;
  }

  /** Counts a spend event unless its id was counted before; returns whether it was counted. */
  record(s: Spend): boolean {
    const l = this.ledger(s.campaignId);
    if (l.seen === undefined || l.seen.has(s.eventId)) {
      l.totals.duplicates++;
      return false;
    }
    l.seen.add(s.eventId);
    l.totals.totalMicros += s.amountMicros;
    l.totals.byRegion[s.region] = (l.totals.byRegion[s.region] ?? 0) + s.amountMicros;
    l.totals.events++;
    const day = utcDayStart(s.ts);
    l.byDay.set(day, (l.byDay.get(day) ?? 0) + s.amountMicros);
    if (l.byDay.size > KEEP_DAYS) {
      const oldest = Math.min(...l.byDay.keys());
      l.byDay.delete(oldest);
    }
    let rate = l.rates.get(s.region);
    if (!rate) {
      rate = new DecayingRate(this.rateTauMs);
      l.rates.set(s.region, rate);
    }
    rate.add(s.amountMicros, s.ts);
    return true;
  }

  totals(campaignId: string): SpendTotals {
    const t = this.campaigns.get(campaignId)?.totals;
    return t
      ? { ...t, byRegion: { ...t.byRegion } }
      : { totalMicros: 0, byRegion: {}, events: 0, duplicates: 0 };
  }

  /** Spend in the UTC day containing `now`. */
  spentToday(campaignId: string, now: number): number {
    return this.campaigns.get(campaignId)?.byDay.get(utcDayStart(now)) ?? 0;
  }

  /** Recent spend rate per region, micros/s. */
  recentRates(campaignId: string, now: number): Partial<Record<Region, number>> {
    const out: Partial<Record<Region, number>> = {};
    for (const [r, rate] of this.campaigns.get(campaignId)?.rates ?? [])
      out[r] = rate.perSecond(now);
    return out;
  }

  /**
   * Drops the dedupe set of a campaign whose flight is over: its totals stay, and later copies
   * of its events are ignored as duplicates (nothing can be spent after the flight).
   */
  seal(campaignId: string): void {
    const l = this.campaigns.get(campaignId);
    if (l) l.seen = undefined;
  }

  /** Number of event ids held for dedupe (memory watch). */
  get trackedEventIds(): number {
    let n = 0;
    for (const l of this.campaigns.values()) n += l.seen?.size ?? 0;
    return n;
  }
}
