/**
 * OpenRTB 2.5 / 2.6 bid request and response, limited to the objects and fields streambid uses.
 * Every object may carry fields not listed here (exchanges add their own); they survive
 * validation untouched but are not typed. Vendor data belongs in `ext`.
 * Field names and semantics follow the IAB OpenRTB 2.6 specification.
 */

/** Exchange-specific extension object; free-form. */
export type Ext = Record<string, unknown>;

/** Auction type (`at`). Values above 500 are exchange-specific. */
export const AuctionType = { firstPrice: 1, secondPrice: 2, fixedPrice: 3 } as const;
export type AuctionType = (typeof AuctionType)[keyof typeof AuctionType];

/** Markup type of a bid (`bid.mtype`, OpenRTB 2.6). */
export const MarkupType = { banner: 1, video: 2, audio: 3, native: 4 } as const;
export type MarkupType = (typeof MarkupType)[keyof typeof MarkupType];

/** No-bid reason codes (`nbr`), OpenRTB list 5.24 (subset). */
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

/** A size the banner slot accepts (`banner.format[]`). */
export interface Format {
  w?: number;
  h?: number;
  wratio?: number;
  hratio?: number;
  wmin?: number;
  ext?: Ext;
}

/** Display impression. `w`/`h` are the preferred size; `format` lists all accepted sizes. */
export interface Banner {
  w?: number;
  h?: number;
  format?: Format[];
  /** Blocked creative attributes. */
  battr?: number[];
  /** Ad position on screen. */
  pos?: number;
  btype?: number[];
  mimes?: string[];
  api?: number[];
  id?: string;
  ext?: Ext;
}

/** Video impression. */
export interface Video {
  mimes?: string[];
  /** Minimum and maximum ad duration in seconds. */
  minduration?: number;
  maxduration?: number;
  protocols?: number[];
  w?: number;
  h?: number;
  /** OpenRTB 2.6 placement subtype; see {@link VideoPlcmt}. */
  plcmt?: number;
  /** Deprecated in 2.6 in favour of `plcmt`. */
  placement?: number;
  startdelay?: number;
  linearity?: number;
  skip?: number;
  battr?: number[];
  api?: number[];
  pos?: number;
  ext?: Ext;
}

/** Audio impression. */
export interface Audio {
  mimes?: string[];
  minduration?: number;
  maxduration?: number;
  protocols?: number[];
  startdelay?: number;
  battr?: number[];
  api?: number[];
  ext?: Ext;
}

/** Native impression; `request` is the Native Ads request as a JSON-encoded string. */
export interface Native {
  request?: string;
  ver?: string;
  api?: number[];
  battr?: number[];
  ext?: Ext;
}

/** A direct deal between buyer and seller for this impression. */
export interface Deal {
  /** Required by the spec. */
  id: string;
  /** Minimum CPM for this deal. @default 0 */
  bidfloor?: number;
  /** ISO-4217 currency of `bidfloor`. @default "USD" */
  bidfloorcur?: string;
  /** Auction type override for this deal; 3 = fixed price at `bidfloor`. */
  at?: number;
  /** Buyer seats allowed to bid on the deal. */
  wseat?: string[];
  /** Advertiser domains allowed on the deal. */
  wadomain?: string[];
  ext?: Ext;
}

/** Private marketplace container. */
export interface Pmp {
  /** 1 = only bids on the listed deals are accepted. @default 0 */
  private_auction?: number;
  deals?: Deal[];
  ext?: Ext;
}

/** One ad slot being auctioned. */
export interface Imp {
  /** Unique within the request; bids refer to it by `impid`. Required. */
  id: string;
  banner?: Banner;
  video?: Video;
  audio?: Audio;
  native?: Native;
  pmp?: Pmp;
  /** Minimum CPM in `bidfloorcur`. @default 0 */
  bidfloor?: number;
  /** ISO-4217 currency of `bidfloor`. @default "USD" */
  bidfloorcur?: string;
  tagid?: string;
  /** 1 = the creative must be served over HTTPS. */
  secure?: number;
  instl?: number;
  displaymanager?: string;
  exp?: number;
  ext?: Ext;
}

/** Publisher of a site, app or DOOH venue. */
export interface Publisher {
  id?: string;
  name?: string;
  domain?: string;
  cat?: string[];
  ext?: Ext;
}

/** Website context. */
export interface Site {
  id?: string;
  name?: string;
  domain?: string;
  page?: string;
  ref?: string;
  /** IAB content categories. */
  cat?: string[];
  sectioncat?: string[];
  pagecat?: string[];
  keywords?: string;
  publisher?: Publisher;
  ext?: Ext;
}

/** Mobile or CTV application context. */
export interface App {
  id?: string;
  name?: string;
  bundle?: string;
  domain?: string;
  storeurl?: string;
  ver?: string;
  cat?: string[];
  publisher?: Publisher;
  ext?: Ext;
}

