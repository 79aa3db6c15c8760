/**
 * The documented contract for OpenRTB 2.5/2.6 requests and responses, as zod 4 schemas.
 *
 * Request policy (the hot-path validator in `validate.ts` implements the same rules by hand):
 * - Required: `id` (non-empty string), `imp` (non-empty array), `imp[].id` (non-empty string),
 *   `imp[].pmp.deals[].id` (non-empty string).
 * - "read" fields — those the bidder uses to decide, price or comply — must have the right type
 *   when present, or the request is rejected: a dropped floor, currency, seat or privacy signal
 *   could produce a wrong bid.
 * - "tolerated" fields have their value dropped (as if absent) when the type is wrong.
 * - Unknown fields pass through untouched on every object; `ext` is any object.
 */
import { z } from 'zod';

/** A field the bidder reads: wrong type rejects the request. */
const read = <T extends z.ZodType>(s: T) => s.optional();
/** A field the bidder does not rely on: wrong type drops the value. */
const tol = <T extends z.ZodType>(s: T) => s.optional().catch(undefined);

const str = z.string();
const num = z.number();
const strs = z.array(z.string());
const nums = z.array(z.number());
const nonEmpty = z.string().min(1);
const ext = tol(z.looseObject({}));

const formatSchema = z.looseObject({
  w: read(num),
  h: read(num),
  wratio: tol(num),
  hratio: tol(num),
  wmin: tol(num),
  ext,
});

const bannerSchema = z.looseObject({
  w: read(num),
  h: read(num),
  format: read(z.array(formatSchema)),
  battr: tol(nums),
  pos: tol(num),
  btype: tol(nums),
  mimes: tol(strs),
  api: tol(nums),
  id: tol(str),
  ext,
});

const videoSchema = z.looseObject({
  mimes: read(strs),
  minduration: read(num),
  maxduration: read(num),
  protocols: tol(nums),
  w: read(num),
  h: read(num),
  plcmt: read(num),
  placement: tol(num),
  startdelay: tol(num),
  linearity: tol(num),
  skip: tol(num),
  battr: tol(nums),
  api: tol(nums),
  pos: tol(num),
  ext,
});

const audioSchema = z.looseObject({
  mimes: read(strs),
  minduration: read(num),
  maxduration: read(num),
  protocols: tol(nums),
  startdelay: tol(num),
  battr: tol(nums),
  api: tol(nums),
  ext,
});

const nativeSchema = z.looseObject({
  request: read(str),
  ver: tol(str),
  api: tol(nums),
  battr: tol(nums),
  ext,
});

const dealSchema = z.looseObject({
  id: nonEmpty,
  bidfloor: read(num),
  bidfloorcur: read(str),
  at: read(num),
  wseat: read(strs),
  wadomain: read(strs),
  ext,
});

const pmpSchema = z.looseObject({
  private_auction: read(num),
  deals: read(z.array(dealSchema)),
  ext,
});

/** One impression. */
export const impSchema = z.looseObject({
  id: nonEmpty,
  banner: read(bannerSchema),
  video: read(videoSchema),
  audio: read(audioSchema),
  native: read(nativeSchema),
  pmp: read(pmpSchema),
  bidfloor: read(num),
  bidfloorcur: read(str),
  tagid: read(str),
  secure: read(num),
  instl: tol(num),
  displaymanager: tol(str),
  exp: tol(num),
  ext,
});

const publisherSchema = z.looseObject({
  id: read(str),
  name: tol(str),
  domain: tol(str),
  cat: tol(strs),
  ext,
});

const siteSchema = z.looseObject({
  id: read(str),
  name: tol(str),
  domain: read(str),
  page: read(str),
  ref: tol(str),
  cat: read(strs),
  sectioncat: tol(strs),
  pagecat: tol(strs),
  keywords: tol(str),
  publisher: read(publisherSchema),
  ext,
});

const appSchema = z.looseObject({
  id: read(str),
  name: tol(str),
  bundle: read(str),
  domain: read(str),
  storeurl: tol(str),
  ver: tol(str),
  cat: read(strs),
  publisher: read(publisherSchema),
  ext,
});

