/**
 * The one table of input limits. The OpenRTB edge (`openrtb/spec.ts`), the event schemas
 * (`events.ts`), the campaign schema and the trackers all read it, so a value the edge accepts
 * always fits every event it reaches. Lengths are in UTF-16 code units (JavaScript `length`, what
 * zod's `max` measures).
 *
 * Two kinds of string: an identifying one (an id, a domain, an IP) over its limit is refused,
 * because a cut id would name something else; a describing one (user agent, page URL) is cut.
 */
export const LIMITS = {
  /** Request, imp, deal, seat, campaign, creative and publisher ids, user ids. Refused over. */
  id: 256,
  /** Event ids (ours: bid ids, UUIDs, `topic:partition:offset`). */
  eventId: 128,
  /** Site domain, app bundle, publisher domain, `adomain`. Refused over. */
  domain: 256,
  /** `device.ip` / `device.ipv6` text (IPv6 needs at most 45). Refused over. */
  ip: 64,
  /** DSA `behalf` and `paid` (the IAB DSA Transparency extension caps them at 100 characters). */
  dsaName: 100,
  /** DSA transparency entities per campaign. */
  dsaTransparency: 8,
  /** User-agent string. Cut over. */
  ua: 1024,
  /** Page, referrer and store URLs. Cut over. */
  url: 2048,
  /** Short codes in lists: IAB categories, MIME types, currency codes. Refused over. */
  code: 64,
  /** Other describing strings (names, keywords, OS, make, model). Cut over. */
  text: 512,
  /** ISO-3166-1 alpha-3 country (`geo.country`); a longer value is dropped. */
  country: 3,
  /** ISO-4217 currency code in events. */
  currency: 3,
  /** Consent and privacy strings (TCF, GPP, US privacy). Refused over. */
  consent: 8192,
  /** A native request (JSON text inside JSON). Refused over. */
  nativeRequest: 16_384,
  /** Impressions in one request. */
  imps: 64,
  /** `banner.format` entries. */
  formats: 64,
  /** Deals in one impression's `pmp`. */
  deals: 128,
  /** `bcat`, `badv`, `bapp`, `wadomain`, seat lists: entries. */
  blockList: 1024,
  /** `battr`, `api`, `protocols`, `btype`, `mimes`, `cur`, `gpp_sid`, `cat` lists: entries. */
  shortList: 64,
  /** `user.data` entries and segments per data entry. */
  userData: 64,
  /** Supply-chain nodes (`source.schain.nodes`). */
  schainNodes: 32,
  /** Nesting depth of the JSON body (objects and arrays), checked on the raw text. */
  jsonDepth: 32,
  /** Largest price or floor, CPM in currency units (10^6 is 10^12 micros, far below 2^53). */
  cpm: 1_000_000,
  /** Largest `tmax`, ms. */
  tmaxMs: 60_000,
  /** Largest width or height, in pixels or ratio units. */
  size: 100_000,
  /** Largest duration, s. */
  durationS: 86_400,
  /** Largest enumerated value (auction types, device types, placement codes, attributes). */
  code32: 1_000_000,

  // Campaigns (the `campaigns` topic and the campaign API): one write reaches every bidder.
  /** Creatives in one campaign. */
  creatives: 64,
  /** A creative's ad markup (HTML, VAST XML or native JSON). Refused over. */
  markup: 65_536,
  /** A creative's `adomain` entries (each goes into every bid made with it). */
  adomains: 16,
  /** Countries a campaign targets (ISO-3166-1 has 249). */
  targetCountries: 256,
  /** Entries of a campaign's domain, bundle, publisher, category and segment lists. */
  targetingList: 10_000,
  /** Deals one campaign buys through. */
  campaignDeals: 256,
  /**
   * Entries one campaign adds to a bidder's candidate index: creatives × targeted countries ×
   * targeted device types (an absent list counts 1), or creatives × deals for a deal campaign.
   * Each entry is a copy-on-write insert into a bucket every request may read, so the product,
   * not each list, is what one write can cost every bidder thread: at 4096 an upsert took 5–20 ms
   * here; 64 × 1000 × 16 (allowed before lists were bounded) took 4.3 s and 190 MB.
   */
  indexEntriesPerCampaign: 4096,
  /** A campaign as stored, JSON bytes: well inside the broker's default 1 MiB message limit. */
  campaignBytes: 786_432,
} as const;

/** What {@link LIMITS} allows for a string field. */
export type StringLimit = keyof typeof LIMITS;

/** Cuts a describing string to `max` code units without splitting a surrogate pair. */
export function cut(s: string, max: number): string {
  if (s.length <= max) return s;
  const end = s.charCodeAt(max - 1);
  // A high surrogate at the cut would be left alone: drop it too.
  return s.slice(0, end >= 0xd800 && end <= 0xdbff ? max - 1 : max);
}
