import type { ClickEvent, ImpressionEvent, Region, UserEvent } from '@streambid/contracts';

/** A deterministic event mix for tests and benchmarks, and the counts it must produce. */
export interface SyntheticEvents {
  userEvents: UserEvent[];
  impressions: ImpressionEvent[];
  clicks: ClickEvent[];
  /** userId -> campaignId -> lifetime impressions. */
  expectedFreq: Map<string, Map<string, number>>;
  /** userId -> clicks. */
  expectedClicks: Map<string, number>;
}

const CAMPAIGNS = ['camp-a', 'camp-b', 'camp-c'];
const CATEGORIES = ['IAB1', 'IAB2', 'IAB3', 'IAB7', 'IAB19'];

/**
 * `rounds` rounds over `users` users; each round gives every user a page view, an impression, a
 * click on every third round and a provider segment on every fifth. Event times advance by a minute
 * per round from `ts0`. `tag` keeps event ids unique across calls.
 */
export function syntheticEvents(opts: {
  users: number;
  rounds: number;
  ts0: number;
  tag?: string;
  region?: Region;
}): SyntheticEvents {
  const region = opts.region ?? 'eu';
  const tag = opts.tag ?? 's';
  const out: SyntheticEvents = {
    userEvents: [],
    impressions: [],
    clicks: [],
    expectedFreq: new Map(),
    expectedClicks: new Map(),
  };
  for (let r = 0; r < opts.rounds; r++) {
    const ts = opts.ts0 + r * 60_000;
    for (let u = 0; u < opts.users; u++) {
      const userId = `user-${String(u)}`;
      const id = `${tag}-${String(r)}-${String(u)}`;
      const campaignId = CAMPAIGNS[(r + u) % CAMPAIGNS.length] ?? 'camp-a';
      out.userEvents.push({
        eventId: `pv-${id}`,
        ts,
        region,
        userId,
        type: 'pageview',
        categories: [CATEGORIES[(r + u) % CATEGORIES.length] ?? 'IAB1'],
        keywords: r % 2 === 0 ? ['news'] : [],
        country: u % 2 === 0 ? 'DEU' : 'FRA',
        deviceType: 1 + (u % 3),
      });
      if (r % 5 === 0)
        out.userEvents.push({
          eventId: `sg-${id}`,
          ts,
          region,
          userId,
          type: 'segment',
          provider: 'dp1',
          segments: [{ id: 'dp1:auto-intender', score: 0.5 + (u % 5) / 10 }],
        });
      out.impressions.push({
        eventId: `im-${id}`,
        ts,
        region,
        bidId: `b-${id}`,
        requestId: `r-${id}`,
        campaignId,
        creativeId: 'cr-1',
        userId,
      });
      const f = out.expectedFreq.get(userId) ?? new Map<string, number>();
      f.set(campaignId, (f.get(campaignId) ?? 0) + 1);
      out.expectedFreq.set(userId, f);
      if (r % 3 === 0) {
        out.clicks.push({
          eventId: `ck-${id}`,
          ts: ts + 1000,
          region,
          bidId: `b-${id}`,
          campaignId,
          creativeId: 'cr-1',
          userId,
        });
        out.expectedClicks.set(userId, (out.expectedClicks.get(userId) ?? 0) + 1);
      }
    }
  }
  return out;
}