const doohSchema = z.looseObject({
  id: read(str),
  name: tol(str),
  venuetype: tol(strs),
  venuetypetax: tol(num),
  domain: tol(str),
  publisher: read(publisherSchema),
  ext,
});

const geoSchema = z.looseObject({
  country: tol(str),
  region: tol(str),
  city: tol(str),
  zip: tol(str),
  lat: tol(num),
  lon: tol(num),
  type: tol(num),
  utcoffset: tol(num),
  ext,
});

const deviceSchema = z.looseObject({
  ua: read(str),
  ip: read(str),
  ipv6: read(str),
  devicetype: read(num),
  geo: tol(geoSchema),
  os: tol(str),
  osv: tol(str),
  make: tol(str),
  model: tol(str),
  language: tol(str),
  dnt: tol(num),
  lmt: tol(num),
  ifa: tol(str),
  ext,
});

const segmentSchema = z.looseObject({ id: tol(str), name: tol(str), value: tol(str), ext });

const dataSchema = z.looseObject({
  id: tol(str),
  name: tol(str),
  segment: tol(z.array(segmentSchema)),
  ext,
});

const userSchema = z.looseObject({
  id: read(str),
  buyeruid: read(str),
  yob: tol(num),
  gender: tol(str),
  keywords: tol(str),
  geo: tol(geoSchema),
  data: tol(z.array(dataSchema)),
  consent: read(str),
  ext,
});

const regsSchema = z.looseObject({
  coppa: read(num),
  gdpr: read(num),
  us_privacy: read(str),
  gpp: read(str),
  gpp_sid: read(nums),
  ext,
});

// Inside a tolerated `nodes` array: any bad node drops the whole array.
const schainNodeSchema = z.looseObject({
  asi: str,
  sid: str,
  hp: num,
  rid: str.optional(),
  name: str.optional(),
  domain: str.optional(),
  ext,
});

/** SupplyChain object (`source.schain` in 2.6, `source.ext.schain` in 2.5). */
export const supplyChainSchema = z.looseObject({
  complete: tol(num),
  nodes: tol(z.array(schainNodeSchema)),
  ver: tol(str),
  ext,
});

const sourceSchema = z.looseObject({
  fd: tol(num),
  tid: tol(str),
  pchain: tol(str),
  schain: tol(supplyChainSchema),
  ext,
});

/** OpenRTB 2.5/2.6 bid request: the contract `parseBidRequest` implements. */
export const bidRequestSchema = z.looseObject({
  id: nonEmpty,
  imp: z.array(impSchema).min(1),
  site: read(siteSchema),
  app: read(appSchema),
  dooh: read(doohSchema),
  device: read(deviceSchema),
  user: read(userSchema),
  test: read(num),
  at: read(num),
  tmax: read(num),
  wseat: read(strs),
  bseat: read(strs),
  cur: read(strs),
  bcat: read(strs),
  badv: read(strs),
  bapp: read(strs),
  source: tol(sourceSchema),
  regs: read(regsSchema),
  ext,
});

const responseBidSchema = z.looseObject({
  id: nonEmpty,
  impid: nonEmpty,
  price: z.number().nonnegative(),
  adid: str.optional(),
  nurl: str.optional(),
  burl: str.optional(),
  lurl: str.optional(),
  adm: str.optional(),
  adomain: strs.optional(),
  cid: str.optional(),
  crid: str.optional(),
  cat: strs.optional(),
  attr: nums.optional(),
  dealid: str.optional(),
  w: num.optional(),
  h: num.optional(),
  mtype: z.number().int().min(1).max(4).optional(),
  ext: z.looseObject({}).optional(),
});

const seatBidSchema = z.looseObject({
  bid: z.array(responseBidSchema).min(1),
  seat: str.optional(),
  group: z.number().int().min(0).max(1).optional(),
  ext: z.looseObject({}).optional(),
});

/** OpenRTB 2.5/2.6 bid response; strict on what we emit (spec-required fields and types). */
export const bidResponseSchema = z.looseObject({
  id: nonEmpty,
  seatbid: z.array(seatBidSchema).optional(),
  bidid: str.optional(),
  cur: str.optional(),
  customdata: str.optional(),
  nbr: z.number().int().nonnegative().optional(),
  ext: z.looseObject({}).optional(),
});
