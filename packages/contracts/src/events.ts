import { z } from 'zod';
import { LIMITS } from './limits.js';
import { REGIONS } from './regions.js';

/** Every event carries an id (unique, the dedupe key) and an event time in ms since the epoch. */
const eventId = z.string().min(1).max(LIMITS.eventId);
const eventTime = z.number().int().nonnegative();
const micros = z.number().int().nonnegative();
const region = z.enum(REGIONS);
/** Ids as the OpenRTB edge bounds them (`LIMITS.id`): whatever the edge accepts fits here. */
const id = z.string().min(1).max(LIMITS.id);
const currency = z.string().length(LIMITS.currency);

export const CampaignStatus = { active: 'active', paused: 'paused', archived: 'archived' } as const;
export type CampaignStatus = (typeof CampaignStatus)[keyof typeof CampaignStatus];

export const MediaType = {
  banner: 'banner',
  video: 'video',
  audio: 'audio',
  native: 'native',
} as const;
export type MediaType = (typeof MediaType)[keyof typeof MediaType];

/** OpenRTB 2.6 `mtype` for each media type. */
export const MTYPE: Record<MediaType, number> = { banner: 1, video: 2, audio: 3, native: 4 };

/** CPM in micros, within the edge's price bound (`LIMITS.cpm`), so price arithmetic stays exact. */
const cpmMicros = micros.max(LIMITS.cpm * 1_000_000);
/** An enumerated OpenRTB value, as the edge bounds it. */
const code = z.number().int().min(0).max(LIMITS.code32);
const codeString = z.string().min(1).max(LIMITS.code);

export const creativeSchema = z.object({
  id,
  mediaType: z.enum(MediaType),
  w: z.number().int().positive().max(LIMITS.size).optional(),
  h: z.number().int().positive().max(LIMITS.size).optional(),
  /** Ad markup (HTML, VAST XML or native JSON) with OpenRTB macros such as `${AUCTION_PRICE}`. */
  markup: z.string().max(LIMITS.markup),
  landingUrl: z.url().max(LIMITS.url),
  adomain: z.array(z.string().min(1).max(LIMITS.domain)).max(LIMITS.adomains),
  /** IAB content categories of the creative. */
  cat: z.array(codeString).max(LIMITS.shortList).default([]),
  /** OpenRTB creative attributes (`battr` values). */
  attr: z.array(code).max(LIMITS.shortList).default([]),
  /** For video/audio: the MIME type of the creative. */
  mime: codeString.optional(),
  durationS: z.number().int().positive().max(LIMITS.durationS).optional(),
});
export type Creative = z.infer<typeof creativeSchema>;

const listOf = (item: z.ZodString) => z.array(item).max(LIMITS.targetingList);
const domains = listOf(z.string().min(1).max(LIMITS.domain));
const ids = listOf(id);

export const targetingSchema = z.object({
  /** ISO-3166-1 alpha-3 countries as OpenRTB sends them (`device.geo.country`). Empty or absent = any. */
  countries: z.array(z.string().length(LIMITS.country)).max(LIMITS.targetCountries).optional(),
  /** OpenRTB device types. */
  deviceTypes: z.array(code).max(LIMITS.shortList).optional(),
  siteDomains: domains.optional(),
  siteDomainsDeny: domains.optional(),
  appBundles: domains.optional(),
  appBundlesDeny: domains.optional(),
  publishers: ids.optional(),
  publishersDeny: ids.optional(),
  /** IAB categories of the page/app the campaign wants (any of). */
  categories: listOf(codeString).optional(),
  /** Profile segments the user must have (any of); needs the cookie profile from Redis. */
  segments: ids.optional(),
});
export type Targeting = z.infer<typeof targetingSchema>;

export const dealSchema = z.object({ id, floorMicros: cpmMicros.optional() });

