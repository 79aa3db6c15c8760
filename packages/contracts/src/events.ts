import { z } from 'zod';
import { REGIONS } from './regions.js';

/** Every event carries an id (unique, the dedupe key) and an event time in ms since the epoch. */
const eventId = z.string().min(1).max(128);
const eventTime = z.number().int().nonnegative();
const micros = z.number().int().nonnegative();
const region = z.enum(REGIONS);
const id = z.string().min(1).max(256);

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

export const creativeSchema = z.object({
  id,
  mediaType: z.enum(['banner', 'video', 'audio', 'native']),
  w: z.number().int().positive().optional(),
  h: z.number().int().positive().optional(),
  /** Ad markup (HTML, VAST XML or native JSON) with OpenRTB macros such as `${AUCTION_PRICE}`. */
  markup: z.string().max(65_536),
  landingUrl: z.url(),
  adomain: z.array(z.string().min(1)).max(16),
  /** IAB content categories of the creative. */
  cat: z.array(z.string()).max(32).default([]),
  /** OpenRTB creative attributes (`battr` values). */
  attr: z.array(z.number().int()).max(32).default([]),
  /** For video/audio: the MIME type of the creative. */
  mime: z.string().optional(),
  durationS: z.number().int().positive().optional(),
});
export type Creative = z.infer<typeof creativeSchema>;

const stringList = z.array(z.string().min(1)).max(10_000);

export const targetingSchema = z.object({
  /** ISO-3166-1 alpha-3 countries as OpenRTB sends them (`device.geo.country`). Empty or absent = any. */
  countries: z.array(z.string().length(3)).optional(),
  /** OpenRTB device types. */
  deviceTypes: z.array(z.number().int()).optional(),
  siteDomains: stringList.optional(),
  siteDomainsDeny: stringList.optional(),
  appBundles: stringList.optional(),
  appBundlesDeny: stringList.optional(),
  publishers: stringList.optional(),
  publishersDeny: stringList.optional(),
  /** IAB categories of the page/app the campaign wants (any of). */
  categories: stringList.optional(),
  /** Profile segments the user must have (any of); needs the cookie profile from Redis. */
  segments: stringList.optional(),
});
export type Targeting = z.infer<typeof targetingSchema>;

export const dealSchema = z.object({ id, floorMicros: micros.optional() });

/** A campaign as stored in the compacted `campaigns` topic (key: campaign id). */
export const campaignSchema = z.object({
  eventId,
  ts: eventTime,
  id,
  /** Optimistic concurrency: increases by one on every write. */
  version: z.number().int().positive(),
  homeRegion: region,
  advertiser: z.string().min(1).max(256),
  name: z.string().max(256).default(''),
  status: z.enum(['active', 'paused', 'archived']),
  creatives: z.array(creativeSchema).min(1).max(64),
  targeting: targetingSchema.default({}),
  /** Maximum bid, CPM in micros of `currency`. */
  bidCpmMicros: micros.refine((v) => v > 0, 'must be positive'),
  currency: z.string().length(3).default('USD'),
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
  deals: z.array(dealSchema).max(256).default([]),
});
export type Campaign = z.infer<typeof campaignSchema>;

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

/** A billed win. Recorded once per bid: `eventId` is the bid id, the dedupe key across regions. */
export const spendSchema = z.object({
  eventId,
  ts: eventTime,
  region,
  campaignId: id,
  creativeId: id,
  bidId: id,
  requestId: id,
  /** Clearing price, CPM in micros. */
  cpmMicros: micros,
  /** What this impression cost: cpmMicros / 1000. */
  amountMicros: micros,
  currency: z.string().length(3),
});
export type Spend = z.infer<typeof spendSchema>;

const trafficContext = {
  userId: z.string().max(256).optional(),
  ip: z.string().max(64).optional(),
  ua: z.string().max(1024).optional(),
  siteDomain: z.string().max(256).optional(),
  appBundle: z.string().max(256).optional(),
  publisherId: z.string().max(256).optional(),
  placement: z.string().max(256).optional(),
  country: z.string().max(3).optional(),
  deviceType: z.number().int().optional(),
};

export const bidSchema = z.object({
  eventId,
  ts: eventTime,
  region,
  requestId: id,
  impId: id,
  bidId: id,
  campaignId: id,
  creativeId: id,
  cpmMicros: micros,
  dealId: z.string().optional(),
  ...trafficContext,
});
export type BidEvent = z.infer<typeof bidSchema>;

/** Win notice (`nurl`) received for a bid. `eventId` is the bid id. */
export const winSchema = z.object({
  eventId,
  ts: eventTime,
  region,
  bidId: id,
  requestId: id,
  impId: id,
  campaignId: id,
  creativeId: id,
  clearingCpmMicros: micros,
  currency: z.string().length(3),
  ...trafficContext,
});
export type WinEvent = z.infer<typeof winSchema>;

export const impressionSchema = z.object({
  eventId,
  ts: eventTime,
  region,
  bidId: id,
  requestId: id,
  campaignId: id,
  creativeId: id,
  ...trafficContext,
});
export type ImpressionEvent = z.infer<typeof impressionSchema>;

export const clickSchema = z.object({
  eventId,
  ts: eventTime,
  region,
  bidId: id,
  campaignId: id,
  creativeId: id,
  /** Time of the impression this click follows, when known (click-to-impression time). */
  impressionTs: eventTime.optional(),
  ...trafficContext,
});
export type ClickEvent = z.infer<typeof clickSchema>;

const userBase = { eventId, ts: eventTime, region, userId: z.string().min(1).max(256) };

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
  kind: z.enum(['ip', 'subnet', 'site', 'app', 'publisher', 'cookie']),
  value: z.string().min(1).max(256),
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
  key: z.string().nullable(),
  /** The raw value as received (truncated to 64 KiB). */
  value: z.string().nullable(),
  reason: z.string(),
});
export type DeadLetter = z.infer<typeof deadLetterSchema>;
