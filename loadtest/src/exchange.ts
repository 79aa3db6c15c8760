import type { BidRequest, Region } from '@streambid/contracts';
import { makeBidRequest, mulberry32 } from '@streambid/testkit';
import { generateTraffic, type TrafficLabel } from '@streambid/traffic';

/** One simulated page view: who is there (a person or a labelled bot) and what follows a win. */
export interface Visit {
  label: TrafficLabel;
  ip: string;
  ua: string;
  userId: string;
  siteDomain: string;
  publisherId: string;
  placement: string;
  /** Delays (ms after the impression) of the clicks that follow if our ad is shown. */
  clickDelaysMs: number[];
}

/** Builds a deterministic pool of visits: humans plus the generator's labelled bot patterns. */
export function buildVisits(opts: {
  seed: number;
  region: Region;
  count: number;
  botShare: number;
  clickRate: number;
}): Visit[] {
  const humans = Math.max(1, Math.round(opts.count * (1 - opts.botShare)));
  const perPattern = Math.round((opts.count * opts.botShare) / 6);
  const t = generateTraffic({
    seed: opts.seed,
    startTs: 0,
    durationMs: 3_600_000,
    region: opts.region,
    humanImpressions: humans,
    humanCtr: opts.clickRate,
    users: Math.max(1, Math.ceil(humans / 8)),
    bots:
      perPattern > 0
        ? {
            datacentre: perPattern,
            declared_bot: perPattern,
            injection: perPattern,
            ip_burst: perPattern,
            cookie_stuffing: perPattern,
            click_farm: perPattern,
          }
        : {},
    idPrefix: `lt${opts.region}`,
  });
  const clicksByBid = new Map<string, number[]>();
  for (const c of t.clicks) {
    const list = clicksByBid.get(c.event.bidId) ?? [];
    list.push(Math.max(0, c.event.ts - (c.event.impressionTs ?? c.event.ts)));
    clicksByBid.set(c.event.bidId, list);
  }
  const visits = t.impressions.map(({ label, event: e }) => ({
    label,
    ip: e.ip ?? '203.0.113.1',
    ua: e.ua ?? 'Mozilla/5.0',
    userId: e.userId ?? 'anon',
    siteDomain: e.siteDomain ?? 'unknown.example',
    publisherId: e.publisherId ?? 'pub-0',
    placement: e.placement ?? 'top',
    clickDelaysMs: clicksByBid.get(e.bidId) ?? [],
  }));
  // Interleave bots with people instead of replaying the generator's time order.
  const rnd = mulberry32(opts.seed ^ 0x5eed);
  for (let i = visits.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    const a = visits[i];
    const b = visits[j];
    if (a && b) {
      visits[i] = b;
      visits[j] = a;
    }
  }
  return visits;
}

/** What a scenario asks of its requests (scenarios.ts); absent: the generator's own mix. */
export interface RequestMix {
  media?: 'banner' | 'video' | 'native' | 'mixed';
  channel?: 'site' | 'app' | 'mixed';
  /** `ctv`: a connected TV (`device.devicetype` 3, OpenRTB's list 5.21). */
  device?: 'ctv' | 'any';
}

/** An OpenRTB 2.6 request for a visit: realistic shape from the sample generator, identity from the visit. */
export function requestFor(visit: Visit, rng: () => number, mix: RequestMix = {}): BidRequest {
  const siteShare = mix.channel === 'site' ? 1 : mix.channel === 'app' ? 0 : undefined;
  const req = makeBidRequest(rng, {
    maxImps: 2,
    ...(siteShare === undefined ? {} : { siteShare }),
    ...(mix.media === undefined || mix.media === 'mixed' ? {} : { media: mix.media }),
  });
  req.device = { ...req.device, ip: visit.ip, ua: visit.ua };
  if (mix.device === 'ctv') req.device = { ...req.device, devicetype: 3 };
  // The bidder keys profiles by buyeruid when present: both carry the visitor's id.
  req.user = { ...req.user, id: visit.userId, buyeruid: visit.userId };
  if (req.site) {
    req.site = {
      ...req.site,
      domain: visit.siteDomain,
      page: `https://${visit.siteDomain}/`,
      publisher: { ...req.site.publisher, id: visit.publisherId },
    };
  }
  for (const imp of req.imp) imp.tagid = visit.placement;
  return req;
}

/**
 * Substitutes the OpenRTB 2.6 auction macros in a notice URL. `price` is the clearing price
 * (`${AUCTION_PRICE}`; undefined: nobody won, substituted empty as the spec asks for unknown
 * values), `loss` the loss reason code (`${AUCTION_LOSS}`; 0 "bid won" on win and billing
 * notices), `minToWin` the lowest bid that would have won (`${AUCTION_MIN_TO_WIN}`).
 */
export function fillMacros(
  url: string,
  v: {
    price: number | undefined;
    requestId: string;
    bidId: string;
    impId: string;
    seat: string;
    adId: string;
    cur: string;
    loss?: number;
    minToWin?: number;
  },
): string {
  return url
    .replaceAll('${AUCTION_PRICE}', v.price === undefined ? '' : v.price.toFixed(6))
    .replaceAll('${AUCTION_ID}', encodeURIComponent(v.requestId))
    .replaceAll('${AUCTION_BID_ID}', encodeURIComponent(v.bidId))
    .replaceAll('${AUCTION_IMP_ID}', encodeURIComponent(v.impId))
    .replaceAll('${AUCTION_SEAT_ID}', encodeURIComponent(v.seat))
    .replaceAll('${AUCTION_AD_ID}', encodeURIComponent(v.adId))
    .replaceAll('${AUCTION_CURRENCY}', v.cur)
    .replaceAll('${AUCTION_LOSS}', String(v.loss ?? 0))
    .replaceAll('${AUCTION_MIN_TO_WIN}', v.minToWin === undefined ? '' : v.minToWin.toFixed(6));
}

/**
 * The impression or click tracker the bidder put in a bid's markup (each carries a token of its
 * own kind; the exchange's notice URLs do not open them), or undefined when the markup has none.
 */
export function markupTracker(adm: string, path: '/t/imp' | '/t/click'): string | undefined {
  const at = adm.indexOf(`${path}?t=`);
  if (at < 0) return undefined;
  const start = adm.lastIndexOf('http', at);
  const end = adm.slice(at).search(/["'<\]\s]/);
  return start < 0 ? undefined : adm.slice(start, end < 0 ? undefined : at + end);
}
