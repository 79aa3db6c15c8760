/**
 * Deterministic generator of realistic OpenRTB 2.6 bid requests (about 2–3 KB as JSON) for
 * benchmarks, tests and the load generator. Pure: all variation comes from the injected `rng`
 * (`mulberry32` from this kit gives a seeded one).
 */
import type { App, BidRequest, Deal, Device, Imp, Regs, Site, User } from '@streambid/contracts';

/** Options for {@link makeBidRequest}. */
export interface SampleOptions {
  /** ISO-3166-1 alpha-3 countries to draw `device.geo.country` from. @default SAMPLE_COUNTRIES */
  countries?: readonly string[];
  /** Share of requests from a site (the rest are apps). @default 0.6 */
  siteShare?: number;
  /** Share of impressions that carry PMP deals. @default 0.2 */
  dealShare?: number;
  /** Force one media type for every impression. */
  media?: 'banner' | 'video' | 'native';
  /** Maximum impressions per request (1..n, skewed to 1). @default 3 */
  maxImps?: number;
}

/** Default country mix for generated traffic. */
export const SAMPLE_COUNTRIES = [
  'USA',
  'GBR',
  'DEU',
  'FRA',
  'ESP',
  'ITA',
  'NLD',
  'POL',
  'SWE',
  'CAN',
  'BRA',
  'JPN',
  'IND',
  'AUS',
] as const;

/** Banner sizes the sample generator draws from (campaign generators reuse them to match). */
export const SAMPLE_BANNER_SIZES = [
  [300, 250],
  [728, 90],
  [320, 50],
  [160, 600],
  [300, 600],
  [970, 250],
  [336, 280],
  [320, 100],
] as const;
const CATS = ['IAB1', 'IAB2', 'IAB3', 'IAB9', 'IAB12', 'IAB17', 'IAB19', 'IAB20'] as const;
const DOMAINS = [
  'news.example.com',
  'sports.example.org',
  'recipes.example.net',
  'tech.example.io',
  'travel.example.co.uk',
] as const;
const BUNDLES = [
  'com.example.puzzle',
  'com.example.weather',
  'com.example.runner',
  'com.example.news',
] as const;
const SEATS = ['seat-1', 'seat-2', 'seat-7'] as const;
const UAS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
] as const;
const NATIVE_REQUEST = JSON.stringify({
  ver: '1.2',
  context: 2,
  plcmttype: 1,
  assets: [
    { id: 1, required: 1, title: { len: 90 } },
    { id: 2, required: 1, img: { type: 3, w: 1200, h: 627 } },
    { id: 3, required: 0, data: { type: 2, len: 140 } },
  ],
});

type Rng = () => number;

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
const int = (rng: Rng, lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
const hex = (rng: Rng, n: number): string => {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 16).toString(16);
  return s;
};
const price = (rng: Rng, lo: number, hi: number): number =>
  Math.round((lo + rng() * (hi - lo)) * 100) / 100;

function makeDeals(rng: Rng): Deal[] {
  const deals: Deal[] = [];
  const n = int(rng, 1, 2);
  for (let i = 0; i < n; i++) {
    deals.push({
      id: `deal-${hex(rng, 8)}`,
      bidfloor: price(rng, 1, 8),
      bidfloorcur: 'USD',
      at: 1,
      wseat: [pick(rng, SEATS)],
    });
  }
  return deals;
}

