import type { CookieProfile, ProfileLookup } from './types.js';

const DAY_MS = 86_400_000;

/** UTC day number of a time in ms since the epoch (the unit of the per-day frequency counters). */
export function utcDay(ts: number): number {
  return Math.floor(ts / DAY_MS);
}

/**
 * Exponential decay of a score stored at `at`, seen at `now`. A score from the future (clock skew
 * between regions) is not amplified.
 */
export function decayScore(score: number, at: number, now: number, halfLifeMs: number): number {
  const dt = now - at;
  return dt <= 0 ? score : score * 2 ** (-dt / halfLifeMs);
}

/**
 * A profile as the writer's Lua script stores it, independent of the Redis layout:
 * `s` segment -> [score, ts], `f` campaign -> [utc day, count that day, lifetime count],
 * `x` set (to the opt-out time) when the key is a tombstone.
 */
export interface StoredProfile {
  ls: number;
  c?: string;
  d?: number;
  k: number;
  s: Record<string, readonly [number, number]>;
  f: Record<string, readonly [number, number, number]>;
  x?: number;
}

/**
 * Segment ids and campaign ids are written by outside parties (data providers, campaign writers):
 * maps keyed by them have no prototype, so `constructor` or `__proto__` is an ordinary key.
 */
const table = <V>(): Record<string, V> => Object.create(null) as Record<string, V>;

function num(v: string | undefined): number {
  const n = Number(v);
  return Number.isFinite(n) ? n : 0;
}

/** Decodes the hash layout (`ls`, `c`, `d`, `k`, `x`, `s:<seg>` = score:ts, `f:<cid>` = day:today:life). */
export function parseHash(fields: Record<string, string>): StoredProfile | null {
  const p: StoredProfile = { ls: 0, k: 0, s: table(), f: table() };
  let any = false;
  for (const [name, value] of Object.entries(fields)) {
    any = true;
    if (name.startsWith('s:')) {
      const [score, ts] = value.split(':');
      p.s[name.slice(2)] = [num(score), num(ts)];
    } else if (name.startsWith('f:')) {
      const [day, today, life] = value.split(':');
      p.f[name.slice(2)] = [num(day), num(today), num(life)];
    } else if (name === 'ls') p.ls = num(value);
    else if (name === 'k') p.k = num(value);
    else if (name === 'c') p.c = value;
    else if (name === 'd') p.d = num(value);
    else if (name === 'x') p.x = num(value);
  }
  return any ? p : null;
}

/** Decodes the blob layout: the same object as JSON. Unreadable blobs count as missing. */
export function parseBlob(raw: string | null): StoredProfile | null {
  if (raw === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Partial<StoredProfile>;
  // Lua's cjson encodes an empty table as {} and that is also what an absent map means here.
  const p: StoredProfile = {
    ls: o.ls ?? 0,
    k: o.k ?? 0,
    s: Object.assign(table<readonly [number, number]>(), o.s),
    f: Object.assign(table<readonly [number, number, number]>(), o.f),
  };
  if (typeof o.c === 'string') p.c = o.c;
  if (typeof o.d === 'number') p.d = o.d;
  if (typeof o.x === 'number') p.x = o.x;
  return p;
}

/** The bidder's view of a stored profile at `now`: decayed segments, today's frequency counters. */
export function toLookup(
  userId: string,
  stored: StoredProfile | null,
  now: number,
  opts: { segmentHalfLifeMs: number; minSegmentScore: number },
): ProfileLookup {
  if (stored === null) return { kind: 'missing' };
  if (stored.x !== undefined) return { kind: 'optedOut' };
  const segments = table<number>();
  for (const [id, [score, at]] of Object.entries(stored.s)) {
    const v = decayScore(score, at, now, opts.segmentHalfLifeMs);
    if (v >= opts.minSegmentScore) segments[id] = v;
  }
  const today = utcDay(now);
  const freq = table<{ today: number; lifetime: number }>();
  for (const [cid, [day, count, life]] of Object.entries(stored.f))
    freq[cid] = { today: day === today ? count : 0, lifetime: life };
  const profile: CookieProfile = { userId, segments, lastSeen: stored.ls, freq, clicks: stored.k };
  if (stored.c !== undefined) profile.country = stored.c;
  if (stored.d !== undefined) profile.deviceType = stored.d;
  return { kind: 'found', profile };
}
