/**
 * The documented contract for OpenRTB 2.5/2.6 requests and responses, as zod 4 schemas.
 *
 * The request schema is derived from the one declaration in `spec.ts` (fields, policies and the
 * limits of `LIMITS`); the hot-path checker in `validate.ts` is derived from the same declaration.
 * Required: `id` (non-empty), `imp` (non-empty array), `imp[].id`, `imp[].pmp.deals[].id`. Fields
 * the bidder reads must have the right type and be within limits when present; tolerated fields
 * are dropped when wrong; unknown fields pass through untouched on every object.
 */
import { z } from 'zod';
import { shapeToZod } from '../fields/zod.js';
import { bidRequestSpec, impSpec, supplyChainSpec } from './spec.js';

const str = z.string();
const num = z.number();
const strs = z.array(z.string());
const nums = z.array(z.number());
const nonEmpty = z.string().min(1);

/** One impression. */
export const impSchema = shapeToZod(impSpec);

/** SupplyChain object (`source.schain` in 2.6, `source.ext.schain` in 2.5). */
export const supplyChainSchema = shapeToZod(supplyChainSpec);

/** OpenRTB 2.5/2.6 bid request: the contract `parseBidRequest` implements. */
export const bidRequestSchema = shapeToZod(bidRequestSpec);

const responseBidSchema = z.looseObject({
  id: nonEmpty,
  impid: nonEmpty,
  /** CPM in the response currency. */
  price: z.number().nonnegative(),
  adid: str.optional(),
  /** Win notice URL. */
  nurl: str.optional(),
  /** Billing notice URL. */
  burl: str.optional(),
  /** Loss notice URL. */
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
  /** See `MarkupType`. */
  mtype: z.number().int().min(1).max(4).optional(),
  ext: z.looseObject({}).optional(),
});

const seatBidSchema = z.looseObject({
  bid: z.array(responseBidSchema).min(1),
  seat: str.optional(),
  group: z.number().int().min(0).max(1).optional(),
  ext: z.looseObject({}).optional(),
});

/**
 * OpenRTB 2.5/2.6 bid response; strict on what we emit (spec-required fields and types). The
 * `BidResponse`, `SeatBid` and `Bid` types are inferred from it.
 */
export const bidResponseSchema = z.looseObject({
  /** Echoes the request id. */
  id: nonEmpty,
  seatbid: z.array(seatBidSchema).optional(),
  bidid: str.optional(),
  /** ISO-4217. @default "USD" */
  cur: str.optional(),
  customdata: str.optional(),
  /** See `NoBidReason`. */
  nbr: z.number().int().nonnegative().optional(),
  ext: z.looseObject({}).optional(),
});
