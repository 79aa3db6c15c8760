import type { Campaign, Creative } from '@streambid/contracts';
import { indexEntriesOf, LIMITS, MTYPE } from '@streambid/contracts';
import { toUsdMicros, type FxRates } from './fx.js';

/** A campaign with its targeting turned into sets once, when it arrives from the stream. */
export interface IndexedCampaign {
  readonly c: Campaign;
  /** Max CPM in USD micros; undefined when the campaign's currency has no rate. */
  readonly maxUsdMicros: number | undefined;
  readonly countries: ReadonlySet<string> | undefined;
  readonly deviceTypes: ReadonlySet<number> | undefined;
  readonly siteAllow: ReadonlySet<string> | undefined;
  readonly siteDeny: ReadonlySet<string> | undefined;
  readonly appAllow: ReadonlySet<string> | undefined;
  readonly appDeny: ReadonlySet<string> | undefined;
  readonly pubAllow: ReadonlySet<string> | undefined;
  readonly pubDeny: ReadonlySet<string> | undefined;
  readonly categories: ReadonlySet<string> | undefined;
  readonly segments: readonly string[] | undefined;
  /** Deal id → campaign's own floor (micros of its currency), when it buys through deals. */
  readonly deals: ReadonlyMap<string, number | undefined>;
  /** Segments or a frequency cap: the cookie profile decides. */
  readonly needsProfile: boolean;
}

/** One creative of one campaign: the unit the index stores and a bid is made from. */
export interface CreativeEntry {
  readonly ic: IndexedCampaign;
  readonly cr: Creative;
  readonly mtype: number;
  /** `b:300x250`, `b:*` (any banner size), `v`, `a`, `n`. */
  readonly formatKey: string;
  /** Markup loads something over plain http (not allowed when `imp.secure` = 1). */
  readonly insecure: boolean;
  /** App-store ids the landing page names (`bapp` blocks by these). */
  readonly appIds: readonly string[];
  /** Order of arrival in the index: ties in price go to the earlier entry. */
  readonly seq: number;
  /** Request-scoped stamp that dedupes an entry found in several buckets. */
  stamp: number;
}

/**
 * Open-market bucket order: max price descending (unknown currency last), then arrival. Every
 * request's price is monotone in the max price, so a request can stop reading a bucket early.
 */
export function bucketOrder(a: CreativeEntry, b: CreativeEntry): number {
  const am = a.ic.maxUsdMicros ?? -Infinity;
  const bm = b.ic.maxUsdMicros ?? -Infinity;
  return am !== bm ? bm - am : a.seq - b.seq;
}

const setOf = <T>(xs: readonly T[] | undefined): ReadonlySet<T> | undefined =>
  xs && xs.length > 0 ? new Set(xs) : undefined;

export function formatKeyOf(cr: Creative): string {
  switch (cr.mediaType) {
    case 'banner':
      return cr.w !== undefined && cr.h !== undefined ? `b:${String(cr.w)}x${String(cr.h)}` : 'b:*';
    case 'video':
      return 'v';
    case 'audio':
      return 'a';
    case 'native':
      return 'n';
  }
}

export function indexCampaign(c: Campaign, rates: FxRates): IndexedCampaign {
  const t = c.targeting;
  const deals = new Map<string, number | undefined>();
  for (const d of c.deals) deals.set(d.id, d.floorMicros);
  return {
    c,
    maxUsdMicros: toUsdMicros(rates, c.bidCpmMicros, c.currency),
    countries: setOf(t.countries),
    deviceTypes: setOf(t.deviceTypes),
    siteAllow: setOf(t.siteDomains),
    siteDeny: setOf(t.siteDomainsDeny),
    appAllow: setOf(t.appBundles),
    appDeny: setOf(t.appBundlesDeny),
    pubAllow: setOf(t.publishers),
    pubDeny: setOf(t.publishersDeny),
    categories: setOf(t.categories),
    segments: t.segments && t.segments.length > 0 ? t.segments : undefined,
    deals,
    needsProfile:
      (t.segments?.length ?? 0) > 0 ||
      c.frequencyCap?.perDay !== undefined ||
      c.frequencyCap?.lifetime !== undefined,
  };
}

