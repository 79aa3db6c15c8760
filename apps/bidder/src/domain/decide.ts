import { UNRESTRICTED, type Decision, type Permissions } from '@streambid/privacy';
import type { NoBid } from './no-bid.js';
import { dsaRequired } from './request.js';
import { impressionCostMicros, toMicros, type BidRequest, type Imp } from '@streambid/contracts';
import type { RecentWins } from './recent-wins.js';
import { flaggedPrice, PrebidAction, type PrebidFilter, type PrebidReason } from './prebid.js';
import { assessSupplyChain } from './schain.js';
import type { SellersDirectory } from './sellers.js';
import type { BudgetView } from './budget.js';
import type { CampaignIndex, CreativeEntry } from './campaign-index.js';
import { fromUsdMicros, responseCurrency, toUsdMicros, type FxRates } from './fx.js';
import { CandidateList, priceFor, type Candidate } from './candidates.js';
import {
  dealRefuses,
  impFacts,
  impFormatKeys,
  mismatch,
  requestFacts,
  type RequestFacts,
} from './matching.js';

/**
 * The part of a profile lookup the decision reads; `@streambid/profiles`' `ProfileLookup` fits it.
 * `undefined` where a lookup is passed means the profile was needed but unavailable (timeout, Redis down).
 */
export type ProfileInput =
  | {
      kind: 'found';
      profile: {
        segments: Readonly<Record<string, number>>;
        freq: Readonly<Record<string, { today: number; lifetime: number }>>;
      };
    }
  | { kind: 'missing' }
  | { kind: 'optedOut' };

/** Views and settings a decision reads. */
export interface DecisionContext {
  index: CampaignIndex;
  budget: BudgetView;
  /** Pre-bid invalid-traffic checks (the blocklist among them), each reason's action configured. */
  prebid: PrebidFilter;
  /** Sellers lists the supply chain is checked against (`BIDDER_SELLERS_JSON`); none: unchecked. */
  sellers?: SellersDirectory | undefined;
  /** A flagged bid's price: this share of the normal price, never under the floor. */
  flagPriceShare: number;
  rates: FxRates;
  /** Our seat id. */
  seat: string;
  /** First-price bids: share of max CPM, never below the floor. */
  firstPriceShade: number;
  /** Wins billed here and maybe not yet in the profile (frequency caps count them). */
  recentWins?: RecentWins;
}

interface ImpPlan {
  imp: Imp;
  /** Undefined when the imp cannot be bid on at all (then `reason` says why). */
  candidates: CandidateList | undefined;
  reason: NoBid;
  /** The impression's floor, USD micros CPM (0: none). */
  floorUsd: number;
}

/** Everything decided before the profile lookup. */
export interface Plan {
  req: BidRequest;
  /** Response currency. */
  cur: string;
  /** Our user id for the profile (buyeruid, else the exchange's user id). */
  userId: string | undefined;
  /** A campaign that needs the cookie profile outbids every candidate that does not. */
  needsProfile: boolean;
  imps: ImpPlan[];
  /** Set when the whole request gets no bid before any imp is considered. */
  reason: NoBid | undefined;
  /** The consent policy's decision for the request (docs/privacy.md). */
  privacy: Decision;
  /** `regs.ext.dsa.dsarequired`: from 2 on, only campaigns with DSA information bid. */
  dsa: 0 | 1 | 2 | 3;
  /** The pre-bid check that decided (`bidder_prebid_ivt_total{reason}`), refused or flagged. */
  ivt: PrebidReason | undefined;
  /** `ivt` is configured "bid with a flag": bids go out at a lower price and marked. */
  flagged: boolean;
}

/** A bid chosen for an impression; pacing tokens are reserved for it. */
export interface ChosenBid {
  imp: Imp;
  e: CreativeEntry;
  /** CPM in the response currency, micros. */
  priceMicros: number;
  /** CPM in USD micros. */
  priceUsd: number;
  dealId: string | undefined;
  /** Pacing tokens were taken for it (not for `test: 1` requests, which never spend). */
  reserved: boolean;
}

export interface Outcome {
  bids: ChosenBid[];
  /** When `bids` is empty: why (the furthest stage any impression reached). */
  reason: NoBid;
}

const byPrice = (a: Candidate, b: Candidate): number => b.priceUsd - a.priceUsd;

function floorUsd(
  ctx: DecisionContext,
  floor: number | undefined,
  cur: string | undefined,
): number | undefined {
  if (floor === undefined || floor <= 0) return 0;
  return toUsdMicros(ctx.rates, toMicros(floor), cur ?? 'USD');
}