/**
 * What the campaign's ads disclose under the EU Digital Services Act (the IAB DSA Transparency
 * extension's `bid.ext.dsa`): on whose behalf the ad is shown, who paid for it, and which
 * entities may render the transparency information (`dsaparams`: 1 profiling, 2 basic, 3 ...).
 */
export const dsaSchema = z.object({
  behalf: z.string().min(1).max(LIMITS.dsaName),
  paid: z.string().min(1).max(LIMITS.dsaName),
  transparency: z
    .array(
      z.object({
        domain: z.string().min(1).max(LIMITS.domain),
        dsaparams: z.array(z.number().int().min(1).max(3)).max(3).default([]),
      }),
    )
    .max(LIMITS.dsaTransparency)
    .default([]),
  /** 1: the advertiser renders the DSA information itself. */
  adrender: z.union([z.literal(0), z.literal(1)]).optional(),
});
export type CampaignDsa = z.infer<typeof dsaSchema>;

/** A campaign's requirement on the supply chain of the requests it bids on (`Campaign.supplyChain`). */
export const SupplyChainRequirement = { complete: 'complete', direct: 'direct' } as const;
export type SupplyChainRequirement =
  (typeof SupplyChainRequirement)[keyof typeof SupplyChainRequirement];

/** A campaign as stored in the compacted `campaigns` topic (key: campaign id). */
export const campaignSchema = z.object({
  eventId,
  ts: eventTime,
  id,
  /** Optimistic concurrency: increases by one on every write. */
  version: z.number().int().positive(),
  homeRegion: region,
  advertiser: z.string().min(1).max(LIMITS.id),
  name: z.string().max(LIMITS.text).default(''),
  status: z.enum(CampaignStatus),
  creatives: z.array(creativeSchema).min(1).max(LIMITS.creatives),
  targeting: targetingSchema.default({}),
  /** Maximum bid, CPM in micros of `currency`. */
  bidCpmMicros: cpmMicros.refine((v) => v > 0, 'must be positive'),
  currency: currency.default('USD'),
  budget: z.object({ totalMicros: micros, dailyMicros: micros.optional() }),
  flight: z
    .object({ start: eventTime, end: eventTime })
    .refine((f) => f.end > f.start, 'flight end must be after start'),
  frequencyCap: z
    .object({
      perDay: z.number().int().positive().optional(),
      lifetime: z.number().int().positive().optional(),
    })
    .optional(),
  /** Deals this campaign bids in; when non-empty the campaign bids only through these deals. */
  deals: z.array(dealSchema).max(LIMITS.campaignDeals).default([]),
  /** DSA disclosure; without it the campaign does not bid where the request requires DSA. */
  dsa: dsaSchema.optional(),
  /**
   * What the request's supply chain (`source.schain`) must be for the campaign to bid: `complete`
   * (valid, `complete: 1`, every seller known where we hold its sellers.json) or `direct` (that,
   * with one node: the publisher sold through the exchange, no intermediary). Absent: any.
   */
  supplyChain: z.enum(SupplyChainRequirement).optional(),
});
export type Campaign = z.infer<typeof campaignSchema>;

/**
 * Entries a campaign adds to a bidder's candidate index (bounded by
 * `LIMITS.indexEntriesPerCampaign`): each creative once per distinct targeted country × device
 * type (an absent or empty list is one "any"), or once per distinct deal when it buys through
 * deals. Not part of the schema: the API refuses a campaign over it, and a bidder refuses to index
 * one that reaches it through the log anyway.
 */
export function indexEntriesOf(c: Pick<Campaign, 'creatives' | 'targeting' | 'deals'>): number {
  const distinct = (xs: readonly unknown[] | undefined): number =>
    xs && xs.length > 0 ? new Set(xs).size : 1;
  const deals = new Set(c.deals.map((d) => d.id)).size;
  const perCreative =
    deals > 0 ? deals : distinct(c.targeting.countries) * distinct(c.targeting.deviceTypes);
  return c.creatives.length * perCreative;
}

