import { describe, expect, it } from 'vitest';
import { campaignSchema, spendSchema, userEventSchema } from './events.js';
import { impressionCostMicros, toMicros } from './money.js';

const campaign = {
  eventId: 'e1',
  ts: 1_700_000_000_000,
  id: 'c1',
  version: 1,
  homeRegion: 'eu',
  advertiser: 'acme',
  status: 'active',
  creatives: [
    {
      id: 'cr1',
      mediaType: 'banner',
      w: 300,
      h: 250,
      markup: '<a>${AUCTION_PRICE}</a>',
      landingUrl: 'https://acme.example/',
      adomain: ['acme.example'],
    },
  ],
  bidCpmMicros: 2_500_000,
  budget: { totalMicros: 1_000_000_000 },
  flight: { start: 1, end: 2 },
};

describe('campaign schema', () => {
  it('accepts a minimal campaign and fills defaults', () => {
    const c = campaignSchema.parse(campaign);
    expect(c.currency).toBe('USD');
    expect(c.deals).toEqual([]);
    expect(c.creatives[0]?.cat).toEqual([]);
  });

  it('refuses fractional money and a flight that ends before it starts', () => {
    expect(campaignSchema.safeParse({ ...campaign, bidCpmMicros: 2.5 }).success).toBe(false);
    expect(campaignSchema.safeParse({ ...campaign, flight: { start: 5, end: 5 } }).success).toBe(
      false,
    );
  });
});

describe('spend schema', () => {
  it('requires an event id and integer micros', () => {
    const s = {
      eventId: 'b1',
      ts: 1,
      region: 'us',
      campaignId: 'c',
      creativeId: 'cr',
      bidId: 'b1',
      requestId: 'r',
      cpmMicros: 1_000_000,
      amountMicros: 1000,
      currency: 'USD',
    };
    expect(spendSchema.safeParse(s).success).toBe(true);
    expect(spendSchema.safeParse({ ...s, eventId: '' }).success).toBe(false);
    expect(spendSchema.safeParse({ ...s, amountMicros: -1 }).success).toBe(false);
  });
});

describe('user event schema', () => {
  it('discriminates page views, segments and opt-outs by type', () => {
    const base = { eventId: 'u1', ts: 1, region: 'eu', userId: 'u' };
    expect(userEventSchema.parse({ ...base, type: 'optout' }).type).toBe('optout');
    expect(
      userEventSchema.safeParse({
        ...base,
        type: 'segment',
        provider: 'p',
        segments: [{ id: 's', score: 2 }],
      }).success,
    ).toBe(false);
    expect(userEventSchema.safeParse({ ...base, type: 'unknown' }).success).toBe(false);
  });
});

describe('money', () => {
  it('converts decimal prices to integer micros without float drift', () => {
    expect(toMicros(1.1)).toBe(1_100_000);
    expect(toMicros(0.000001)).toBe(1);
    expect(toMicros(2.675)).toBe(2_675_000);
    expect(() => toMicros(Number.NaN)).toThrow();
  });

  it('prices one impression at a thousandth of the CPM', () => {
    expect(impressionCostMicros(2_500_000)).toBe(2500);
  });
});
