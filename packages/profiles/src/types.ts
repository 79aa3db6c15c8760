/** What the bidder needs from one cookie/user profile, decoded and decayed to `now`. */
export interface CookieProfile {
  userId: string;
  /** segment id -> score in [0,1], already decayed to `now` */
  segments: Record<string, number>;
  /** ms since epoch */
  lastSeen: number;
  country?: string;
  deviceType?: number;
  /** per campaign id: impressions today (UTC day of `now`) and over the lifetime */
  freq: Record<string, { today: number; lifetime: number }>;
  clicks: number;
}

export type ProfileLookup =
  { kind: 'found'; profile: CookieProfile } | { kind: 'missing' } | { kind: 'optedOut' };

/**
 * How a profile is laid out in Redis. `hash`: one Redis hash per user, one field per segment and
 * per campaign counter. `blob`: one JSON string per user. See packages/profiles/README.md for the
 * measurements behind the default.
 */
export const ProfileFormat = { hash: 'hash', blob: 'blob' } as const;
export type ProfileFormat = (typeof ProfileFormat)[keyof typeof ProfileFormat];

export interface ProfileStoreOptions {
  /** Prefix of every Redis key (tests use a unique one). @default 'sb:' */
  keyPrefix?: string;
  /** Key TTL, refreshed on activity. @default 2592000 (30 days) */
  ttlSeconds?: number;
  /** TTL of an opt-out tombstone; it is never refreshed by later events. @default 31536000 (365 days) */
  tombstoneTtlSeconds?: number;
  /** Half-life of segment scores. Reader and writer must agree. @default 604800000 (7 days) */
  segmentHalfLifeMs?: number;
  /** Segments whose decayed score falls below this are dropped. @default 0.01 */
  minSegmentScore?: number;
  /** Storage layout. Reader and writer must agree. @default 'blob' */
  format?: ProfileFormat;
}

export type ResolvedStoreOptions = Required<ProfileStoreOptions>;

export const DEFAULT_STORE_OPTIONS: ResolvedStoreOptions = {
  keyPrefix: 'sb:',
  ttlSeconds: 2_592_000,
  tombstoneTtlSeconds: 31_536_000,
  segmentHalfLifeMs: 604_800_000,
  minSegmentScore: 0.01,
  format: 'blob',
};

export function resolveStoreOptions(opts: ProfileStoreOptions = {}): ResolvedStoreOptions {
  const o = { ...DEFAULT_STORE_OPTIONS };
  if (opts.keyPrefix !== undefined) o.keyPrefix = opts.keyPrefix;
  if (opts.ttlSeconds !== undefined) o.ttlSeconds = opts.ttlSeconds;
  if (opts.tombstoneTtlSeconds !== undefined) o.tombstoneTtlSeconds = opts.tombstoneTtlSeconds;
  if (opts.segmentHalfLifeMs !== undefined) o.segmentHalfLifeMs = opts.segmentHalfLifeMs;
  if (opts.minSegmentScore !== undefined) o.minSegmentScore = opts.minSegmentScore;
  if (opts.format !== undefined) o.format = opts.format;
  if (!(o.ttlSeconds > 0 && o.tombstoneTtlSeconds > 0 && o.segmentHalfLifeMs > 0))
    throw new RangeError('profile store TTLs and half-life must be positive');
  return o;
}

/** Redis key of one user's profile (or tombstone). */
export function profileKey(prefix: string, userId: string): string {
  return `${prefix}p:${userId}`;
}

/** Redis hash holding the last applied offset per `topic:partition`. */
export function watermarkKey(prefix: string): string {
  return `${prefix}wm`;
}

/**
 * One change to one profile, derived from one stream message. Segment ids from page views are
 * namespaced by the caller (`cat:IAB1`, `kw:shoes`); data-provider ids are used as given.
 */
export type ProfileUpdate =
  | {
      type: 'pageview';
      userId: string;
      ts: number;
      /** Segment ids this view strengthens, each by `weight`. */
      segments: readonly { id: string; weight: number }[];
      country?: string;
      deviceType?: number;
    }
  | {
      type: 'segments';
      userId: string;
      ts: number;
      /** Provider assertions: the stored score becomes at least `score` as of `ts`. */
      segments: readonly { id: string; score: number }[];
    }
  | {
      type: 'impression';
      userId: string;
      ts: number;
      campaignId: string;
      country?: string;
      deviceType?: number;
    }
  | { type: 'click'; userId: string; ts: number; campaignId: string }
  | { type: 'optout'; userId: string; ts: number };