/** Digital out-of-home screen context (OpenRTB 2.6). */
export interface Dooh {
  id?: string;
  name?: string;
  venuetype?: string[];
  venuetypetax?: number;
  domain?: string;
  publisher?: Publisher;
  ext?: Ext;
}

/** Location; `country` is ISO-3166-1 alpha-3. */
export interface Geo {
  country?: string;
  region?: string;
  city?: string;
  zip?: string;
  lat?: number;
  lon?: number;
  type?: number;
  utcoffset?: number;
  ext?: Ext;
}

/** The device showing the ad. */
export interface Device {
  ua?: string;
  ip?: string;
  ipv6?: string;
  /** See {@link DeviceType}. */
  devicetype?: number;
  geo?: Geo;
  os?: string;
  osv?: string;
  make?: string;
  model?: string;
  language?: string;
  dnt?: number;
  lmt?: number;
  ifa?: string;
  ext?: Ext;
}

/** A segment of third-party user data. */
export interface Segment {
  id?: string;
  name?: string;
  value?: string;
  ext?: Ext;
}

/** A third-party data provider's segments for the user. */
export interface Data {
  id?: string;
  name?: string;
  segment?: Segment[];
  ext?: Ext;
}

/** The human user (audience). */
export interface User {
  /** Exchange-specific user id. */
  id?: string;
  /** Buyer (our) user id, as mapped by cookie sync. */
  buyeruid?: string;
  yob?: number;
  gender?: string;
  keywords?: string;
  geo?: Geo;
  data?: Data[];
  /** OpenRTB 2.6 top-level consent string (2.5: `user.ext.consent`). */
  consent?: string;
  ext?: Ext;
}

/** Regulations in force. In 2.5 `gdpr`/`us_privacy` live in `regs.ext`. */
export interface Regs {
  coppa?: number;
  gdpr?: number;
  us_privacy?: string;
  gpp?: string;
  gpp_sid?: number[];
  ext?: Ext;
}

/** One hop in the supply chain (`schain.nodes[]`). */
export interface SupplyChainNode {
  asi: string;
  sid: string;
  hp: number;
  rid?: string;
  name?: string;
  domain?: string;
  ext?: Ext;
}

/** SupplyChain object; in `source.schain` (2.6) or `source.ext.schain` (2.5). */
export interface SupplyChain {
  complete?: number;
  nodes?: SupplyChainNode[];
  ver?: string;
  ext?: Ext;
}

/** Upstream source of the request. */
export interface Source {
  fd?: number;
  /** Transaction id shared by all participants in the auction. */
  tid?: string;
  pchain?: string;
  schain?: SupplyChain;
  ext?: Ext;
}

/** Top-level OpenRTB 2.5/2.6 bid request. Exactly one of `site`, `app`, `dooh` is expected. */
export interface BidRequest {
  /** Auction id. Required, non-empty. */
  id: string;
  /** At least one impression. Required. */
  imp: Imp[];
  site?: Site;
  app?: App;
  dooh?: Dooh;
  device?: Device;
  user?: User;
  /** 1 = test mode, not billable. @default 0 */
  test?: number;
  /** Auction type; see {@link AuctionType}. @default 2 */
  at?: number;
  /** Milliseconds the exchange waits for a bid, including network latency. */
  tmax?: number;
  /** Allowed buyer seats. */
  wseat?: string[];
  bseat?: string[];
  /** Allowed bid currencies (ISO-4217). */
  cur?: string[];
  /** Blocked advertiser categories. */
  bcat?: string[];
  /** Blocked advertiser domains. */
  badv?: string[];
  /** Blocked app bundles. */
  bapp?: string[];
  source?: Source;
  regs?: Regs;
  ext?: Ext;
}

/** One bid on one impression. */
export interface Bid {
  id: string;
  impid: string;
  /** CPM in the response currency. */
  price: number;
  adid?: string;
  /** Win notice URL. */
  nurl?: string;
  /** Billing notice URL. */
  burl?: string;
  /** Loss notice URL. */
  lurl?: string;
  adm?: string;
  adomain?: string[];
  cid?: string;
  crid?: string;
  cat?: string[];
  attr?: number[];
  dealid?: string;
  w?: number;
  h?: number;
  /** See {@link MarkupType}. */
  mtype?: number;
  ext?: Ext;
}

/** Bids from one buyer seat. */
export interface SeatBid {
  bid: Bid[];
  seat?: string;
  group?: number;
  ext?: Ext;
}

/** Top-level bid response. A no-bid is HTTP 204 or a response with `nbr` and no `seatbid`. */
export interface BidResponse {
  /** Echoes the request id. */
  id: string;
  seatbid?: SeatBid[];
  bidid?: string;
  /** ISO-4217. @default "USD" */
  cur?: string;
  customdata?: string;
  /** See {@link NoBidReason}. */
  nbr?: number;
  ext?: Ext;
}