function planImp(
  ctx: DecisionContext,
  req: BidRequest,
  imp: Imp,
  f: RequestFacts,
  now: number,
): ImpPlan {
  const impFloor = floorUsd(ctx, imp.bidfloor, imp.bidfloorcur);
  if (impFloor === undefined)
    return { imp, candidates: undefined, reason: 'unknown_currency', floorUsd: 0 };
  const fks = impFormatKeys(imp);
  const fi = impFacts(imp);
  const at = req.at ?? 2;
  const deals: Candidate[] = [];
  let belowFloor = false;
  let mismatched = false;
  if (imp.pmp?.deals) {
    const stamp = ctx.index.nextStamp();
    const found: CreativeEntry[] = [];
    for (const deal of imp.pmp.deals) {
      found.length = 0;
      ctx.index.dealCandidates(deal.id, stamp, found);
      const dealFloor = floorUsd(ctx, deal.bidfloor, deal.bidfloorcur);
      if (dealFloor === undefined) continue;
      for (const e of found) {
        if (
          !fks.includes(e.formatKey) ||
          dealRefuses(deal, e, ctx.seat) ||
          mismatch(e, fi, f, now)
        ) {
          mismatched = true;
          continue;
        }
        const own = e.ic.deals.get(deal.id);
        const ownUsd = own === undefined ? 0 : (toUsdMicros(ctx.rates, own, e.ic.c.currency) ?? 0);
        const floor = Math.max(dealFloor, ownUsd);
        const price =
          e.ic.maxUsdMicros === undefined
            ? undefined
            : priceFor(e.ic.maxUsdMicros, floor, deal.at ?? at, ctx.firstPriceShade);
        if (price === undefined) belowFloor = true;
        else deals.push({ e, priceUsd: price, dealId: deal.id });
      }
    }
    if (deals.length > 1) deals.sort(byPrice); // stable: ties keep the order found
  }
  const open =
    imp.pmp?.private_auction === 1
      ? undefined
      : {
          buckets: ctx.index.openBuckets(fks, f.country, f.deviceType),
          imp: fi,
          facts: f,
          now,
          floorUsd: impFloor,
          at,
          shade: ctx.firstPriceShade,
        };
  return {
    imp,
    candidates: new CandidateList(deals, open, mismatched, belowFloor),
    reason: 'no_candidates',
    floorUsd: impFloor,
  };
}

/** First pass, before any I/O: request-level refusals and priced candidates per impression. */
export function plan(
  ctx: DecisionContext,
  req: BidRequest,
  now: number,
  privacy: Decision = UNRESTRICTED,
): Plan {
  const requestUserId = req.user?.buyeruid ?? req.user?.id;
  const perms = privacy.permissions;
  // The id keys the profile and the cookie caps; without a basis for either it is not used.
  const userId = perms.profileRead || perms.frequencyCapByCookie ? requestUserId : undefined;
  const out: Plan = {
    req,
    cur: 'USD',
    userId,
    needsProfile: false,
    imps: [],
    reason: undefined,
    privacy,
    dsa: dsaRequired(req.regs?.ext),
    ivt: undefined,
    flagged: false,
  };
  const f = requestFacts(req, assessSupplyChain(req.source, ctx.sellers));
  // Matching a blocklist is fraud prevention, not storage: the request's user id is checked.
  const ivt = ctx.prebid.check(req, f, f.chain, requestUserId, now);
  if (ivt.reason !== undefined) {
    out.ivt = ivt.reason;
    if (ivt.action === PrebidAction.nobid) {
      out.reason = ivt.reason;
      return out;
    }
    out.flagged = true;
  }
  if (
    (req.wseat && req.wseat.length > 0 && !req.wseat.includes(ctx.seat)) ||
    req.bseat?.includes(ctx.seat)
  ) {
    out.reason = 'seat';
    return out;
  }
  const cur = responseCurrency(ctx.rates, req.cur);
  if (cur === undefined) {
    out.reason = 'unknown_currency';
    return out;
  }
  out.cur = cur;
  for (const imp of req.imp) {
    const p = planImp(ctx, req, imp, f, now);
    out.imps.push(p);
    // A lookup only matters when a profile campaign outbids the best campaign that needs none.
    if (!out.needsProfile && perms.profileRead && p.candidates)
      for (let i = 0, c = p.candidates.at(0); c; c = p.candidates.at(++i)) {
        if (!c.e.ic.needsProfile) break;
        out.needsProfile = true;
      }
  }
  return out;
}

