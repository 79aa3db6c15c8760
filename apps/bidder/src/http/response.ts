import type { Bid, BidEvent, BidResponse } from '@streambid/contracts';
import { ipUnder, privacyField } from '@streambid/privacy';
import type { Outcome, Plan } from '../domain/decide.js';
import { renderMarkup, trackerUrls } from '../domain/macros.js';
import { encodeTokens } from '../domain/token.js';
import type { ServerDeps } from '../deps.js';

/**
 * Serialises the bid response, and queues one bid event per bid. `mtype` is an OpenRTB 2.6 field
 * and is left out when the exchange speaks 2.5.
 */
export function buildResponse(
  d: ServerDeps,
  p: Plan,
  o: Outcome,
  call: { version: string; exchange: string },
  nextBidId: () => string,
): string {
  const version = call.version;
  const req = p.req;
  const now = Date.now();
  const region = d.cfg.REGION;
  const seat = d.cfg.BIDDER_SEAT;
  const is25 = version.startsWith('2.5');
  const test = req.test === 1;
  const siteDomain = req.site?.domain;
  const appBundle = req.app?.bundle;
  const publisherId = req.site?.publisher?.id ?? req.app?.publisher?.id ?? req.dooh?.publisher?.id;
  const perms = p.privacy.permissions;
  const privacy = privacyField(p.privacy);
  // What the events and tokens may carry under the request's privacy decision.
  const userId = perms.userIdsInEvents ? p.userId : undefined;
  const rawIp = req.device?.ip ?? req.device?.ipv6;
  const ip = rawIp === undefined ? undefined : ipUnder(rawIp, perms);
  const country = req.device?.geo?.country ?? req.user?.geo?.country;
  const deviceType = req.device?.devicetype;
  const bids: Bid[] = [];
  for (const b of o.bids) {
    const cr = b.e.cr;
    const c = b.e.ic.c;
    const bidId = nextBidId();
    const tokens = encodeTokens(d.keys, {
      bidId,
      requestId: req.id,
      impId: b.imp.id,
      campaignId: c.id,
      creativeId: cr.id,
      priceMicros: b.priceMicros,
      cur: p.cur,
      region,
      ts: now,
      userId,
      siteDomain,
      appBundle,
      publisherId,
      dealId: b.dealId,
      exchange: call.exchange,
      test,
      privacy,
    });
    const urls = trackerUrls(d.base, tokens);
    const bid: Bid = {
      id: bidId,
      impid: b.imp.id,
      price: b.priceMicros / 1e6,
      adid: cr.id,
      cid: c.id,
      crid: cr.id,
      adomain: cr.adomain,
      adm: renderMarkup(cr.markup, b.e.mtype, {
        requestId: req.id,
        bidId,
        impId: b.imp.id,
        seat,
        adId: cr.id,
        cur: p.cur,
        impUrl: urls.imp,
        clickUrl: urls.click,
      }),
      nurl: urls.nurl,
      burl: urls.burl,
      lurl: urls.lurl,
    };
    if (cr.cat.length > 0) bid.cat = cr.cat;
    if (cr.attr.length > 0) bid.attr = cr.attr;
    if (cr.w !== undefined) bid.w = cr.w;
    if (cr.h !== undefined) bid.h = cr.h;
    if (b.dealId !== undefined) bid.dealid = b.dealId;
    if (!is25) bid.mtype = b.e.mtype;
    // DSA disclosure wherever the exchange takes it; the campaign's own configuration.
    if (p.dsa >= 1 && c.dsa !== undefined) bid.ext = { dsa: c.dsa };
    // A flagged bid says why it is low, so the exchange can audit or drop it.
    if (p.flagged && p.ivt !== undefined) bid.ext = { ...bid.ext, ivt: { reason: p.ivt } };
    bids.push(bid);
    const ev: BidEvent = {
      eventId: bidId,
      ts: now,
      region,
      requestId: req.id,
      impId: b.imp.id,
      bidId,
      campaignId: c.id,
      creativeId: cr.id,
      // USD micros: the bidder's internal currency (the response currency may differ).
      cpmMicros: b.priceUsd,
    };
    if (test) ev.test = true;
    if (b.dealId !== undefined) ev.dealId = b.dealId;
    if (p.flagged && p.ivt !== undefined) ev.ivt = p.ivt;
    ev.privacy = privacy;
    if (userId !== undefined) ev.userId = userId;
    if (ip !== undefined) ev.ip = ip;
    if (siteDomain !== undefined) ev.siteDomain = siteDomain;
    if (appBundle !== undefined) ev.appBundle = appBundle;
    if (publisherId !== undefined) ev.publisherId = publisherId;
    if (country !== undefined && country.length <= 3) ev.country = country;
    if (deviceType !== undefined && Number.isInteger(deviceType)) ev.deviceType = deviceType;
    d.events.bid(ev);
  }
  const res: BidResponse = {
    id: req.id,
    bidid: bids[0]?.id ?? req.id,
    cur: p.cur,
    seatbid: [{ seat, bid: bids }],
  };
  return JSON.stringify(res);
}