/** One region's allowance for one campaign, in the compacted `budget` topic (key: `campaignId:region`). */
export const budgetAllowanceSchema = z.object({
  eventId,
  ts: eventTime,
  campaignId: id,
  region,
  /** Cumulative spend this region may reach for the campaign (over the whole flight). */
  capMicros: micros,
  /** Target spend rate for even delivery over the rest of the flight. */
  paceMicrosPerSec: micros,
  /** The campaign's global budget is spent: every allowance is zero. */
  exhausted: z.boolean(),
});
export type BudgetAllowance = z.infer<typeof budgetAllowanceSchema>;

/** Which notice made a win billable: the billing notice (`burl`), or the win notice for an exchange configured to bill on it. */
export const BillingNotice = { burl: 'burl', nurl: 'nurl' } as const;
export type BillingNotice = (typeof BillingNotice)[keyof typeof BillingNotice];

/** An exchange's id as configured (`BIDDER_EXCHANGES`) and as the bid endpoint path names it. */
const exchange = z
  .string()
  .min(1)
  .max(LIMITS.code)
  .regex(/^[a-z0-9][a-z0-9_-]*$/);

/**
 * A billed impression. At most one per bid: `eventId` is the bid id, the dedupe key across
 * retries, restarts and regions. `amountMicros` is floor(cpmMicros / 1000); the part below a micro
 * (`cpmMicros % 1000` nano-units) is added up exactly by every ledger (`addImpression`).
 */
export const spendSchema = z.object({
  eventId,
  ts: eventTime,
  /** Region whose bidder billed it (where the notice arrived). */
  region,
  campaignId: id,
  creativeId: id,
  bidId: id,
  requestId: id,
  /** Clearing price, CPM in micros. */
  cpmMicros: micros,
  /** Whole micros this impression cost: floor(cpmMicros / 1000). */
  amountMicros: micros,
  currency,
  /** The notice that billed it. Absent on spend written before notices were told apart. */
  notice: z.enum(BillingNotice).optional(),
  exchange: exchange.optional(),
});
export type Spend = z.infer<typeof spendSchema>;

/**
 * One region's cumulative spend of one campaign, in the compacted `spend-totals` topic (key
 * `campaignId:region`): every spend event of `region` for the campaign with `ts < cutTs`, counted
 * once. Totals outlive the `spend` topic's retention: a ledger is rebuilt from the latest total
 * plus the spend events at or after `cutTs` (deduplicated against those shortly before it).
 */
export const spendTotalSchema = z.object({
  eventId,
  ts: eventTime,
  campaignId: id,
  region,
  cutTs: eventTime,
  totalMicros: micros,
  /** Nano-units below one micro (0–999), so the total is exact. */
  remainderNanos: z.number().int().min(0).max(999),
  /** Distinct spend events counted. */
  events: z.number().int().nonnegative(),
});
export type SpendTotal = z.infer<typeof spendTotalSchema>;

/**
 * Billing notices one bidder process answered "billed", per minute of the spend's event time
 * (each record the cumulative count of its minute so far), in the compacted
 * `billing-acks` topic (key `instance:minute`): what the exchange was told, kept apart from the
 * spend stream so that reconciliation can compare the two. Written every second and on drain.
 */
export const billingAckSchema = z.object({
  eventId,
  ts: eventTime,
  region,
  /** One bidder process start (random). */
  instance: z.string().min(1).max(LIMITS.eventId),
  /** Start of the minute (ms since epoch, UTC). */
  minute: eventTime,
  acked: z.number().int().nonnegative(),
  /** Σ whole micros (`amountMicros`) of those spends. */
  ackedMicros: micros,
  /** Σ `cpmMicros` of those spends: their exact cost is floor(Σ / 1000) micros. */
  ackedCpmMicros: micros,
});
export type BillingAck = z.infer<typeof billingAckSchema>;

