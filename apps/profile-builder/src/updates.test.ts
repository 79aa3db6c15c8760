import { describe, expect, it } from 'vitest';
import type { ClickEvent, ImpressionEvent, UserEvent } from '@streambid/contracts';
import { fromClick, fromImpression, fromUserEvent } from './updates.js';

const base = { eventId: 'e1', ts: 1_700_000_000_000, region: 'eu' as const, userId: 'u1' };
/** An impression and a click without a user id. */
const imp: ImpressionEvent = {
  eventId: 'i',
  ts: 1,
  region: 'eu',
  bidId: 'b',
  requestId: 'r',
  campaignId: 'c',
  creativeId: 'cr',
};
const click: ClickEvent = {
  eventId: 'k',
  ts: 1,
  region: 'eu',
  bidId: 'b',
  campaignId: 'c',
  creativeId: 'cr',
};

describe('profile updates from events', () => {
  it('turns page categories and keywords into namespaced segments, one weight each', () => {
    const e: UserEvent = {
      ...base,
      type: 'pageview',
      categories: ['IAB1', 'IAB1', 'IAB7'],
      keywords: ['Shoes', 'shoes'],
      country: 'DEU',
      deviceType: 2,
    };
    expect(fromUserEvent(e)).toEqual({
      type: 'pageview',
      userId: 'u1',
      ts: base.ts,
      segments: [
        { id: 'cat:IAB1', weight: 0.25 },
        { id: 'cat:IAB7', weight: 0.25 },
        { id: 'kw:shoes', weight: 0.1 },
      ],
      country: 'DEU',
      deviceType: 2,
    });
  });

  it('passes data-provider segments through and maps opt-outs', () => {
    const seg: UserEvent = {
      ...base,
      type: 'segment',
      provider: 'dp',
      segments: [{ id: 'auto', score: 0.7 }],
    };
    expect(fromUserEvent(seg)).toEqual({
      type: 'segments',
      userId: 'u1',
      ts: base.ts,
      segments: [{ id: 'auto', score: 0.7 }],
    });
    expect(fromUserEvent({ ...base, type: 'optout' })).toEqual({
      type: 'optout',
      userId: 'u1',
      ts: base.ts,
    });
  });

  it('ignores impressions and clicks that carry no user id', () => {
    expect(fromImpression(imp)).toBeNull();
    expect(fromClick(click)).toBeNull();
    expect(fromImpression({ ...imp, userId: 'u9', country: 'FRA' })).toEqual({
      type: 'impression',
      userId: 'u9',
      ts: 1,
      campaignId: 'c',
      country: 'FRA',
    });
    expect(fromClick({ ...click, userId: 'u9' })).toEqual({
      type: 'click',
      userId: 'u9',
      ts: 1,
      campaignId: 'c',
    });
  });

  it('builds nothing from an event whose privacy basis does not allow a profile write', () => {
    const at = { ...imp, userId: 'u9' };
    expect(
      fromImpression({ ...at, privacy: { basis: 'gdpr_no_personalisation', p: 1 } }),
    ).toBeNull();
    expect(
      fromClick({ ...imp, eventId: 'k', userId: 'u9', privacy: { basis: 'coppa', p: 512 } }),
    ).toBeNull();
    expect(fromImpression({ ...at, privacy: { basis: 'none', p: 2 } })).toMatchObject({
      userId: 'u9',
    });
  });
});
