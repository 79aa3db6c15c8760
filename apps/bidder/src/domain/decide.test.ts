import { describe, expect, it } from 'vitest';
import type { BidRequest, Campaign } from '@streambid/contracts';
import { Blocklist } from './blocklist.js';
import { everyPrebid, PrebidFilter } from './prebid.js';
import { BudgetView } from './budget.js';
import { CampaignIndex } from './campaign-index.js';
import { finish, plan, type DecisionContext, type ProfileInput } from './decide.js';
import { parseRates, type FxRates } from './fx.js';
import { RecentWins } from './recent-wins.js';
import { UNRESTRICTED, type Decision } from '@streambid/privacy';

const NOW = 1_000_000;
const rates = parseRates('EUR=1.25,JPY=0.01') as FxRates;

function campaign(id: string, over: Partial<Campaign> = {}): Campaign {
  return {
    eventId: id,
    ts: 0,
    id,
    version: 1,
    homeRegion: 'eu',
    advertiser: 'a',
    name: '',
    status: 'active',
    creatives: [
      {
        id: `${id}-cr`,
        mediaType: 'banner',
        w: 300,
        h: 250,
        markup: '<b>ad</b>',
        landingUrl: 'https://a.example/',
        adomain: ['a.example'],
        cat: ['IAB1-2'],
        attr: [3],
      },
    ],
    targeting: {},
    bidCpmMicros: 2_000_000,
    currency: 'USD',
    budget: { totalMicros: 1e12 },
    flight: { start: 0, end: NOW * 2 },
    deals: [],
    ...over,
  };
}

function setup(...cs: Campaign[]): DecisionContext & { blocklist: Blocklist } {
  const index = new CampaignIndex(rates);
  for (const c of cs) index.upsert(c);
  const blocklist = new Blocklist();
  return {
    index,
    budget: new BudgetView({ region: 'eu', requireAllowance: false }),
    blocklist,
    prebid: new PrebidFilter(everyPrebid('nobid'), blocklist),
    flagPriceShare: 0.1,
    rates,
    seat: 'us',
    firstPriceShade: 0.5,
  };
}

const request = (over: Partial<BidRequest> = {}): BidRequest => ({
  id: 'r',
  imp: [
    {
      id: '1',
      banner: {
        format: [
          { w: 728, h: 90 },
          { w: 300, h: 250 },
        ],
      },
    },
  ],
  site: { domain: 'news.example', cat: ['IAB1'] },
  device: { devicetype: 2, geo: { country: 'DEU' } },
  user: { buyeruid: 'u1' },
  ...over,
});

function decide(ctx: DecisionContext, req: BidRequest, profile?: ProfileInput) {
  const p = plan(ctx, req, NOW);
  return { p, o: finish(ctx, p, profile, NOW) };
}

