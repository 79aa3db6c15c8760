/**
 * The dashboard's view of the streams, built the way every service builds its own: campaigns
 * (budgets), budget allowances per region, each region's exact spend per campaign (its latest
 * `spend-totals` cut plus the tail of its `spend` stream, deduplicated by `RegionSpend`), and each
 * region's copy of the fraud blocklist. Pure and in memory; `stream-feed.ts` feeds it.
 */
import {
  RegionSpend,
  type BlocklistEntry,
  type BudgetAllowance,
  type Campaign,
  type Spend,
  type SpendTotal,
} from '@streambid/contracts';

/** A campaign's spend in one region against its budget. */
export interface CampaignRow {
  id: string;
  name: string;
  homeRegion: string;
  /** Spend in this region (exact micros). */
  spendMicros: number;
  /** What this region may spend (its allowance); null before one arrived. */
  allowanceMicros: number | null;
  /** Spend of every region the dashboard reads. */
  globalSpendMicros: number;
  /** The campaign's budget; null before the campaign arrived (spend seen first). */
  budgetMicros: number | null;
}

/** A site on a region's blocklist (an invalid-traffic decision). */
export interface InvalidSite {
  site: string;
  score: number;
  reasons: string[];
}

interface CampaignInfo {
  name: string;
  homeRegion: string;
  budgetMicros: number;
  version: number;
}

export class StreamView {
  private readonly campaigns = new Map<string, CampaignInfo>();
  /** `campaignId:region` → latest allowance. */
  private readonly allowances = new Map<string, { capMicros: number; ts: number }>();
  /** region → campaign → spend. */
  private readonly spend = new Map<string, Map<string, RegionSpend>>();
  /** region → `kind:value` → entry. */
  private readonly blocklists = new Map<string, Map<string, BlocklistEntry>>();

  /** A campaign record (from any region's copy); the highest version wins. */
  applyCampaign(c: Campaign): void {
    const held = this.campaigns.get(c.id);
    if (held && held.version >= c.version) return;
    this.campaigns.set(c.id, {
      name: c.name,
      homeRegion: c.homeRegion,
      budgetMicros: c.budget.totalMicros,
      version: c.version,
    });
  }

  /** A budget allowance; a later one replaces an earlier one. */
  applyAllowance(a: BudgetAllowance): void {
    const k = `${a.campaignId}:${a.region}`;
    const held = this.allowances.get(k);
    if (held && held.ts > a.ts) return;
    this.allowances.set(k, { capMicros: a.capMicros, ts: a.ts });
  }

  private regionSpend(region: string, campaignId: string): RegionSpend {
    let byCampaign = this.spend.get(region);
    if (!byCampaign) this.spend.set(region, (byCampaign = new Map()));
    let s = byCampaign.get(campaignId);
    if (!s) byCampaign.set(campaignId, (s = new RegionSpend()));
    return s;
  }

  /** A spend event read from `region`'s own `spend` topic (each copy counted once). */
  applySpend(region: string, s: Spend): void {
    if (s.region !== region) return;
    this.regionSpend(region, s.campaignId).applyEvent(s.eventId, s.ts, s.cpmMicros);
  }

  /** A cumulative total read from `region`'s own `spend-totals` topic. */
  applySpendTotal(region: string, t: SpendTotal): void {
    if (t.region !== region) return;
    this.regionSpend(region, t.campaignId).applyTotal(t);
  }

  /** A blocklist record as `region` holds it; `entry` null is a tombstone (unblocked). */
  applyBlock(region: string, key: string, entry: BlocklistEntry | null): void {
    let list = this.blocklists.get(region);
    if (!list) this.blocklists.set(region, (list = new Map()));
    if (entry === null) list.delete(key);
    else list.set(key, entry);
  }

  /**
   * The `n` campaigns with the most spend in `region` (then by global spend, then id), largest
   * first; campaigns that spent nothing yet fill the list after those that did.
   */
  topCampaigns(region: string, n: number): CampaignRow[] {
    const global = new Map<string, number>();
    for (const byCampaign of this.spend.values())
      for (const [id, s] of byCampaign) global.set(id, (global.get(id) ?? 0) + s.total().micros);
    const here = this.spend.get(region) ?? new Map<string, RegionSpend>();
    const ids = new Set([...global.keys(), ...this.campaigns.keys()]);
    const rows: CampaignRow[] = [...ids].map((id) => {
      const c = this.campaigns.get(id);
      return {
        id,
        name: c?.name ?? '',
        homeRegion: c?.homeRegion ?? '',
        spendMicros: here.get(id)?.total().micros ?? 0,
        allowanceMicros: this.allowances.get(`${id}:${region}`)?.capMicros ?? null,
        globalSpendMicros: global.get(id) ?? 0,
        budgetMicros: c?.budgetMicros ?? null,
      };
    });
    rows.sort(
      (a, b) =>
        b.spendMicros - a.spendMicros ||
        b.globalSpendMicros - a.globalSpendMicros ||
        (a.id < b.id ? -1 : 1),
    );
    return rows.slice(0, n);
  }

  private active(region: string, nowMs: number): BlocklistEntry[] {
    return [...(this.blocklists.get(region)?.values() ?? [])].filter((e) => e.expiresAt > nowMs);
  }

  /** Unexpired blocklist entries `region` holds. */
  blocklistSize(region: string, nowMs: number): number {
    return this.active(region, nowMs).length;
  }

  /** The `n` blocked sites with the highest invalid-traffic score in `region`'s copy. */
  topInvalidSites(region: string, n: number, nowMs: number): InvalidSite[] {
    return this.active(region, nowMs)
      .filter((e) => e.kind === 'site')
      .sort((a, b) => b.score - a.score || (a.value < b.value ? -1 : 1))
      .slice(0, n)
      .map((e) => ({ site: e.value, score: e.score, reasons: [...e.reasons] }));
  }

  /** Campaigns known (any region). */
  get campaignCount(): number {
    return this.campaigns.size;
  }
}
