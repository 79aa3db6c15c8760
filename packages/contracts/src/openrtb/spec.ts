/**
 * The OpenRTB 2.5/2.6 bid request contract, declared once: which fields streambid reads (wrong
 * type or out of limits refuses the request with 400 naming the field), which it tolerates
 * (dropped when wrong) and which describing strings it cuts. Limits come from `LIMITS`, the same
 * table the event schemas use, so whatever passes here fits every event it reaches.
 * The zod schema (`schema.ts`), the hot-path checker (`validate.ts`) and the TypeScript types
 * (`types.ts`, through `Infer`) are derived from this; field comments here show on those types.
 */
import { LIMITS as L } from '../limits.js';
import {
  ext,
  id,
  int,
  ints,
  num,
  obj,
  objs,
  str,
  strs,
  text,
  tol,
  type Shape,
} from '../fields/dsl.js';

const size = int(0, L.size);
const ratio = num(0, L.size);
const duration = int(0, L.durationS);
const code = int(0, L.code32);
const flag = int(0, 1);
const price = num(0, L.cpm);
const currency = str(L.code);
const codes = ints(L.shortList, 0, L.code32);
const shortStrs = strs(L.shortList, L.code);

const format = {
  w: size,
  h: size,
  wratio: tol(ratio),
  hratio: tol(ratio),
  wmin: tol(size),
  ext,
} satisfies Shape;

const banner = {
  w: size,
  h: size,
  format: objs(format, L.formats),
  /** Blocked creative attributes. */
  battr: tol(codes),
  /** Ad position on screen. */
  pos: tol(code),
  btype: tol(codes),
  mimes: tol(shortStrs),
  api: tol(codes),
  id: tol(str(L.id)),
  ext,
} satisfies Shape;

const video = {
  mimes: shortStrs,
  /** Minimum and maximum ad duration in seconds. */
  minduration: duration,
  maxduration: duration,
  protocols: tol(codes),
  w: size,
  h: size,
  /** OpenRTB 2.6 placement subtype; see `VideoPlcmt`. */
  plcmt: code,
  /** Deprecated in 2.6 in favour of `plcmt`. */
  placement: tol(code),
  // -1 and -2 are the generic mid-roll and post-roll positions.
  startdelay: tol(int(-2, L.durationS)),
  linearity: tol(code),
  skip: tol(flag),
  battr: tol(codes),
  api: tol(codes),
  pos: tol(code),
  ext,
} satisfies Shape;

const audio = {
  mimes: shortStrs,
  minduration: duration,
  maxduration: duration,
  protocols: tol(codes),
  startdelay: tol(int(-2, L.durationS)),
  battr: tol(codes),
  api: tol(codes),
  ext,
} satisfies Shape;

const native = {
  /** The Native Ads request, as a JSON-encoded string. */
  request: str(L.nativeRequest),
  ver: tol(str(L.code)),
  api: tol(codes),
  battr: tol(codes),
  ext,
} satisfies Shape;

const deal = {
  /** Required by the spec. */
  id: id(L.id),
  /** Minimum CPM for this deal. @default 0 */
  bidfloor: price,
  /** ISO-4217 currency of `bidfloor`. @default "USD" */
  bidfloorcur: currency,
  /** Auction type override for this deal; 3 = fixed price at `bidfloor`. */
  at: int(1, L.code32),
  /** Buyer seats allowed to bid on the deal. */
  wseat: strs(L.blockList, L.id),
  /** Advertiser domains allowed on the deal. */
  wadomain: strs(L.blockList, L.domain),
  ext,
} satisfies Shape;

const pmp = {
  /** 1 = only bids on the listed deals are accepted. @default 0 */
  private_auction: flag,
  deals: objs(deal, L.deals),
  ext,
} satisfies Shape;

/** One impression. */
export const impSpec = {
  /** Unique within the request; bids refer to it by `impid`. Required. */
  id: id(L.id),
  banner: obj(banner),
  video: obj(video),
  audio: obj(audio),
  native: obj(native),
  pmp: obj(pmp),
  /** Minimum CPM in `bidfloorcur`. @default 0 */
  bidfloor: price,
  /** ISO-4217 currency of `bidfloor`. @default "USD" */
  bidfloorcur: currency,
  tagid: str(L.id),
  /** 1 = the creative must be served over HTTPS. */
  secure: flag,
  instl: tol(flag),
  displaymanager: tol(text(L.text)),
  exp: tol(int(0, 2 ** 31 - 1)),
  ext,
} satisfies Shape;

const publisher = {
  id: str(L.id),
  name: tol(text(L.text)),
  domain: tol(str(L.domain)),
  cat: tol(shortStrs),
  ext,
} satisfies Shape;

const site = {
  id: str(L.id),
  name: tol(text(L.text)),
  domain: str(L.domain),
  page: text(L.url),
  ref: tol(text(L.url)),
  /** IAB content categories. */
  cat: shortStrs,
  sectioncat: tol(shortStrs),
  pagecat: tol(shortStrs),
  keywords: tol(text(L.text)),
  publisher: obj(publisher),
  ext,
} satisfies Shape;

