import type { BidRequest } from '@streambid/contracts';
import { makeBidRequest } from './sample.js';

/**
 * A realistic 2.6 request with one 300x250 banner, a 0.01 USD floor and no deals or blocked
 * categories: any active 300x250 campaign with an allowance may win it.
 */
export function openBannerRequest(rng: () => number, siteDomain?: string): BidRequest {
  const req = makeBidRequest(rng, {
    media: 'banner',
    maxImps: 1,
    dealShare: 0,
    siteShare: siteDomain ? 1 : 0.6,
  });
  const imp = req.imp[0];
  if (imp?.banner) imp.banner = { ...imp.banner, w: 300, h: 250, format: [{ w: 300, h: 250 }] };
  if (imp) {
    delete imp.pmp;
    imp.bidfloor = 0.01;
    imp.bidfloorcur = 'USD';
  }
  delete req.bcat;
  delete req.badv;
  if (siteDomain && req.site)
    req.site = { ...req.site, domain: siteDomain, page: `https://${siteDomain}/` };
  return req;
}
