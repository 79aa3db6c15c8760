import { describe, expect, it } from 'vitest';
import type { Campaign, Creative } from '@streambid/contracts';
import { makeBidRequest, mulberry32, SAMPLE_COUNTRIES } from '@streambid/testkit';
import { CampaignIndex, type CreativeEntry } from './campaign-index.js';
import { CandidateList, priceFor, type Candidate } from './candidates.js';
import { parseRates, type FxRates } from './fx.js';
import { impFacts, impFormatKeys, mismatch, requestFacts } from './matching.js';

const rates = parseRates('EUR=1.25') as FxRates;
const NOW = 1_000_000;
const SIZES = [
  [300, 250],
  [728, 90],
  [320, 50],
] as const;

function randomCampaigns(rng: () => number, n: number): Campaign[] {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => {
    const media = rng() < 0.8 ? 'banner' : 'video';
    const [w, h] = pick(SIZES);
    const creative: Creative = {
      id: `cr-${String(i)}`,
      mediaType: media,
      ...(media === 'banner' && rng() < 0.9 ? { w, h } : {}),
      ...(media === 'video' ? { mime: 'video/mp4', durationS: 15 } : {}),
      markup: rng() < 0.1 ? '<img src="http://x/a.png">' : '<b>ad</b>',
      landingUrl: 'https://a.example/',
      adomain: [pick(['a.example', 'blocked-brand.example'])],
      cat: [pick(['IAB1', 'IAB7-39', 'IAB25', 'IAB9-9', 'IAB3'])],
      attr: rng() < 0.2 ? [pick([1, 13, 14])] : [],
    };
    return {
      eventId: `e${String(i)}`,
      ts: 0,
      id: `c${String(i)}`,
      version: 1,
      homeRegion: 'eu',
      advertiser: 'a',
      name: '',
      status: 'active',
      creatives: [creative],
      targeting: {
        ...(rng() < 0.5 ? { countries: [pick(SAMPLE_COUNTRIES), pick(SAMPLE_COUNTRIES)] } : {}),
        ...(rng() < 0.3 ? { deviceTypes: [pick([1, 2, 4])] } : {}),
      },
      // Few distinct prices, so ties (and rounding ties under first price) are common.
      bidCpmMicros: pick([500_000, 1_000_000, 1_000_001, 2_000_000, 3_000_000]),
      currency: pick(['USD', 'USD', 'EUR', 'XXX']),
      budget: { totalMicros: 1e12 },
      flight: rng() < 0.05 ? { start: NOW * 2, end: NOW * 3 } : { start: 0, end: NOW * 2 },
      deals: [],
    } satisfies Campaign;
  });
}

/** The specification: check every campaign in the order found, then sort stably by price. */
function reference(
  index: CampaignIndex,
  fks: readonly string[],
  f: ReturnType<typeof requestFacts>,
  fi: ReturnType<typeof impFacts>,
  floor: number,
  at: number,
): { order: Candidate[]; reason: string } {
  const seen = new Set<CreativeEntry>();
  const found: CreativeEntry[] = [];
  for (const bucket of index.openBuckets(fks, f.country, f.deviceType))
    for (const e of [...bucket].sort((a, b) => a.seq - b.seq))
      if (!seen.has(e)) {
        seen.add(e);
        found.push(e);
      }
  const out: Candidate[] = [];
  let belowFloor = false;
  let mismatched = false;
  for (const e of found) {
    if (mismatch(e, fi, f, NOW)) {
      mismatched = true;
      continue;
    }
    const price =
      e.ic.maxUsdMicros === undefined ? undefined : priceFor(e.ic.maxUsdMicros, floor, at, 0.5);
    if (price === undefined) belowFloor = true;
    else out.push({ e, priceUsd: price, dealId: undefined });
  }
  out.sort((a, b) => b.priceUsd - a.priceUsd);
  const reason = belowFloor ? 'below_floor' : mismatched ? 'no_match' : 'no_candidates';
  return { order: out, reason };
}

describe('CandidateList', () => {
  it('yields the same candidates in the same order as checking every campaign and sorting stably', () => {
    const rng = mulberry32(11);
    const index = new CampaignIndex(rates);
    for (const c of randomCampaigns(rng, 400)) index.upsert(c);
    let compared = 0;
    for (let n = 0; n < 500; n++) {
      const req = makeBidRequest(rng);
      const f = requestFacts(req);
      for (const imp of req.imp) {
        const fks = impFormatKeys(imp);
        const fi = impFacts(imp);
        const floor = [0, 999_999, 1_000_000, 1_500_000, 2_500_000, 5_000_000][n % 6] ?? 0;
        const at = (n % 3) + 1;
        const want = reference(index, fks, f, fi, floor, at);
        const list = new CandidateList(
          [],
          {
            buckets: index.openBuckets(fks, f.country, f.deviceType),
            imp: fi,
            facts: f,
            now: NOW,
            floorUsd: floor,
            at,
            shade: 0.5,
          },
          false,
          false,
        );
        const got: Candidate[] = [];
        for (let i = 0, c = list.at(0); c; c = list.at(++i)) got.push(c);
        expect(got.map((c) => [c.e.ic.c.id, c.priceUsd])).toEqual(
          want.order.map((c) => [c.e.ic.c.id, c.priceUsd]),
        );
        if (got.length === 0) expect(list.reason()).toBe(want.reason);
        compared += got.length;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });
});
