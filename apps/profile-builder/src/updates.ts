import type { ClickEvent, EventPrivacy, ImpressionEvent, UserEvent } from '@streambid/contracts';
import { PERMISSION_BITS } from '@streambid/privacy';
import type { ProfileUpdate } from '@streambid/profiles';

/**
 * Whether the basis an event was kept under lets it build or update a profile (the bidder's
 * privacy decision, carried on the event). Events written before the field existed carry none.
 */
export function profileWriteAllowed(privacy: EventPrivacy | undefined): boolean {
  return privacy === undefined || (privacy.p & PERMISSION_BITS.profileWrite) !== 0;
}

/** How much one page view strengthens a segment (scores are capped at 1 and decay over time). */
export interface PageViewWeights {
  /** Per IAB category of the page, as segment `cat:<category>`. @default 0.25 */
  category: number;
  /** Per page keyword, as segment `kw:<keyword>` (lower-cased). @default 0.1 */
  keyword: number;
}

export const DEFAULT_WEIGHTS: PageViewWeights = { category: 0.25, keyword: 0.1 };

/** Segment id of a page category: what campaign `targeting.segments` lists to reach its readers. */
export const categorySegment = (category: string): string => `cat:${category}`;
/** Segment id of a page keyword. */
export const keywordSegment = (keyword: string): string => `kw:${keyword.toLowerCase()}`;

/** The profile change a user event carries. */
export function fromUserEvent(
  e: UserEvent,
  weights: PageViewWeights = DEFAULT_WEIGHTS,
): ProfileUpdate {
  switch (e.type) {
    case 'pageview': {
      // One weight per distinct segment: a page listing a category twice is still one view.
      const segs = new Map<string, number>();
      for (const c of e.categories) segs.set(categorySegment(c), weights.category);
      for (const k of e.keywords)
        if (!segs.has(keywordSegment(k))) segs.set(keywordSegment(k), weights.keyword);
      const u: ProfileUpdate = {
        type: 'pageview',
        userId: e.userId,
        ts: e.ts,
        segments: [...segs].map(([id, weight]) => ({ id, weight })),
      };
      if (e.country !== undefined) u.country = e.country;
      if (e.deviceType !== undefined) u.deviceType = e.deviceType;
      return u;
    }
    case 'segment':
      return { type: 'segments', userId: e.userId, ts: e.ts, segments: e.segments };
    case 'optout':
      return { type: 'optout', userId: e.userId, ts: e.ts };
  }
}

/** An impression counts against frequency caps; without a user id there is no profile to update. */
export function fromImpression(e: ImpressionEvent): ProfileUpdate | null {
  if (e.userId === undefined || e.userId === '' || !profileWriteAllowed(e.privacy)) return null;
  const u: ProfileUpdate = {
    type: 'impression',
    userId: e.userId,
    ts: e.ts,
    campaignId: e.campaignId,
  };
  if (e.country !== undefined) u.country = e.country;
  if (e.deviceType !== undefined) u.deviceType = e.deviceType;
  return u;
}

/** A click adds to the user's click count. */
export function fromClick(e: ClickEvent): ProfileUpdate | null {
  if (e.userId === undefined || e.userId === '' || !profileWriteAllowed(e.privacy)) return null;
  return { type: 'click', userId: e.userId, ts: e.ts, campaignId: e.campaignId };
}
