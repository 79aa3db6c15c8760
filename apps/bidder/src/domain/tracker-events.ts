/**
 * The events and the spend a tracker hit produces, as pure functions of the signed bid context and
 * what the hit carried. `trackers.ts` answers the HTTP side; these build what goes to Kafka, so the
 * property test and the fuzzers can hold every one of them to its topic schema without a server.
 */
import {
  impressionCostMicros,
  LIMITS,
  toMicros,
  type ClickEvent,
  type BillingNotice,
  type ImpressionEvent,
  type LossEvent,
  type Region,
  type Spend,
  type WinEvent,
  type EventPrivacy,
} from '@streambid/contracts';
import { PERMISSION_BITS, truncateIp } from '@streambid/privacy';
import type { BidContext } from './token.js';
import { fromUsdMicros, toUsdMicros, type FxRates } from './fx.js';

/** What a tracker hit carries besides its token: who sent it. */
export interface HitFacts {
  /** Client IP as text ('' when unknown). */
  ip: string;
  /** `user-agent` header ('' when absent). */
  ua: string;
}

/** Who and where, for win, impression and click events; every string within its event limit. */
export interface TrafficFacts {
  privacy?: EventPrivacy;
  userId?: string;
  ip?: string;
  ua?: string;
  siteDomain?: string;
  appBundle?: string;
  publisherId?: string;
}

export function trafficOf(ctx: BidContext, h: HitFacts): TrafficFacts {
  const t: TrafficFacts = {};
  // The token was made under the bid's privacy decision: its user id is there only if allowed,
  // and the hit's IP (the viewer's browser) is truncated where the rule says so.
  if (ctx.privacy !== undefined) t.privacy = ctx.privacy;
  if (ctx.userId !== undefined) t.userId = ctx.userId;
  if (h.ip !== '') {
    const ip =
      ((ctx.privacy?.p ?? 0) & PERMISSION_BITS.ipTruncated) !== 0
        ? truncateIp(h.ip)
        : h.ip.slice(0, LIMITS.ip);
    if (ip !== undefined) t.ip = ip;
  }
  if (h.ua !== '') t.ua = h.ua.slice(0, LIMITS.ua);
  if (ctx.siteDomain !== undefined) t.siteDomain = ctx.siteDomain;
  if (ctx.appBundle !== undefined) t.appBundle = ctx.appBundle;
  if (ctx.publisherId !== undefined) t.publisherId = ctx.publisherId;
  return t;
}

/**
 * Clearing price in micros of the bid's currency from the `price` parameter, or an error for the
 * client. Absent (a first-price exchange that does not substitute the macro): we pay our bid.
 */
export function clearingMicros(raw: string | undefined, ctx: BidContext): number | string {
  if (raw === undefined) return ctx.priceMicros;
  const v = Number(raw);
  if (!Number.isFinite(v) || v < 0) return 'price is not a number';
  const micros = toMicros(v);
  if (micros > ctx.priceMicros) return 'price above the bid';
  // `-0` is a valid spelling of zero; keep it out of the events.
  return micros === 0 ? 0 : micros;
}

/** The largest clearing price a notice can report: `LIMITS.cpm`, in micros. */
const MAX_CLEARING_MICROS = toMicros(LIMITS.cpm);

/**
 * The clearing price of a loss notice, in micros of the bid's currency: another bidder's price,
 * so above our bid is allowed, up to `LIMITS.cpm`. Undefined when absent or not such a price (the
 * loss is still recorded, without it).
 */
export function lossClearingMicros(raw: string | undefined, ctx: BidContext): number | undefined {
  if (raw === undefined) return undefined;
  const v = clearingMicros(raw, { ...ctx, priceMicros: MAX_CLEARING_MICROS });
  return typeof v === 'number' ? v : undefined;
}

/** The clearing price in the campaign's currency (what spend and win events record). */
export interface CampaignPrice {
  cpmMicros: number;
  currency: string;
}