/** Who and where, with the edge's limits (`LIMITS`), so a request the edge accepts always fits. */
/**
 * The legal basis an event was kept under: the privacy rule that decided (`@streambid/privacy`
 * RULES) and the permissions applied, as bits (`PERMISSION_BITS`: 2 profile write, 16 user ids,
 * 512 IP truncated...). A replay can tell from it why every stored record was allowed.
 */
export const privacySchema = z.object({
  basis: z.string().min(1).max(32),
  p: z.number().int().min(0).max(0xffff),
});
export type EventPrivacy = z.infer<typeof privacySchema>;

const trafficContext = {
  privacy: privacySchema.optional(),
  userId: z.string().max(LIMITS.id).optional(),
  ip: z.string().max(LIMITS.ip).optional(),
  ua: z.string().max(LIMITS.ua).optional(),
  siteDomain: z.string().max(LIMITS.domain).optional(),
  appBundle: z.string().max(LIMITS.domain).optional(),
  publisherId: z.string().max(LIMITS.id).optional(),
  placement: z.string().max(LIMITS.id).optional(),
  country: z.string().max(LIMITS.country).optional(),
  deviceType: z.number().int().optional(),
};

/** Set on events of `test: 1` requests: answered normally, never billed or counted. */
const testFlag = { test: z.literal(true).optional() };

/** The head of every event on the bid path: bid, win, loss, impression, click. */
const bidPathHead = { eventId, ts: eventTime, region, ...testFlag };

/** What a win or a loss notice says about the bid it is for. `eventId` is the bid id. */
const bidNotice = {
  ...bidPathHead,
  exchange: exchange.optional(),
  bidId: id,
  requestId: id,
  impId: id,
  campaignId: id,
  creativeId: id,
};

export const bidSchema = z.object({
  ...bidPathHead,
  requestId: id,
  impId: id,
  bidId: id,
  campaignId: id,
  creativeId: id,
  cpmMicros: micros,
  dealId: id.optional(),
  /**
   * Set when the bid was made on traffic a pre-bid check flagged (a reason configured "bid with a
   * flag", e.g. `datacentre`): the reason, so spend on invalid traffic can be told apart.
   */
  ivt: z.string().min(1).max(LIMITS.code).optional(),
  ...trafficContext,
});
export type BidEvent = z.infer<typeof bidSchema>;

/** Win notice (`nurl`) received for a bid. `eventId` is the bid id. */
export const winSchema = z.object({
  ...bidNotice,
  clearingCpmMicros: micros,
  currency,
  ...trafficContext,
});
export type WinEvent = z.infer<typeof winSchema>;

/** Loss notice (`lurl`) received for a bid, with the exchange's loss reason code. `eventId` is the bid id. */
export const lossSchema = z.object({
  ...bidNotice,
  /** OpenRTB loss reason code (list 5.25); absent when the exchange did not fill the macro. */
  reason: z.number().int().min(0).max(LIMITS.code32).optional(),
  /** Winning price, CPM micros, when the exchange reports it. */
  clearingCpmMicros: micros.optional(),
});
export type LossEvent = z.infer<typeof lossSchema>;

export const impressionSchema = z.object({
  ...bidPathHead,
  bidId: id,
  requestId: id,
  campaignId: id,
  creativeId: id,
  ...trafficContext,
});
export type ImpressionEvent = z.infer<typeof impressionSchema>;

export const clickSchema = z.object({
  ...bidPathHead,
  bidId: id,
  campaignId: id,
  creativeId: id,
  /** Time of the impression this click follows, when known (click-to-impression time). */
  impressionTs: eventTime.optional(),
  ...trafficContext,
});
export type ClickEvent = z.infer<typeof clickSchema>;

const userBase = { eventId, ts: eventTime, region, userId: z.string().min(1).max(LIMITS.id) };