function makeImp(rng: Rng, index: number, opts: SampleOptions): Imp {
  const media = opts.media ?? pick(rng, ['banner', 'banner', 'banner', 'video', 'native'] as const);
  const imp: Imp = {
    id: String(index + 1),
    bidfloor: price(rng, 0.05, 3),
    bidfloorcur: 'USD',
    secure: 1,
    tagid: `slot-${hex(rng, 6)}`,
  };
  if (rng() < 0.1) imp.bidfloorcur = 'EUR';
  if (media === 'banner') {
    const [w, h] = pick(rng, SAMPLE_BANNER_SIZES);
    const format = [{ w, h }];
    for (let i = int(rng, 0, 2); i > 0; i--) {
      const [fw, fh] = pick(rng, SAMPLE_BANNER_SIZES);
      format.push({ w: fw, h: fh });
    }
    imp.banner = { w, h, format, pos: int(rng, 0, 3), battr: [13, 14], api: [3, 5] };
  } else if (media === 'video') {
    const big = rng() < 0.5;
    imp.video = {
      mimes: ['video/mp4', 'video/webm', 'application/javascript'],
      minduration: 5,
      maxduration: pick(rng, [15, 30, 60]),
      protocols: [2, 3, 5, 6, 7, 8],
      w: big ? 1920 : 640,
      h: big ? 1080 : 360,
      plcmt: int(rng, 1, 4),
      startdelay: 0,
      linearity: 1,
      skip: 1,
      api: [2, 7],
    };
  } else {
    imp.native = { request: NATIVE_REQUEST, ver: '1.2', api: [3] };
  }
  if (rng() < (opts.dealShare ?? 0.2))
    imp.pmp = { private_auction: rng() < 0.5 ? 1 : 0, deals: makeDeals(rng) };
  imp.ext = {
    gpid: `/1234/${media}/${String(index)}`,
    data: {
      pbadslot: `/1234/${media}/${String(index)}`,
      adserver: { name: 'gam', adslot: `/1234/${media}` },
    },
  };
  return imp;
}

/** The id and name of a site or app: a random id, and the name read from one label of `value`. */
function identity(
  rng: Rng,
  kind: 'site' | 'app',
  value: string,
  label: number,
): Pick<Site, 'id' | 'name'> {
  return { id: `${kind}-${hex(rng, 6)}`, name: value.split('.')[label] ?? value };
}

function makeSite(rng: Rng): Site {
  const domain = pick(rng, DOMAINS);
  return {
    ...identity(rng, 'site', domain, 0),
    domain,
    page: `https://${domain}/articles/${hex(rng, 10)}?utm_source=feed`,
    ref: 'https://www.google.com/',
    keywords: 'news,world,economy,markets',
    ext: { amp: 0 },
    cat: [pick(rng, CATS), pick(rng, CATS)],
    publisher: {
      id: `pub-${String(int(rng, 1, 40))}`,
      name: 'Example Media Group',
      domain: 'example.com',
    },
  };
}

function makeApp(rng: Rng): App {
  const bundle = pick(rng, BUNDLES);
  return {
    ...identity(rng, 'app', bundle, 2),
    bundle,
    storeurl: `https://play.google.com/store/apps/details?id=${bundle}`,
    ver: `${String(int(rng, 1, 9))}.${String(int(rng, 0, 20))}`,
    cat: [pick(rng, CATS)],
    publisher: { id: `pub-${String(int(rng, 1, 40))}`, name: 'Example Apps Ltd' },
  };
}

function makeDevice(rng: Rng, isApp: boolean, countries: readonly string[]): Device {
  const device: Device = {
    ua: pick(rng, UAS),
    ip: `${String(int(rng, 1, 223))}.${String(int(rng, 0, 255))}.${String(int(rng, 0, 255))}.${String(int(rng, 1, 254))}`,
    devicetype: isApp ? pick(rng, [1, 4, 5]) : pick(rng, [2, 2, 4]),
    geo: {
      country: pick(rng, countries),
      region: `R${String(int(rng, 1, 50))}`,
      city: 'Springfield',
      lat: price(rng, -60, 60),
      lon: price(rng, -120, 140),
      type: 2,
      utcoffset: pick(rng, [-300, 0, 60, 540]),
    },
    os: isApp ? 'Android' : 'Windows',
    osv: isApp ? '14' : '10',
    make: isApp ? 'Google' : 'Microsoft',
    model: isApp ? 'Pixel 8' : 'PC',
    language: pick(rng, ['en', 'de', 'fr', 'es', 'ja']),
    dnt: 0,
    lmt: 0,
    ext: {
      w: isApp ? 412 : 1920,
      h: isApp ? 915 : 1080,
      pxratio: isApp ? 2.625 : 1,
      connectiontype: isApp ? 6 : 2,
    },
  };
  if (isApp)
    device.ifa = `${hex(rng, 8)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 12)}`;
  return device;
}

