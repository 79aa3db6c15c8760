import type { Region } from '@streambid/contracts';

const SIZES = [
  [300, 250],
  [728, 90],
  [320, 50],
  [160, 600],
  [300, 600],
] as const;

/** What the load test seeds per campaign and later checks the outcome against. */
export interface SeededCampaign {
  id: string;
  homeRegion: Region;
  budgetMicros: number;
  perDayCap: number | undefined;
}

/**
 * A `POST /campaigns` body for the inventory API: broad targeting so the generated traffic matches,
 * a budget small enough to be spent during the run, a flight that ends with it.
 */
export function campaignBody(opts: {
  id: string;
  i: number;
  budgetMicros: number;
  flightEnd: number;
  perDayCap: number | undefined;
}): Record<string, unknown> {
  const media = opts.i % 5 === 3 ? 'video' : opts.i % 5 === 4 ? 'native' : 'banner';
  const [w, h] = SIZES[opts.i % SIZES.length] ?? [300, 250];
  return {
    id: opts.id,
    advertiser: `adv-${String(opts.i % 7)}`,
    name: `load test ${opts.id}`,
    creatives: [
      {
        id: `${opts.id}-cr`,
        mediaType: media,
        ...(media === 'banner' ? { w, h } : {}),
        ...(media === 'video' ? { mime: 'video/mp4', durationS: 15 } : {}),
        markup:
          media === 'video'
            ? '<VAST version="4.0"><Ad><InLine><AdTitle>lt</AdTitle><Impression><![CDATA[${IMP_URL}]]></Impression><Creatives><Creative><Linear><VideoClicks><ClickThrough><![CDATA[${CLICK_URL}]]></ClickThrough></VideoClicks></Linear></Creative></Creatives></InLine></Ad></VAST>'
            : '<a href="${CLICK_URL}"><img src="https://cdn.example/lt.png"></a>',
        landingUrl: `https://adv${String(opts.i % 7)}.example/landing`,
        adomain: [`adv${String(opts.i % 7)}.example`],
        cat: ['IAB1'],
        attr: [],
      },
    ],
    targeting: {},
    bidCpmMicros: 1_000_000 + (opts.i % 10) * 400_000,
    currency: 'USD',
    budget: { totalMicros: opts.budgetMicros },
    flight: { start: Date.now() - 60_000, end: opts.flightEnd },
    ...(opts.perDayCap === undefined ? {} : { frequencyCap: { perDay: opts.perDayCap } }),
    deals: [],
  };
}
