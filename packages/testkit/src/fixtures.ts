import { randomUUID } from 'node:crypto';
import type { Campaign, Creative, Spend } from '@streambid/contracts';

/** The banner creative test campaigns carry (the inventory API fills `attr` itself). */
export const SAMPLE_BANNER = {
  id: 'cr-1',
  mediaType: 'banner',
  w: 300,
  h: 250,
  markup: '<a href="${CLICK_URL}"><img src="https://cdn.acme.example/a.png"></a>',
  landingUrl: 'https://acme.example/landing',
  adomain: ['acme.example'],
  cat: ['IAB1'],
} as const satisfies Omit<Creative, 'attr'>;

/** A valid spend event (one billed impression) for the spend topic; override any field. */
export function makeSpend(over: Partial<Spend> = {}): Spend {
  const eventId = over.eventId ?? randomUUID();
  const amountMicros = over.amountMicros ?? 1000;
  return {
    eventId,
    ts: Date.now(),
    region: 'eu',
    campaignId: 'c-1',
    creativeId: 'cr-1',
    bidId: eventId,
    requestId: `req-${eventId}`,
    cpmMicros: amountMicros * 1000,
    amountMicros,
    currency: 'USD',
    ...over,
  };
}

/** A valid campaign value for the campaigns topic; override any field. */
export function makeCampaign(over: Partial<Campaign> = {}): Campaign {
  const now = Date.now();
  return {
    eventId: randomUUID(),
    ts: now,
    id: `c-${randomUUID().slice(0, 8)}`,
    version: 1,
    homeRegion: 'eu',
    advertiser: 'acme',
    name: 'test campaign',
    status: 'active',
    creatives: [
      {
        ...SAMPLE_BANNER,
        adomain: [...SAMPLE_BANNER.adomain],
        cat: [...SAMPLE_BANNER.cat],
        attr: [],
      },
    ],
    targeting: {},
    bidCpmMicros: 2_000_000,
    currency: 'USD',
    budget: { totalMicros: 1_000_000_000 },
    flight: { start: now - 3_600_000, end: now + 86_400_000 },
    deals: [],
    ...over,
  };
}

/**
 * `n` distinct three-letter country codes, `DEU` (the sample requests' country) first: enough to
 * fill a campaign's country targeting up to and past `LIMITS.targetCountries`.
 */
export function countryCodes(n: number): string[] {
  const out = ['DEU'];
  for (let i = 0; out.length < n; i++)
    out.push(
      String.fromCharCode(65 + Math.floor(i / 676), 65 + (Math.floor(i / 26) % 26), 65 + (i % 26)),
    );
  return out;
}
