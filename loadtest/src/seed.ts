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
 * Ten price levels, and within a level a small step that differs by home region and rotates with
 * `i`. The bidder breaks a tie between equal prices by arrival order; without the step every
 * region's campaign `i` tied with eu's, which arrived first, and as pacing rarely binds at
 * load-test rates the campaigns homed outside eu won almost nothing. With it the top price of each
 * format is one campaign's, and the regions take turns holding it (tests in seed.test.ts).
 */
export function bidCpmMicros(i: number, regionIndex: number, regionCount: number): number {
  const rank = ((regionIndex + i) % regionCount) * 2 + (Math.floor(i / 10) % 2);
  return 1_000_000 + (i % 10) * 400_000 + rank * 40_000;
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
  /** This campaign's home region, as an index into the run's `regionCount` regions. @default 0 */
  regionIndex?: number;
  regionCount?: number;
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
            : media === 'native'
              ? '{"ver":"1.2","assets":[{"id":1,"title":{"text":"streambid load test"}}],"link":{"url":"${CLICK_URL}"}}'
              : '<a href="${CLICK_URL}"><img src="https://cdn.example/lt.png"></a>',
        landingUrl: `https://adv${String(opts.i % 7)}.example/landing`,
        adomain: [`adv${String(opts.i % 7)}.example`],
        cat: ['IAB1'],
        attr: [],
      },
    ],
    targeting: {},
    bidCpmMicros: bidCpmMicros(opts.i, opts.regionIndex ?? 0, opts.regionCount ?? 1),
    currency: 'USD',
    budget: { totalMicros: opts.budgetMicros },
    flight: { start: Date.now() - 60_000, end: opts.flightEnd },
    ...(opts.perDayCap === undefined ? {} : { frequencyCap: { perDay: opts.perDayCap } }),
    deals: [],
  };
}
