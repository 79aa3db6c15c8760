import { randomUUID } from 'node:crypto';
import type { Campaign } from '@streambid/contracts';

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
        id: 'cr-1',
        mediaType: 'banner',
        w: 300,
        h: 250,
        markup: '<a href="${CLICK_URL}"><img src="https://cdn.acme.example/a.png"></a>',
        landingUrl: 'https://acme.example/landing',
        adomain: ['acme.example'],
        cat: ['IAB1'],
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