export const userEventSchema = z.discriminatedUnion('type', [
  z.object({
    ...userBase,
    type: z.literal('pageview'),
    categories: z.array(z.string()).max(64).default([]),
    keywords: z.array(z.string()).max(64).default([]),
    country: z.string().max(3).optional(),
    deviceType: z.number().int().optional(),
  }),
  z.object({
    ...userBase,
    type: z.literal('segment'),
    provider: z.string().min(1).max(128),
    segments: z
      .array(z.object({ id: z.string().min(1), score: z.number().min(0).max(1) }))
      .max(256),
  }),
  z.object({ ...userBase, type: z.literal('optout') }),
]);
export type UserEvent = z.infer<typeof userEventSchema>;

export const BlockKind = {
  ip: 'ip',
  subnet: 'subnet',
  site: 'site',
  app: 'app',
  publisher: 'publisher',
  cookie: 'cookie',
} as const;
export type BlockKind = (typeof BlockKind)[keyof typeof BlockKind];

/** A blocked entity in the compacted `fraud-blocklist` topic (key: `kind:value`). */
export const blocklistEntrySchema = z.object({
  eventId,
  ts: eventTime,
  kind: z.enum(BlockKind),
  /** An IP, subnet, domain, bundle, publisher id or cookie id: within the edge's bounds. */
  value: z.string().min(1).max(Math.max(LIMITS.id, LIMITS.domain)),
  score: z.number().min(0).max(1),
  reasons: z.array(z.string()).max(32),
  /** Block lapses at this time (ms since epoch). */
  expiresAt: eventTime,
});
export type BlocklistEntry = z.infer<typeof blocklistEntrySchema>;