/** Converts the clearing price (micros of the bid's currency) to the campaign's currency. */
export function campaignPrice(
  ctx: BidContext,
  priceMicros: number,
  rates: FxRates,
  campaignCurrency: string | undefined,
): CampaignPrice {
  const currency = campaignCurrency ?? ctx.cur;
  const usd = toUsdMicros(rates, priceMicros, ctx.cur) ?? priceMicros;
  return { cpmMicros: fromUsdMicros(rates, usd, currency) ?? usd, currency };
}

/** The billed impression's spend, written on the notice the exchange bills on. */
export function spendOf(
  ctx: BidContext,
  price: CampaignPrice,
  o: { region: Region; now: number; notice: BillingNotice },
): Spend {
  return {
    eventId: ctx.bidId,
    ts: o.now,
    region: o.region,
    campaignId: ctx.campaignId,
    creativeId: ctx.creativeId,
    bidId: ctx.bidId,
    requestId: ctx.requestId,
    cpmMicros: price.cpmMicros,
    amountMicros: impressionCostMicros(price.cpmMicros),
    currency: price.currency,
    notice: o.notice,
    exchange: ctx.exchange,
  };
}

const testOf = (ctx: BidContext): { test?: true } => (ctx.test ? { test: true } : {});

/** What a win or loss notice's event says about the bid, once per bid (`eventId` = bid id). */
function noticeBase(ctx: BidContext, o: { region: Region; now: number }) {
  return {
    eventId: ctx.bidId,
    ts: o.now,
    region: o.region,
    ...testOf(ctx),
    exchange: ctx.exchange,
    bidId: ctx.bidId,
    requestId: ctx.requestId,
    impId: ctx.impId,
    campaignId: ctx.campaignId,
    creativeId: ctx.creativeId,
  };
}

/** The win event of a win notice (`nurl`). */
export function winEvent(
  ctx: BidContext,
  h: HitFacts,
  price: CampaignPrice,
  o: { region: Region; now: number },
): WinEvent {
  return {
    ...noticeBase(ctx, o),
    clearingCpmMicros: price.cpmMicros,
    currency: price.currency,
    ...trafficOf(ctx, h),
  };
}

/**
 * The OpenRTB loss reason code of a loss notice's `loss` parameter, when it is one (list 5.25:
 * 0–4095 covers the spec's codes and the exchange-specific range the bidder may still record).
 */
export function lossReason(v: string | undefined): number | undefined {
  return v !== undefined && /^\d{1,4}$/.test(v) ? Number(v) : undefined;
}

/** The loss event of a loss notice (`lurl`). */
export function lossEvent(
  ctx: BidContext,
  o: { region: Region; now: number; reason: number | undefined; clearing: number | undefined },
): LossEvent {
  const ev: LossEvent = noticeBase(ctx, o);
  if (o.reason !== undefined) ev.reason = o.reason;
  // Converted to the campaign's currency, a price near the limit may leave the exact integers.
  if (o.clearing !== undefined && Number.isSafeInteger(o.clearing))
    ev.clearingCpmMicros = o.clearing;
  return ev;
}

export function impressionEvent(
  ctx: BidContext,
  h: HitFacts,
  region: Region,
  now: number,
): ImpressionEvent {
  return {
    eventId: ctx.bidId,
    ts: now,
    region,
    ...testOf(ctx),
    bidId: ctx.bidId,
    requestId: ctx.requestId,
    campaignId: ctx.campaignId,
    creativeId: ctx.creativeId,
    ...trafficOf(ctx, h),
  };
}

export function clickEvent(
  ctx: BidContext,
  h: HitFacts,
  o: { eventId: string; region: Region; now: number },
): ClickEvent {
  return {
    eventId: o.eventId,
    ts: o.now,
    region: o.region,
    ...testOf(ctx),
    bidId: ctx.bidId,
    campaignId: ctx.campaignId,
    creativeId: ctx.creativeId,
    ...trafficOf(ctx, h),
  };
}