describe('bid decision', () => {
  it('bids the highest-priced matching creative on an accepted banner format', () => {
    const { o } = decide(
      setup(
        campaign('low'),
        campaign('high', { bidCpmMicros: 3_000_000 }),
        campaign('other-size', {
          creatives: [
            {
              id: 'cr',
              mediaType: 'banner',
              w: 160,
              h: 600,
              markup: 'x',
              landingUrl: 'https://a.example/',
              adomain: [],
              cat: [],
              attr: [],
            },
          ],
          bidCpmMicros: 9e6,
        }),
      ),
      request(),
    );
    expect(o.bids.map((b) => [b.e.ic.c.id, b.priceMicros])).toEqual([['high', 3_000_000]]);
  });

  it('applies geo, device, site and publisher targeting', () => {
    const ctx = setup(
      campaign('fra', { targeting: { countries: ['FRA'] } }),
      campaign('ctv', { targeting: { deviceTypes: [3] } }),
      campaign('deny', { targeting: { siteDomainsDeny: ['news.example'] } }),
      campaign('pub', { targeting: { publishers: ['p1'] }, bidCpmMicros: 3_000_000 }),
    );
    expect(decide(ctx, request()).o).toEqual({ bids: [], reason: 'no_match' });
    const winner = (publisher: string) =>
      decide(ctx, request({ site: { domain: 'x.example', publisher: { id: publisher } } })).o
        .bids[0]?.e.ic.c.id;
    expect(winner('p1')).toBe('pub');
    expect(winner('p2')).toBe('deny');
  });

  it('honours bcat (parent tier), badv and battr', () => {
    const ctx = setup(campaign('c'));
    expect(decide(ctx, request({ bcat: ['IAB1'] })).o.bids).toHaveLength(0);
    expect(decide(ctx, request({ badv: ['a.example'] })).o.bids).toHaveLength(0);
    expect(
      decide(ctx, request({ imp: [{ id: '1', banner: { w: 300, h: 250, battr: [3] } }] })).o.bids,
    ).toHaveLength(0);
    expect(decide(ctx, request({ bcat: ['IAB2'] })).o.bids).toHaveLength(1);
  });

  it('converts non-USD floors and refuses an unknown floor currency', () => {
    const ctx = setup(campaign('c'));
    const imp = (bidfloor: number, bidfloorcur: string) =>
      request({ imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor, bidfloorcur }] });
    expect(decide(ctx, imp(1.5, 'EUR')).o.bids).toHaveLength(1); // 1.875 USD < 2
    expect(decide(ctx, imp(1.7, 'EUR')).o.reason).toBe('below_floor'); // 2.125 USD > 2
    expect(decide(ctx, imp(1, 'XXX')).o.reason).toBe('unknown_currency');
  });

  it('answers in the first allowed currency it knows', () => {
    const { p, o } = decide(setup(campaign('c')), request({ cur: ['GBP', 'EUR'] }));
    expect(p.cur).toBe('EUR');
    expect(o.bids[0]?.priceMicros).toBe(1_600_000);
  });

  it('shades first-price bids to the floor at least and bids the max in second price', () => {
    const ctx = setup(campaign('c'));
    const floor = (f: number) => [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: f }];
    expect(decide(ctx, request({ at: 1, imp: floor(0.1) })).o.bids[0]?.priceMicros).toBe(1_000_000);
    expect(decide(ctx, request({ at: 1, imp: floor(1.5) })).o.bids[0]?.priceMicros).toBe(1_500_000);
    expect(decide(ctx, request({ at: 2, imp: floor(0.1) })).o.bids[0]?.priceMicros).toBe(2_000_000);
  });

  it('bids deal campaigns only through their deals, with deal floors, seats and private auctions', () => {
    const ctx = setup(campaign('deal', { deals: [{ id: 'd1' }] }), campaign('open'));
    const pmp = (deal: object, priv = 1) =>
      request({
        imp: [
          {
            id: '1',
            banner: { w: 300, h: 250 },
            pmp: { private_auction: priv, deals: [{ id: 'd1', ...deal }] },
          },
        ],
      });
    expect(decide(ctx, request()).o.bids.map((b) => b.e.ic.c.id)).toEqual(['open']);
    const viaDeal = decide(ctx, pmp({ bidfloor: 1 })).o.bids[0];
    expect([viaDeal?.e.ic.c.id, viaDeal?.dealId]).toEqual(['deal', 'd1']);
    expect(decide(ctx, pmp({ bidfloor: 5 })).o.bids).toHaveLength(0); // private: open campaigns may not bid
    // Not private: above the deal floor the deal campaign is out, the open campaign bids the open floor.
    expect(decide(ctx, pmp({ bidfloor: 5 }, 0)).o.bids.map((b) => b.e.ic.c.id)).toEqual(['open']);
    expect(decide(ctx, pmp({ wseat: ['someone-else'] })).o.bids).toHaveLength(0);
    expect(decide(ctx, pmp({ at: 3, bidfloor: 1.25 })).o.bids[0]?.priceMicros).toBe(1_250_000);
  });

  it('looks up the profile only when a profile campaign outbids the rest', () => {
    const seg = campaign('seg', { targeting: { segments: ['s1'] }, bidCpmMicros: 5e6 });
    expect(decide(setup(seg, campaign('open')), request()).p.needsProfile).toBe(true);
    expect(
      decide(setup({ ...seg, bidCpmMicros: 1e6 }, campaign('open')), request()).p.needsProfile,
    ).toBe(false);
  });

  it('applies segments, frequency caps and opt-outs from the profile, skipping them when it is unavailable', () => {
    const ctx = setup(
      campaign('seg', { targeting: { segments: ['s1'] }, bidCpmMicros: 5e6 }),
      campaign('cap', { frequencyCap: { perDay: 2 }, bidCpmMicros: 4e6 }),
      campaign('open'),
    );
    const found = (segments: Record<string, number>, today: number): ProfileInput => ({
      kind: 'found',
      profile: { segments, freq: { cap: { today, lifetime: today } } },
    });
    const winner = (pr: ProfileInput | undefined) =>
      decide(ctx, request(), pr).o.bids[0]?.e.ic.c.id;
    expect(winner(found({ s1: 0.5 }, 0))).toBe('seg');
    expect(winner(found({}, 1))).toBe('cap');
    expect(winner(found({}, 2))).toBe('open');
    expect(winner({ kind: 'missing' })).toBe('cap');
    expect(winner({ kind: 'optedOut' })).toBe('open');
    expect(winner(undefined)).toBe('open');
  });

  it('counts wins billed here and not yet in the profile towards the frequency cap, until they expire', () => {
    const ctx = setup(
      campaign('cap', { frequencyCap: { perDay: 2 }, bidCpmMicros: 4e6 }),
      campaign('open'),
    );
    const recent = new RecentWins(100, 10_000);
    ctx.recentWins = recent;
    const found = (today: number): ProfileInput => ({
      kind: 'found',
      profile: { segments: {}, freq: { cap: { today, lifetime: today } } },
    });
    const winner = (pr: ProfileInput) => decide(ctx, request(), pr).o.bids[0]?.e.ic.c.id;
    expect(winner(found(1))).toBe('cap');
    recent.record('u1', 'cap', NOW - 5_000);
    expect(winner(found(1))).toBe('open'); // 1 in the profile + 1 billed here = cap of 2
    expect(winner({ kind: 'missing' })).toBe('cap');
    recent.record('u1', 'cap', NOW - 4_000);
    expect(winner({ kind: 'missing' })).toBe('open'); // a new user's first two wins
    recent.record('u2', 'cap', NOW - 1_000);
    expect(recent.count('u1', 'cap', NOW + 6_001)).toBe(0); // expired 10 s after the last win
    expect(recent.count('u2', 'cap', NOW)).toBe(1);
  });

  it('answers no bid to blocked traffic and to a request excluding our seat', () => {
    const ctx = setup(campaign('c'));
    ctx.blocklist.apply({
      eventId: 'e',
      ts: 0,
      kind: 'site',
      value: 'news.example',
      score: 1,
      reasons: [],
      expiresAt: NOW + 1,
    });
    expect(decide(ctx, request()).o.reason).toBe('blocked');
    expect(decide(setup(campaign('c')), request({ bseat: ['us'] })).o.reason).toBe('seat');
  });

  it('drops a paused campaign and keeps only the newest version', () => {
    const c = campaign('c');
    const ctx = setup(c);
    ctx.index.upsert({ ...c, version: 2, status: 'paused' });
    ctx.index.upsert({ ...c, version: 1 });
    expect(decide(ctx, request()).o.bids).toHaveLength(0);
  });
});