const app = {
  id: str(L.id),
  name: tol(text(L.text)),
  bundle: str(L.domain),
  domain: str(L.domain),
  storeurl: tol(text(L.url)),
  ver: tol(text(L.text)),
  cat: shortStrs,
  publisher: obj(publisher),
  ext,
} satisfies Shape;

const dooh = {
  id: str(L.id),
  name: tol(text(L.text)),
  venuetype: tol(shortStrs),
  venuetypetax: tol(code),
  domain: tol(str(L.domain)),
  publisher: obj(publisher),
  ext,
} satisfies Shape;

const geo = {
  /** ISO-3166-1 alpha-3. */
  country: tol(str(L.country)),
  region: tol(text(L.text)),
  city: tol(text(L.text)),
  zip: tol(text(L.text)),
  lat: tol(num(-90, 90)),
  lon: tol(num(-180, 180)),
  type: tol(code),
  utcoffset: tol(int(-1440, 1440)),
  ext,
} satisfies Shape;

const device = {
  ua: text(L.ua),
  ip: str(L.ip),
  ipv6: str(L.ip),
  /** See `DeviceType`. */
  devicetype: code,
  geo: tol(obj(geo)),
  os: tol(text(L.text)),
  osv: tol(text(L.text)),
  make: tol(text(L.text)),
  model: tol(text(L.text)),
  language: tol(str(L.code)),
  dnt: tol(flag),
  lmt: tol(flag),
  ifa: tol(str(L.id)),
  ext,
} satisfies Shape;

const segment = {
  id: tol(str(L.id)),
  name: tol(text(L.text)),
  value: tol(text(L.text)),
  ext,
} satisfies Shape;

const data = {
  id: tol(str(L.id)),
  name: tol(text(L.text)),
  segment: tol(objs(segment, L.userData)),
  ext,
} satisfies Shape;

const user = {
  /** Exchange-specific user id. */
  id: str(L.id),
  /** Buyer (our) user id, as mapped by cookie sync. */
  buyeruid: str(L.id),
  yob: tol(int(1900, 2100)),
  gender: tol(str(L.code)),
  keywords: tol(text(L.text)),
  geo: tol(obj(geo)),
  data: tol(objs(data, L.userData)),
  /** OpenRTB 2.6 top-level consent string (2.5: `user.ext.consent`). */
  consent: str(L.consent),
  ext,
} satisfies Shape;

const regs = {
  coppa: flag,
  gdpr: flag,
  us_privacy: str(L.consent),
  gpp: str(L.consent),
  gpp_sid: ints(L.shortList, 0, L.code32),
  ext,
} satisfies Shape;

// Inside a tolerated `nodes` array: any bad node drops the whole array.
const schainNode = {
  asi: str(L.domain, 'required'),
  sid: str(L.id, 'required'),
  hp: int(0, 1, 'required'),
  rid: str(L.id),
  name: text(L.text),
  domain: str(L.domain),
  ext,
} satisfies Shape;

/** SupplyChain object (`source.schain` in 2.6, `source.ext.schain` in 2.5). */
export const supplyChainSpec = {
  complete: tol(flag),
  nodes: tol(objs(schainNode, L.schainNodes)),
  ver: tol(str(L.code)),
  ext,
} satisfies Shape;

const source = {
  fd: tol(flag),
  /** Transaction id shared by all participants in the auction. */
  tid: tol(str(L.id)),
  pchain: tol(text(L.text)),
  schain: tol(obj(supplyChainSpec)),
  ext,
} satisfies Shape;

/** OpenRTB 2.5/2.6 bid request. */
export const bidRequestSpec = {
  /** Auction id. Required, non-empty. */
  id: id(L.id),
  /** At least one impression. Required. */
  imp: objs(impSpec, L.imps, 'required', 1),
  site: obj(site),
  app: obj(app),
  dooh: obj(dooh),
  device: obj(device),
  user: obj(user),
  /** 1 = test mode, not billable. @default 0 */
  test: flag,
  /** Auction type; see `AuctionType`. @default 2 */
  at: int(1, L.code32),
  /** Milliseconds the exchange waits for a bid, including network latency. */
  tmax: num(0, L.tmaxMs),
  /** Allowed buyer seats. */
  wseat: strs(L.blockList, L.id),
  bseat: strs(L.blockList, L.id),
  /** Allowed bid currencies (ISO-4217). */
  cur: strs(L.shortList, L.code),
  /** Blocked advertiser categories. */
  bcat: strs(L.blockList, L.code),
  /** Blocked advertiser domains. */
  badv: strs(L.blockList, L.domain),
  /** Blocked app bundles. */
  bapp: strs(L.blockList, L.domain),
  source: tol(obj(source)),
  regs: obj(regs),
  ext,
} satisfies Shape;