/** Why the profile rules out this campaign, or undefined when it may bid. */
function profileRefuses(
  e: CreativeEntry,
  profile: ProfileInput | undefined,
  recentWins: number,
  perms: Permissions,
): NoBid | undefined {
  const ic = e.ic;
  if (!ic.needsProfile) return undefined;
  // Segment targeting is personalised advertising; a cap needs the user's cookie.
  if ((ic.segments && !perms.personalised) || (ic.c.frequencyCap && !perms.frequencyCapByCookie))
    return 'privacy';
  if (profile === undefined) return 'profile_unavailable';
  if (profile.kind === 'optedOut') return 'opted_out';
  if (ic.segments) {
    if (profile.kind !== 'found') return 'segment';
    const s = profile.profile.segments;
    if (!ic.segments.some((id) => (s[id] ?? 0) > 0)) return 'segment';
  }
  const cap = ic.c.frequencyCap;
  if (cap) {
    const n = profile.kind === 'found' ? profile.profile.freq[ic.c.id] : undefined;
    const today = (n?.today ?? 0) + recentWins;
    const lifetime = (n?.lifetime ?? 0) + recentWins;
    if (
      (cap.perDay !== undefined && today >= cap.perDay) ||
      (cap.lifetime !== undefined && lifetime >= cap.lifetime)
    )
      return 'frequency_cap';
  }
  return undefined;
}

/** Second pass: profile rules, then the budget and pacing gate, best price first. */
export function finish(
  ctx: DecisionContext,
  p: Plan,
  profile: ProfileInput | undefined,
  now: number,
): Outcome {
  const bids: ChosenBid[] = [];
  let reason: NoBid = p.reason ?? 'no_candidates';
  let stage = -1;
  const note = (r: NoBid, s: number): void => {
    if (s > stage) {
      stage = s;
      reason = r;
    }
  };
  if (p.reason !== undefined) return { bids, reason };
  const test = p.req.test === 1;
  for (const ip of p.imps) {
    const list = ip.candidates;
    if (list?.at(0) === undefined) note(list ? list.reason() : ip.reason, 0);
    if (list === undefined) continue;
    for (let i = 0, c = list.at(0); c; c = list.at(++i)) {
      const recent =
        p.userId === undefined ? 0 : (ctx.recentWins?.count(p.userId, c.e.ic.c.id, now) ?? 0);
      if (p.dsa >= 2 && c.e.ic.c.dsa === undefined) {
        note('dsa', 1);
        continue;
      }
      const refused = profileRefuses(c.e, profile, recent, p.privacy.permissions);
      if (refused) {
        note(refused, 1);
        continue;
      }
      const camp = c.e.ic.c;
      // Flagged traffic: a low bid rather than silence; a deal's fixed floor stays as it is.
      const priceUsd =
        p.flagged && c.dealId === undefined
          ? flaggedPrice(c.priceUsd, ip.floorUsd, ctx.flagPriceShare)
          : c.priceUsd;
      const priceCampaignCur = fromUsdMicros(ctx.rates, priceUsd, camp.currency);
      const priceOut = fromUsdMicros(ctx.rates, priceUsd, p.cur);
      if (priceCampaignCur === undefined || priceOut === undefined || priceOut <= 0) continue;
      const cost = impressionCostMicros(priceCampaignCur);
      // Test traffic is answered as usual but never billed: it must not use up pacing either.
      const gate = test
        ? ctx.budget.refusal(camp.id, cost)
        : ctx.budget.reserve(camp.id, cost, now);
      if (gate) {
        note(gate, 2);
        continue;
      }
      bids.push({
        imp: ip.imp,
        e: c.e,
        priceMicros: priceOut,
        priceUsd,
        dealId: c.dealId,
        reserved: !test,
      });
      break;
    }
  }
  return { bids, reason };
}

/** Gives back pacing tokens of bids that were decided but not sent (deadline passed). */
export function releaseAll(ctx: DecisionContext, bids: readonly ChosenBid[]): void {
  for (const b of bids) {
    if (!b.reserved) continue;
    const camp = b.e.ic.c;
    const p = fromUsdMicros(ctx.rates, b.priceUsd, camp.currency);
    if (p !== undefined) ctx.budget.release(camp.id, impressionCostMicros(p));
  }
}