// A TCF v2 consent string of typical length (the content is not meaningful).
const TCF =
  'CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA.YAAAAAAAAAA' +
  'IAGgAFAAqAC0AGQANAA0gBcAFwAQgAkgBIgCYAJsATwBPgCfAE'.repeat(3);

function makeUser(rng: Rng, gdpr: boolean): User {
  const user: User = { id: `u-${hex(rng, 16)}` };
  if (gdpr) user.consent = TCF;
  if (rng() < 0.7) user.buyeruid = `sb-${hex(rng, 20)}`;
  if (rng() < 0.5) {
    user.data = [
      {
        id: 'dmp-1',
        name: 'example-dmp',
        segment: [
          { id: `seg-${String(int(rng, 1, 300))}` },
          { id: `seg-${String(int(rng, 1, 300))}` },
        ],
      },
    ];
  }
  user.ext = {
    eids: [{ source: 'id5-sync.com', uids: [{ id: `ID5*${hex(rng, 24)}`, atype: 1 }] }],
  };
  return user;
}

function makeRegs(rng: Rng): Regs {
  const r = rng();
  if (r < 0.4) return { coppa: 0, gdpr: 1, ext: {} };
  if (r < 0.7)
    return {
      coppa: 0,
      gdpr: 0,
      us_privacy: '1YNN',
      gpp: 'DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN',
      gpp_sid: [2, 6],
    };
  return { coppa: 0, gdpr: 0 };
}

/** Builds one realistic OpenRTB 2.6 request; same `rng` sequence → same request. */
export function makeBidRequest(rng: Rng, opts: SampleOptions = {}): BidRequest {
  const isApp = rng() >= (opts.siteShare ?? 0.6);
  const maxImps = opts.maxImps ?? 3;
  const nImps = rng() < 0.8 ? 1 : int(rng, 1, Math.max(1, maxImps));
  const imp: Imp[] = [];
  for (let i = 0; i < nImps; i++) imp.push(makeImp(rng, i, opts));
  const regs = makeRegs(rng);
  const req: BidRequest = {
    id: `${hex(rng, 8)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 12)}`,
    imp,
    device: makeDevice(rng, isApp, opts.countries ?? SAMPLE_COUNTRIES),
    user: makeUser(rng, regs.gdpr === 1),
    at: 1,
    tmax: pick(rng, [100, 120, 150, 200, 300]),
    cur: ['USD'],
    bcat: [
      'IAB25',
      'IAB25-1',
      'IAB25-2',
      'IAB25-3',
      'IAB25-5',
      'IAB26',
      'IAB26-1',
      'IAB7-39',
      'IAB8-18',
      'IAB8-5',
      'IAB9-9',
      'IAB11-4',
    ],
    badv: ['blocked-brand.example', 'competitor.example', 'casino.example', 'payday-loans.example'],
    source: {
      tid: `${hex(rng, 8)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 4)}-${hex(rng, 12)}`,
      schain: {
        complete: 1,
        ver: '1.0',
        nodes: [
          { asi: 'ssp.example', sid: `pub-${hex(rng, 4)}`, hp: 1 },
          { asi: 'exchange.example', sid: hex(rng, 8), hp: 1, rid: hex(rng, 16) },
        ],
      },
    },
    regs,
    ext: { prebid: { channel: { name: 'web', version: '8.0' } } },
  };
  if (isApp) req.app = makeApp(rng);
  else req.site = makeSite(rng);
  return req;
}
