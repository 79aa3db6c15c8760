import type { BidRequest, Deal, Imp } from '@streambid/contracts';
import type { CreativeEntry } from './campaign-index.js';

/** The parts of a request every candidate is checked against, extracted once. */
export interface RequestFacts {
  siteDomain: string | undefined;
  appBundle: string | undefined;
  publisherId: string | undefined;
  /** Content categories of the page or app (cat, sectioncat, pagecat). */
  cats: readonly string[];
  bcat: readonly string[] | undefined;
  badv: ReadonlySet<string> | undefined;
  bapp: readonly string[] | undefined;
  country: string | undefined;
  deviceType: number | undefined;
}

export function requestFacts(req: BidRequest): RequestFacts {
  const site = req.site;
  const app = req.app;
  const cats: string[] = [];
  if (site) {
    if (site.cat) cats.push(...site.cat);
    if (site.sectioncat) cats.push(...site.sectioncat);
    if (site.pagecat) cats.push(...site.pagecat);
  } else if (app?.cat) cats.push(...app.cat);
  return {
    siteDomain: site?.domain,
    appBundle: app?.bundle,
    publisherId: site?.publisher?.id ?? app?.publisher?.id ?? req.dooh?.publisher?.id,
    cats,
    bcat: req.bcat && req.bcat.length > 0 ? req.bcat : undefined,
    badv: req.badv && req.badv.length > 0 ? new Set(req.badv) : undefined,
    bapp: req.bapp && req.bapp.length > 0 ? req.bapp : undefined,
    country: req.device?.geo?.country ?? req.user?.geo?.country,
    deviceType: req.device?.devicetype,
  };
}

/** Format keys an impression accepts, matching `CreativeEntry.formatKey`. */
export function impFormatKeys(imp: Imp): string[] {
  const keys: string[] = [];
  const b = imp.banner;
  if (b) {
    if (b.w !== undefined && b.h !== undefined) keys.push(`b:${String(b.w)}x${String(b.h)}`);
    if (b.format)
      for (const f of b.format)
        if (f.w !== undefined && f.h !== undefined) {
          const k = `b:${String(f.w)}x${String(f.h)}`;
          if (!keys.includes(k)) keys.push(k);
        }
    keys.push('b:*');
  }
  if (imp.video) keys.push('v');
  if (imp.audio) keys.push('a');
  if (imp.native) keys.push('n');
  return keys;
}

/** `IAB1-5` is inside `IAB1`: a category matches itself or its parent tier. */
function catIn(cat: string, set: ReadonlySet<string>): boolean {
  if (set.has(cat)) return true;
  const dash = cat.indexOf('-');
  return dash > 0 && set.has(cat.slice(0, dash));
}

/** A creative category blocked by `bcat` (blocking a parent blocks its children). */
function blockedCat(cats: readonly string[], bcat: readonly string[]): boolean {
  for (const c of cats)
    for (const b of bcat)
      if (c === b || (c.startsWith(b) && c.charCodeAt(b.length) === 45)) return true;
  return false;
}

function battrOf(imp: Imp, mtype: number): number[] | undefined {
  switch (mtype) {
    case 1:
      return imp.banner?.battr;
    case 2:
      return imp.video?.battr;
    case 3:
      return imp.audio?.battr;
    default:
      return imp.native?.battr;
  }
}

/** Why a candidate was rejected, or undefined when it matches. Checks are ordered cheapest first. */
export function mismatch(
  e: CreativeEntry,
  imp: Imp,
  f: RequestFacts,
  now: number,
): string | undefined {
  const ic = e.ic;
  const c = ic.c;
  if (c.status !== 'active' || now < c.flight.start || now >= c.flight.end) return 'inactive';
  if (ic.countries && (f.country === undefined || !ic.countries.has(f.country))) return 'geo';
  if (ic.deviceTypes && (f.deviceType === undefined || !ic.deviceTypes.has(f.deviceType)))
    return 'device';
  if (ic.siteAllow || ic.appAllow) {
    const ok =
      (f.siteDomain !== undefined && ic.siteAllow?.has(f.siteDomain) === true) ||
      (f.appBundle !== undefined && ic.appAllow?.has(f.appBundle) === true);
    if (!ok) return 'inventory';
  }
  if (f.siteDomain !== undefined && ic.siteDeny?.has(f.siteDomain)) return 'inventory';
  if (f.appBundle !== undefined && ic.appDeny?.has(f.appBundle)) return 'inventory';
  if (ic.pubAllow && (f.publisherId === undefined || !ic.pubAllow.has(f.publisherId)))
    return 'publisher';
  if (f.publisherId !== undefined && ic.pubDeny?.has(f.publisherId)) return 'publisher';
  if (ic.categories && !f.cats.some((x) => catIn(x, ic.categories as ReadonlySet<string>)))
    return 'category';
  const cr = e.cr;
  if (f.bcat && blockedCat(cr.cat, f.bcat)) return 'bcat';
  if (f.badv) for (const d of cr.adomain) if (f.badv.has(d)) return 'badv';
  // No bundle field on creatives: an app-install ad links to its store page, which names the bundle.
  if (f.bapp) for (const b of f.bapp) if (cr.landingUrl.includes(b)) return 'bapp';
  const battr = battrOf(imp, e.mtype);
  if (battr && cr.attr.length > 0) for (const a of cr.attr) if (battr.includes(a)) return 'battr';
  if (imp.secure === 1 && e.insecure) return 'secure';
  if (e.mtype === 2 || e.mtype === 3) {
    const v = e.mtype === 2 ? imp.video : imp.audio;
    if (v?.mimes && cr.mime !== undefined && !v.mimes.includes(cr.mime)) return 'mime';
    if (cr.durationS !== undefined) {
      if (v?.maxduration !== undefined && v.maxduration > 0 && cr.durationS > v.maxduration)
        return 'duration';
      if (v?.minduration !== undefined && cr.durationS < v.minduration) return 'duration';
    }
  }
  return undefined;
}

/** Deal-level restrictions: our seat in `wseat`, an advertiser domain in `wadomain`. */
export function dealRefuses(deal: Deal, e: CreativeEntry, seat: string): boolean {
  if (deal.wseat && deal.wseat.length > 0 && !deal.wseat.includes(seat)) return true;
  if (deal.wadomain && deal.wadomain.length > 0) {
    const allowed = deal.wadomain;
    if (!e.cr.adomain.some((d) => allowed.includes(d))) return true;
  }
  return false;
}