const ANY = '*';

/**
 * The app an app-install creative promotes, from its store landing page: Google Play's
 * `?id=<bundle>`, the App Store's `/id<digits>` (also as the bare number, as exchanges send it in
 * `bapp`). Empty for any other page. Matched exactly against `bapp`, so a short or empty `bapp`
 * entry cannot block every creative the way a substring test would.
 */
export function storeAppIds(landingUrl: string): string[] {
  let u: URL;
  try {
    u = new URL(landingUrl);
  } catch {
    return [];
  }
  const host = u.hostname.toLowerCase();
  if (host === 'play.google.com') {
    const id = u.searchParams.get('id');
    return id ? [id] : [];
  }
  if (host === 'apps.apple.com' || host === 'itunes.apple.com') {
    const m = /\/id(\d+)/.exec(u.pathname);
    return m?.[1] ? [`id${m[1]}`, m[1]] : [];
  }
  return [];
}

/** Why the index refused a campaign (`bidder_campaigns_refused_total{reason}`). */
export const CAMPAIGN_REFUSALS = {
  /** More index entries than `LIMITS.indexEntriesPerCampaign` (see `indexEntriesOf`). */
  indexEntries: 'index_entries',
} as const;
export type CampaignRefusalReason = (typeof CAMPAIGN_REFUSALS)[keyof typeof CAMPAIGN_REFUSALS];

/** A campaign the index keeps known but never places, so it never bids. */
export interface CampaignRefusal {
  reason: CampaignRefusalReason;
  message: string;
}

/**
 * Candidate index over active campaigns. Open-market creatives are bucketed by
 * `format|country|deviceType` (with `*` for "any"), so a request probes a handful of buckets
 * instead of scanning every campaign; deal campaigns are bucketed by deal id only, since they
 * never bid outside their deals. The remaining targeting is checked per candidate with sets.
 */
export class CampaignIndex {
  private readonly campaigns = new Map<string, IndexedCampaign>();
  private readonly open = new Map<string, CreativeEntry[]>();
  private readonly byDeal = new Map<string, CreativeEntry[]>();
  /** campaign id → bucket keys it was added to (for removal). */
  private readonly placed = new Map<string, { open: string[]; deals: string[] }>();
  private stampSeq = 0;
  private entrySeq = 0;

  constructor(private readonly rates: FxRates) {}

  get size(): number {
    return this.campaigns.size;
  }

  get(campaignId: string): IndexedCampaign | undefined {
    return this.campaigns.get(campaignId);
  }

  /**
   * Adds or replaces a campaign (only the newest version counts). Inactive campaigns stay known but
   * unindexed. So does one over the index limit, which is returned as refused: the schema bounds
   * each list, but its cross-product is what one write would cost every request, and it can reach
   * the log from a writer other than the API. Its earlier version is unindexed too: bidding on
   * targeting the advertiser replaced would be wrong.
   */
  upsert(c: Campaign): CampaignRefusal | undefined {
    const prev = this.campaigns.get(c.id);
    if (prev && prev.c.version > c.version) return undefined;
    this.remove(c.id);
    const ic = indexCampaign(c, this.rates);
    this.campaigns.set(c.id, ic);
    const entries = indexEntriesOf(c);
    if (entries > LIMITS.indexEntriesPerCampaign)
      return {
        reason: CAMPAIGN_REFUSALS.indexEntries,
        message: `campaign ${c.id} version ${String(c.version)} needs ${String(entries)} index entries; at most ${String(LIMITS.indexEntriesPerCampaign)}`,
      };
    if (c.status !== 'active') return undefined;
    const placed = { open: [] as string[], deals: [] as string[] };
    for (const cr of c.creatives) {
      const entry: CreativeEntry = {
        ic,
        cr,
        mtype: MTYPE[cr.mediaType],
        formatKey: formatKeyOf(cr),
        insecure: cr.markup.includes('http://'),
        appIds: storeAppIds(cr.landingUrl),
        seq: ++this.entrySeq,
        stamp: 0,
      };
      if (ic.deals.size > 0) {
        for (const d of ic.deals.keys()) push(this.byDeal, d, entry, placed.deals);
        continue;
      }
      for (const country of ic.countries ?? [ANY])
        for (const dt of ic.deviceTypes ?? [ANY])
          insertSorted(
            this.open,
            `${entry.formatKey}|${country}|${String(dt)}`,
            entry,
            placed.open,
          );
    }
    this.placed.set(c.id, placed);
    return undefined;
  }

