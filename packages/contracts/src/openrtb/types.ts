/**
 * OpenRTB 2.5 / 2.6 bid request and response, limited to the objects and fields streambid uses.
 * Every object may carry fields not listed here (exchanges add their own); they survive
 * validation untouched but are not typed. Vendor data belongs in `ext`.
 * Field names and semantics follow the IAB OpenRTB 2.6 specification.
 *
 * The request types are inferred from the one declaration in `spec.ts` (what the edge checker
 * and the zod schema enforce), the response types from `bidResponseSchema` (`schema.ts`), so
 * neither can drift from what is validated; field comments live there.
 */
import type { z } from 'zod';
import type { Ext, Infer } from '../fields/dsl.js';
import type { bidResponseSchema } from './schema.js';
import type { bidRequestSpec, impSpec, supplyChainSpec } from './spec.js';

/** Exchange-specific extension object; free-form. */
export type { Ext };

/** Auction type (`at`). Values above 500 are exchange-specific. */
export const AuctionType = { firstPrice: 1, secondPrice: 2, fixedPrice: 3 } as const;
export type AuctionType = (typeof AuctionType)[keyof typeof AuctionType];

/** Markup type of a bid (`bid.mtype`, OpenRTB 2.6). */
export const MarkupType = { banner: 1, video: 2, audio: 3, native: 4 } as const;
export type MarkupType = (typeof MarkupType)[keyof typeof MarkupType];

/**
 * No-bid reason codes (`nbr`): the list OpenRTB 2.6 refers to (OpenRTB 3.0 "No-Bid Reason
 * Codes"); 500+ are exchange-specific.
 */
export const NoBidReason = {
  unknownError: 0,
  technicalError: 1,
  invalidRequest: 2,
  knownWebSpider: 3,
  suspectedNonHumanTraffic: 4,
  cloudOrProxyIp: 5,
  unsupportedDevice: 6,
  blockedPublisher: 7,
  unmatchedUser: 8,
  dailyReaderCapMet: 9,
  dailyDomainCapMet: 10,
  adsTxtAuthorizationUnavailable: 11,
  adsTxtAuthorizationViolation: 12,
  adsCertAuthenticationUnavailable: 13,
  adsCertAuthenticationViolation: 14,
  insufficientAuctionTime: 15,
  incompleteSupplyChain: 16,
  blockedSupplyChainNode: 17,
} as const;
export type NoBidReason = (typeof NoBidReason)[keyof typeof NoBidReason];

/** Device type (`device.devicetype`), AdCOM list "Device Types". */
export const DeviceType = {
  mobileTablet: 1,
  personalComputer: 2,
  connectedTv: 3,
  phone: 4,
  tablet: 5,
  connectedDevice: 6,
  setTopBox: 7,
  oohDevice: 8,
} as const;
export type DeviceType = (typeof DeviceType)[keyof typeof DeviceType];

/** Video placement (`video.plcmt`, OpenRTB 2.6 / AdCOM "Plcmt Subtypes - Video"). */
export const VideoPlcmt = {
  instream: 1,
  accompanyingContent: 2,
  interstitial: 3,
  noContentStandalone: 4,
} as const;
export type VideoPlcmt = (typeof VideoPlcmt)[keyof typeof VideoPlcmt];

/** Top-level OpenRTB 2.5/2.6 bid request. Exactly one of `site`, `app`, `dooh` is expected. */
export type BidRequest = Infer<typeof bidRequestSpec>;

/** One ad slot being auctioned. */
export type Imp = Infer<typeof impSpec>;

/** Display impression. `w`/`h` are the preferred size; `format` lists all accepted sizes. */
export type Banner = NonNullable<Imp['banner']>;

/** A size the banner slot accepts (`banner.format[]`). */
export type Format = NonNullable<Banner['format']>[number];

/** Video impression. */
export type Video = NonNullable<Imp['video']>;

/** Audio impression. */
export type Audio = NonNullable<Imp['audio']>;

/** Native impression; `request` is the Native Ads request as a JSON-encoded string. */
export type Native = NonNullable<Imp['native']>;

/** Private marketplace container. */
export type Pmp = NonNullable<Imp['pmp']>;

/** A direct deal between buyer and seller for this impression. */
export type Deal = NonNullable<Pmp['deals']>[number];

/** Website context. */
export type Site = NonNullable<BidRequest['site']>;

/** Mobile or CTV application context. */
export type App = NonNullable<BidRequest['app']>;

/** Digital out-of-home screen context (OpenRTB 2.6). */
export type Dooh = NonNullable<BidRequest['dooh']>;

/** Publisher of a site, app or DOOH venue. */
export type Publisher = NonNullable<Site['publisher']>;

/** The device showing the ad. */
export type Device = NonNullable<BidRequest['device']>;

/** Location; `country` is ISO-3166-1 alpha-3. */
export type Geo = NonNullable<Device['geo']>;

/** The human user (audience). */
export type User = NonNullable<BidRequest['user']>;

/** A third-party data provider's segments for the user. */
export type Data = NonNullable<User['data']>[number];

/** A segment of third-party user data. */
export type Segment = NonNullable<Data['segment']>[number];

/** Regulations in force. In 2.5 `gdpr`/`us_privacy` live in `regs.ext`. */
export type Regs = NonNullable<BidRequest['regs']>;

/** Upstream source of the request. */
export type Source = NonNullable<BidRequest['source']>;

/** SupplyChain object; in `source.schain` (2.6) or `source.ext.schain` (2.5). */
export type SupplyChain = Infer<typeof supplyChainSpec>;

/** One hop in the supply chain (`schain.nodes[]`). */
export type SupplyChainNode = NonNullable<SupplyChain['nodes']>[number];

/**
 * A loose zod object's output as the wire carries it: the members it declares, optional ones
 * absent rather than `undefined`, unknown ones untyped (zod would type them `unknown` through an
 * index signature, which hides misspelt members). An object declaring none (`ext`) stays as is.
 */
type Wire<T> = T extends readonly (infer E)[]
  ? Wire<E>[]
  : T extends object
    ? keyof Declared<T> extends never
      ? T
      : { [K in keyof Declared<T>]: Wire<Exclude<Declared<T>[K], undefined>> }
    : T;
type Declared<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

/**
 * Top-level bid response, from its zod schema (`bidResponseSchema`, strict on what we emit). A
 * no-bid is HTTP 204 or a response with `nbr` and no `seatbid`.
 */
export type BidResponse = Wire<z.output<typeof bidResponseSchema>>;

/** Bids from one buyer seat. */
export type SeatBid = NonNullable<BidResponse['seatbid']>[number];

/** One bid on one impression. */
export type Bid = SeatBid['bid'][number];
