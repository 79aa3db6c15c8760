/**
 * The benchmark workload shared by `bench:bidder` and the in-process hot-path benchmark:
 * ~1,000 campaigns across banner sizes, video and native, some with deals, segments and caps,
 * and realistic OpenRTB 2.6 requests whose deals name those campaigns' deals.
 */
import { randomUUID } from 'node:crypto';
import type { BidRequest, Campaign, Creative } from '@streambid/contracts';
import { makeBidRequest, SAMPLE_BANNER_SIZES, SAMPLE_COUNTRIES } from '@streambid/testkit';

/** Banner sizes of the sample requests, so banner campaigns match them. */
export const SIZES = SAMPLE_BANNER_SIZES;
export const DEALS = Array.from({ length: 40 }, (_, i) => `deal-bench-${String(i)}`);

export function campaigns(rng: () => number, n: number): Campaign[] {
  const now = Date.now();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  return Array.from({ length: n }, (_, i) => {
    const r = rng();
    const media = r < 0.7 ? 'banner' : r < 0.85 ? 'video' : 'native';
    const [w, h] = pick(SIZES);
    const creative: Creative = {
      id: `cr-${String(i)}`,
      mediaType: media,
      ...(media === 'banner' ? { w, h } : {}),
      ...(media === 'video' ? { mime: 'video/mp4', durationS: 15 } : {}),
      markup:
        media === 'video'
          ? '<VAST version="4.0"><Ad><InLine><AdTitle>x</AdTitle></InLine></Ad></VAST>'
          : '<a href="${CLICK_URL}"><img src="https://cdn.example/a.png"></a>',
      landingUrl: `https://adv${String(i % 50)}.example/landing`,
      adomain: [`adv${String(i % 50)}.example`],
      cat: [pick(['IAB1', 'IAB2', 'IAB3', 'IAB9', 'IAB12', 'IAB17', 'IAB19', 'IAB20'])],
      attr: [],
    };
    const countries =
      rng() < 0.3
        ? undefined
        : Array.from({ length: 1 + Math.floor(rng() * 4) }, () => pick(SAMPLE_COUNTRIES));
    return {
      eventId: randomUUID(),
      ts: now,
      id: `bench-c-${String(i)}`,
      version: 1,
      homeRegion: 'eu',
      advertiser: `adv${String(i % 50)}`,
      name: `bench ${String(i)}`,
      status: 'active',
      creatives: [creative],
      targeting: {
        ...(countries ? { countries } : {}),
        ...(rng() < 0.1 ? { segments: [`seg-${String(1 + Math.floor(rng() * 50))}`] } : {}),
      },
      bidCpmMicros: Math.round((0.5 + rng() * 9.5) * 1e6),
      currency: 'USD',
      budget: { totalMicros: 1e12 },
      flight: { start: now - 3_600_000, end: now + 86_400_000 },
      ...(rng() < 0.15 ? { frequencyCap: { perDay: 5 } } : {}),
      deals: rng() < 0.05 ? [{ id: pick(DEALS) }] : [],
    } satisfies Campaign;
  });
}

/** Requests with 15 % of impressions in deals drawn from {@link DEALS}. */
export function requests(rng: () => number, n: number): BidRequest[] {
  const reqs = Array.from({ length: n }, () => makeBidRequest(rng, { dealShare: 0.15 }));
  for (const r of reqs)
    for (const imp of r.imp)
      for (const d of imp.pmp?.deals ?? []) {
        d.id = DEALS[Math.floor(rng() * DEALS.length)] ?? d.id;
        d.wseat = ['streambid', 'seat-1'];
      }
  return reqs;
}