describe('bapp (blocked apps)', () => {
  const install = (landingUrl: string): Campaign => {
    const c = campaign('install');
    const cr = c.creatives[0];
    return cr ? { ...c, creatives: [{ ...cr, landingUrl }] } : c;
  };

  it('refuses a creative whose store page names a blocked app, by Play bundle or App Store id', () => {
    const play = setup(install('https://play.google.com/store/apps/details?id=com.game.x'));
    expect(decide(play, request({ bapp: ['com.game.x'] })).o.bids).toEqual([]);
    expect(decide(play, request()).o.bids).toHaveLength(1);
    const apple = setup(install('https://apps.apple.com/us/app/x/id1234567'));
    expect(decide(apple, request({ bapp: ['1234567'] })).o.bids).toEqual([]);
    expect(decide(apple, request({ bapp: ['id1234567'] })).o.bids).toEqual([]);
  });

  it('is not blocked by an empty, short or unrelated bapp entry', () => {
    const ctx = setup(install('https://play.google.com/store/apps/details?id=com.game.x'));
    expect(decide(ctx, request({ bapp: ['', 'c', 'com.game', 'com.other'] })).o.bids).toHaveLength(
      1,
    );
  });

  it('bids only with campaigns that carry DSA information where the request requires it', () => {
    const dsa = {
      behalf: 'Acme GmbH',
      paid: 'Acme GmbH',
      transparency: [{ domain: 'acme.example', dsaparams: [1, 2] }],
    };
    const ctx = setup(campaign('without', { bidCpmMicros: 9_000_000 }), campaign('with', { dsa }));
    const required = (dsarequired: number): BidRequest =>
      request({ regs: { ext: { dsa: { dsarequired } } } });
    // Supported but not required: the best campaign bids, disclosure or not.
    expect(decide(ctx, required(1)).o.bids.map((b) => b.e.ic.c.id)).toEqual(['without']);
    for (const level of [2, 3])
      expect(decide(ctx, required(level)).o.bids.map((b) => b.e.ic.c.id)).toEqual(['with']);
    const none = decide(setup(campaign('without')), required(2)).o;
    expect(none).toMatchObject({ bids: [], reason: 'dsa' });
    // Garbage in the extension counts as not required.
    expect(
      decide(ctx, request({ regs: { ext: { dsa: 'yes' } } })).o.bids.map((b) => b.e.ic.c.id),
    ).toEqual(['without']);
  });

  it('leaves segment and capped campaigns out without a basis for personalisation', () => {
    const ctx = setup(
      campaign('segments', {
        bidCpmMicros: 9_000_000,
        targeting: { segments: ['s1'] },
      }),
      campaign('capped', { bidCpmMicros: 8_000_000, frequencyCap: { perDay: 3 } }),
      campaign('plain'),
    );
    const found: ProfileInput = {
      kind: 'found',
      profile: { segments: { s1: 1 }, freq: {} },
    } as ProfileInput;
    const open = decide(ctx, request(), found).o;
    expect(open.bids.map((b) => b.e.ic.c.id)).toEqual(['segments']);
    const noPersonalisation: Decision = {
      rule: 'gdpr_no_personalisation',
      permissions: {
        ...UNRESTRICTED.permissions,
        personalised: false,
        profileRead: false,
        frequencyCapByCookie: false,
      },
    };
    const p = plan(ctx, request(), NOW, noPersonalisation);
    expect(p.needsProfile).toBe(false);
    expect(p.userId).toBeUndefined();
    expect(finish(ctx, p, undefined, NOW).bids.map((b) => b.e.ic.c.id)).toEqual(['plain']);
    const onlySegments = setup(campaign('segments', { targeting: { segments: ['s1'] } }));
    const refused = plan(onlySegments, request(), NOW, noPersonalisation);
    expect(finish(onlySegments, refused, undefined, NOW).reason).toBe('privacy');
  });

  it('bids on flagged traffic at a share of the price, never under the floor, and marks the plan', () => {
    const ctx = setup(campaign('c'));
    ctx.prebid = new PrebidFilter({ ...everyPrebid('nobid'), datacentre: 'flag' }, ctx.blocklist);
    const dc = request({ device: { ip: '3.80.1.2', devicetype: 2, geo: { country: 'DEU' } } });
    const flagged = decide(ctx, dc);
    expect(flagged.p).toMatchObject({ ivt: 'datacentre', flagged: true, reason: undefined });
    expect(flagged.o.bids[0]?.priceUsd).toBe(200_000); // 0.1 × 2 USD
    const floored = { ...dc, imp: [{ id: '1', banner: { w: 300, h: 250 }, bidfloor: 1 }] };
    expect(decide(ctx, floored).o.bids[0]?.priceUsd).toBe(1_000_000);
    const clean = decide(ctx, request());
    expect(clean.p).toMatchObject({ ivt: undefined, flagged: false });
    expect(clean.o.bids[0]?.priceUsd).toBe(2_000_000);
    ctx.prebid = new PrebidFilter(everyPrebid('nobid'), ctx.blocklist);
    expect(decide(ctx, dc).o).toEqual({ bids: [], reason: 'datacentre' });
  });

  it('bids for a campaign that requires a complete or direct supply chain only on such chains', () => {
    const ctx = setup(
      campaign('complete', { supplyChain: 'complete' }),
      campaign('direct', { supplyChain: 'direct', bidCpmMicros: 3_000_000 }),
    );
    const chain = (complete: number, n: number): BidRequest =>
      request({
        source: {
          schain: {
            complete: complete as 0 | 1,
            ver: '1.0',
            nodes: Array.from({ length: n }, (_, i) => ({
              asi: `s${String(i)}.example`,
              sid: 'p',
              hp: 1 as const,
            })),
          },
        },
      });
    const winner = (req: BidRequest) => decide(ctx, req).o.bids[0]?.e.ic.c.id;
    expect(winner(chain(1, 1))).toBe('direct');
    expect(winner(chain(1, 2))).toBe('complete');
    expect(winner(chain(0, 1))).toBeUndefined();
    expect(winner(request())).toBeUndefined();
    expect(decide(ctx, chain(0, 1)).o.reason).toBe('no_match');
  });
});
