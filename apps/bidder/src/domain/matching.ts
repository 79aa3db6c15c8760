import type { BidRequest, Deal, Imp } from '@streambid/contracts';
import type { CreativeEntry } from './campaign-index.js';
import { ChainStatus } from './schain.js';

/** The parts of a request every candidate is checked against, extracted once. */
export interface RequestFacts {
  siteDomain: string | undefined;
  appBundle: string | undefined;
  publisherId: string | undefined;
  /** Content categories of the page or app (cat, sectioncat, pagecat). */
  cats: readonly string[];
  /** Blocked categories as a set: checked against ~100 candidates per imp. */
  bcat: ReadonlySet<string> | undefined;
  badv: ReadonlySet<string> | undefined;
  bapp: ReadonlySet<string> | undefined;
  country: string | undefined;
  deviceType: number | undefined;
  /** What the supply chain is worth (`assessSupplyChain`), for campaigns that require one. */
  chain: ChainStatus;
}

export function requestFacts(
  req: BidRequest,
  chain: ChainStatus = ChainStatus.absent,
): RequestFacts {
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
    bcat: req.bcat && req.bcat.length > 0 ? new Set(req.bcat) : undefined,
    badv: req.badv && req.badv.length > 0 ? new Set(req.badv) : undefined,
    bapp: req.bapp && req.bapp.length > 0 ? new Set(req.bapp) : undefined,
    country: req.device?.geo?.country ?? req.user?.geo?.country,
    deviceType: req.device?.devicetype,
    chain,
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
function blockedCat(cats: readonly string[], bcat: ReadonlySet<string>): boolean {
  for (const c of cats) {
    if (bcat.has(c)) return true;
    // `b` blocks `c` when `c` is `b` followed by `-…`: look up every prefix ending before a dash.
    for (let dash = c.indexOf('-'); dash >= 0; dash = c.indexOf('-', dash + 1))
      if (bcat.has(c.slice(0, dash))) return true;
  }
  return false;
}

/** Media settings of one imp an entry of the given `mtype` is checked against. */
interface MediaFacts {
  battr: readonly number[] | undefined;
  mimes: readonly string[] | undefined;
  minduration: number | undefined;
  maxduration: number | undefined;
}

/**
 * The parts of an impression candidates are checked against, read once per imp into objects of one
 * shape (parsed imps come in many shapes, which makes per-candidate property reads slow).
 */
export interface ImpFacts {
  secure: boolean;
  /** Indexed by mtype: 1 banner, 2 video, 3 audio, 4 native. */
  media: readonly (MediaFacts | undefined)[];
}

const mediaFacts = (
  m:
    | {
        battr?: number[] | undefined;
        mimes?: string[] | undefined;
        minduration?: number | undefined;
        maxduration?: number | undefined;
      }
    | undefined,
): MediaFacts | undefined =>
  m === undefined
    ? undefined
    : {
        battr: m.battr,
        mimes: m.mimes,
        minduration: m.minduration,
        maxduration: m.maxduration,
      };

export function impFacts(imp: Imp): ImpFacts {
  return {
    secure: imp.secure === 1,
    media: [
      undefined,
      mediaFacts(imp.banner),
      mediaFacts(imp.video),
      mediaFacts(imp.audio),
      mediaFacts(imp.native),
    ],
  };
}

/** Why a candidate was rejected, or undefined when it matches. Checks are ordered cheapest first. */
export function mismatch(
  e: CreativeEntry,
  imp: ImpFacts,
  f: RequestFacts,
  now: number,
): string | undefined {
  const ic = e.ic;
  const c = ic.c;
  if (c.status !== 'active' || now < c.flight.start || now >= c.flight.end) return 'inactive';
  if (ic.countries && (f.country === undefined || !ic.countries.has(f.country))) return 'geo';
  if (ic.deviceTypes && (f.deviceType === undefined || !ic.deviceTypes.has(f.deviceType)))
    return 'device';
  const sc = c.supplyChain;
  if (
    sc !== undefined &&
    (sc === 'direct' ? f.chain !== ChainStatus.direct : f.chain < ChainStatus.complete)
  )
    return 'schain';
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
  // No bundle field on creatives: an app-install ad links to its store page, which names the app.
  if (f.bapp) for (const id of e.appIds) if (f.bapp.has(id)) return 'bapp';
  const m = imp.media[e.mtype];
  const battr = m?.battr;
  if (battr && cr.attr.length > 0) for (const a of cr.attr) if (battr.includes(a)) return 'battr';
  if (imp.secure && e.insecure) return 'secure';
  if (e.mtype === 2 || e.mtype === 3) {
    if (m?.mimes && cr.mime !== undefined && !m.mimes.includes(cr.mime)) return 'mime';
    if (cr.durationS !== undefined) {
      if (m?.maxduration !== undefined && m.maxduration > 0 && cr.durationS > m.maxduration)
        return 'duration';
      if (m?.minduration !== undefined && cr.durationS < m.minduration) return 'duration';
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