  /** Forgets a campaign (tombstone). */
  remove(campaignId: string): void {
    this.campaigns.delete(campaignId);
    const placed = this.placed.get(campaignId);
    if (!placed) return;
    this.placed.delete(campaignId);
    pull(this.open, placed.open, campaignId);
    pull(this.byDeal, placed.deals, campaignId);
  }

  /** Starts a new lookup; entries found twice within one stamp are returned once. */
  nextStamp(): number {
    return ++this.stampSeq;
  }

  /**
   * The open-market buckets an imp probes (`format|country|deviceType`, then `*` for country and
   * device type), in probe order, each sorted by `bucketOrder`. The arrays are never changed in place, so a caller may read them later.
   */
  openBuckets(
    formatKeys: readonly string[],
    country: string | undefined,
    deviceType: number | undefined,
  ): (readonly CreativeEntry[])[] {
    const out: (readonly CreativeEntry[])[] = [];
    const countries = country === undefined ? [ANY] : [country, ANY];
    const devices = deviceType === undefined ? [ANY] : [String(deviceType), ANY];
    for (const fk of formatKeys)
      for (const co of countries)
        for (const dt of devices) {
          const list = this.open.get(`${fk}|${co}|${dt}`);
          if (list) out.push(list);
        }
    return out;
  }

  /** Candidates that buy through `dealId` (any format; the caller checks it). */
  dealCandidates(dealId: string, stamp: number, out: CreativeEntry[]): void {
    collect(this.byDeal.get(dealId), stamp, out);
  }
}

function push(
  index: Map<string, CreativeEntry[]>,
  key: string,
  e: CreativeEntry,
  keys: string[],
): void {
  const list = index.get(key);
  if (list) list.push(e);
  else index.set(key, [e]);
  if (keys[keys.length - 1] !== key) keys.push(key);
}

/** Copy-on-write sorted insert: readers holding the old array keep a consistent snapshot. */
function insertSorted(
  index: Map<string, CreativeEntry[]>,
  key: string,
  e: CreativeEntry,
  keys: string[],
): void {
  const list = index.get(key) ?? [];
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (bucketOrder(list[mid] as CreativeEntry, e) < 0) lo = mid + 1;
    else hi = mid;
  }
  index.set(key, [...list.slice(0, lo), e, ...list.slice(lo)]);
  if (keys[keys.length - 1] !== key) keys.push(key);
}

function pull(index: Map<string, CreativeEntry[]>, keys: string[], campaignId: string): void {
  for (const k of keys) {
    const list = index.get(k);
    if (!list) continue;
    const kept = list.filter((e) => e.ic.c.id !== campaignId);
    if (kept.length === 0) index.delete(k);
    else index.set(k, kept);
  }
}

function collect(list: CreativeEntry[] | undefined, stamp: number, out: CreativeEntry[]): void {
  if (!list) return;
  for (const e of list) {
    if (e.stamp === stamp) continue;
    e.stamp = stamp;
    out.push(e);
  }
}