/** A message that failed validation, with the reason. Never dropped silently. */
export const deadLetterSchema = z.object({
  eventId,
  ts: eventTime,
  service: z.string(),
  sourceTopic: z.string(),
  partition: z.number().int().optional(),
  offset: z.string().optional(),
  /** The message key as received (UTF-8); a prefix when `cut.keyBytes` is set. */
  key: z.string().nullable(),
  /** The raw value as received (UTF-8); a prefix when `cut.valueBytes` is set. */
  value: z.string().nullable(),
  /** Why the message was dead-lettered; a prefix when `cut.reasonBytes` is set. */
  reason: z.string(),
  /**
   * Present when fields were cut so the record fits the broker's message size limit: the original
   * size in bytes of each field that was cut.
   */
  cut: z
    .object({
      keyBytes: z.number().int().nonnegative().optional(),
      valueBytes: z.number().int().nonnegative().optional(),
      reasonBytes: z.number().int().nonnegative().optional(),
    })
    .optional(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;

// ---- Reference data (the bot rules, the data-centre ranges, the sellers lists) ----------------
//
// Each list is a compacted topic keyed by version (`v3`, `ssp.example:v3`), so compaction keeps
// every version, not only the latest: a replay applies the version in force at each event's
// time. Every message is one whole version; a reader builds its index from it, then swaps.

/**
 * Bounds of the reference-data messages. One message is one version of a list, and the whole
 * value must fit the consumers' 1 MiB value limit (the publishing command checks the encoded size).
 */
export const REFERENCE_LIMITS = {
  /** Bot user-agent patterns in one version (on top of `isbot`'s own list). */
  botPatterns: 1000,
  /** Length of one bot pattern (a regular expression source, matched case-insensitively). */
  botPattern: 512,
  /** Data-centre ranges in one version. */
  ranges: 50_000,
  /** Sellers in one version of one ad system's list. */
  sellers: 50_000,
  /** Where a version came from (a file name, a feed URL), for audit. */
  source: 2048,
  /** Largest version number. */
  version: 2_147_483_647,
} as const;

/** What every reference-data message carries: its version and when it comes into force. */
const referenceVersion = {
  eventId,
  ts: eventTime,
  /**
   * Version of the list. The version in force at time t is the highest one whose
   * `effectiveFrom` ≤ t; before the first, the built-in list of `@streambid/reference-data`.
   */
  version: z.number().int().positive().max(REFERENCE_LIMITS.version),
  /** When this version comes into force (ms since epoch); may be in the past or the future. */
  effectiveFrom: eventTime,
  source: z.string().max(REFERENCE_LIMITS.source).optional(),
};

/** The message key of a reference-data version: one key per version, so compaction keeps them all. */
export function referenceKey(version: number, list?: string): string {
  return list === undefined ? `v${String(version)}` : `${list}:v${String(version)}`;
}

function compiles(pattern: string): boolean {
  try {
    new RegExp(pattern, 'i');
    return true;
  } catch {
    return false;
  }
}

/**
 * One version of the project's own bot rules, in the compacted `reference-bots` topic (key
 * `v<version>`): regular expressions (case-insensitive) naming declared bots, headless browsers,
 * HTTP libraries and scrapers, applied on top of `isbot`. They replace the built-in rules.
 */
export const botRulesSchema = z.object({
  ...referenceVersion,
  patterns: z
    .array(
      z
        .string()
        .min(1)
        .max(REFERENCE_LIMITS.botPattern)
        .refine(compiles, 'not a valid regular expression'),
    )
    .max(REFERENCE_LIMITS.botPatterns),
});
export type BotRules = z.infer<typeof botRulesSchema>;

/**
 * One version of the data-centre ranges, IPv4 and IPv6, in the compacted `reference-datacentre`
 * topic (key `v<version>`). Shape only here (`address/bits`); readers parse each CIDR and refuse
 * a version with a malformed one, naming it.
 */
export const datacentreRangesSchema = z.object({
  ...referenceVersion,
  ranges: z
    .array(
      z.object({
        cidr: z
          .string()
          .min(3)
          .max(LIMITS.ip + 4)
          .regex(/^[0-9A-Fa-f:.]+\/\d{1,3}$/, 'not a CIDR (address/bits)'),
        provider: z.string().min(1).max(LIMITS.code),
      }),
    )
    .max(REFERENCE_LIMITS.ranges),
});
export type DatacentreRanges = z.infer<typeof datacentreRangesSchema>;

/** `seller_type` of the IAB Tech Lab sellers.json specification (case-insensitive there). */
export const SellersJsonType = {
  publisher: 'PUBLISHER',
  intermediary: 'INTERMEDIARY',
  both: 'BOTH',
} as const;
export type SellersJsonType = (typeof SellersJsonType)[keyof typeof SellersJsonType];

/**
 * One seller of a sellers.json file (IAB Tech Lab sellers.json 1.0), the fields the bidder reads;
 * other fields are dropped. Seller ids are strings in the specification; numbers, which some
 * files carry, are read as their decimal text.
 */
export const sellersJsonSellerSchema = z.object({
  seller_id: z
    .union([z.string().min(1).max(LIMITS.id), z.number().int().nonnegative()])
    .transform(String),
  seller_type: z
    .string()
    .transform((s) => s.toUpperCase())
    .pipe(z.enum(SellersJsonType)),
  is_confidential: z.union([z.literal(0), z.literal(1)]).optional(),
  is_passthrough: z.union([z.literal(0), z.literal(1)]).optional(),
  domain: z.string().max(LIMITS.domain).optional(),
});

/**
 * One version of one ad system's sellers list, in the compacted `reference-sellers` topic (key
 * `<asi>:v<version>`): it replaces, for that ad system, the list from `BIDDER_SELLERS_JSON`.
 */
export const sellersListSchema = z.object({
  ...referenceVersion,
  /** The ad system's domain, as supply-chain nodes name it (`schain.nodes[].asi`). */
  asi: z.string().min(1).max(LIMITS.domain),
  sellers: z.array(sellersJsonSellerSchema).max(REFERENCE_LIMITS.sellers),
});
export type SellersList = z.infer<typeof sellersListSchema>;
