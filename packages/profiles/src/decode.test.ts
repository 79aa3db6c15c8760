import { describe, expect, it } from 'vitest';
import { decayScore, parseBlob, parseHash, toLookup, utcDay } from './decode.js';

const DAY = 86_400_000;
const opts = { segmentHalfLifeMs: 7 * DAY, minSegmentScore: 0.01 };

describe('segment decay', () => {
  it('halves a score after one half-life and quarters it after two', () => {
    expect(decayScore(0.8, 0, 7 * DAY, 7 * DAY)).toBeCloseTo(0.4, 12);
    expect(decayScore(0.8, 0, 14 * DAY, 7 * DAY)).toBeCloseTo(0.2, 12);
  });

  it('leaves a score stored in the future unchanged instead of amplifying it', () => {
    expect(decayScore(0.5, 10_000, 5_000, 7 * DAY)).toBe(0.5);
  });
});

describe('utcDay', () => {
  it('changes exactly at UTC midnight', () => {
    const midnight = Date.UTC(2025, 5, 2);
    expect(utcDay(midnight - 1)).toBe(utcDay(midnight) - 1);
    expect(utcDay(midnight + DAY - 1)).toBe(utcDay(midnight));
  });
});

describe('toLookup', () => {
  const now = Date.UTC(2025, 5, 2, 12);
  const stored = parseHash({
    ls: String(now - 1000),
    c: 'DEU',
    d: '2',
    k: '3',
    's:cat:IAB1': `0.8:${String(now - 7 * DAY)}`,
    's:faded': `0.05:${String(now - 30 * DAY)}`,
    'f:c1': `${String(utcDay(now))}:2:5`,
    'f:c2': `${String(utcDay(now) - 1)}:4:4`,
  });

  it('decays segments to now and drops those below the floor', () => {
    const res = toLookup('u1', stored, now, opts);
    if (res.kind !== 'found') throw new Error(`expected found, got ${res.kind}`);
    expect(res.profile.segments['cat:IAB1']).toBeCloseTo(0.4, 9);
    expect('faded' in res.profile.segments).toBe(false);
  });

  it('counts only today’s impressions as today but keeps the lifetime total', () => {
    const res = toLookup('u1', stored, now, opts);
    if (res.kind !== 'found') throw new Error(`expected found, got ${res.kind}`);
    expect(res.profile.freq).toEqual({
      c1: { today: 2, lifetime: 5 },
      c2: { today: 0, lifetime: 4 },
    });
    expect(res.profile).toMatchObject({ userId: 'u1', country: 'DEU', deviceType: 2, clicks: 3 });
    expect(res.profile.lastSeen).toBe(now - 1000);
  });

  it('reports a tombstone as opted out and an empty key as missing', () => {
    expect(toLookup('u1', parseHash({ x: '5' }), now, opts)).toEqual({ kind: 'optedOut' });
    expect(toLookup('u1', parseBlob('{"x":5}'), now, opts)).toEqual({ kind: 'optedOut' });
    expect(toLookup('u1', parseHash({}), now, opts)).toEqual({ kind: 'missing' });
    expect(toLookup('u1', parseBlob(null), now, opts)).toEqual({ kind: 'missing' });
  });

  it('decodes the blob layout to the same profile as the hash layout', () => {
    const blob = parseBlob(
      JSON.stringify({
        ls: now - 1000,
        c: 'DEU',
        d: 2,
        k: 3,
        s: { 'cat:IAB1': [0.8, now - 7 * DAY], faded: [0.05, now - 30 * DAY] },
        f: { c1: [utcDay(now), 2, 5], c2: [utcDay(now) - 1, 4, 4] },
      }),
    );
    expect(toLookup('u1', blob, now, opts)).toEqual(toLookup('u1', stored, now, opts));
  });

  it('treats an empty map from Lua cjson as no segments', () => {
    const res = toLookup('u1', parseBlob('{"ls":1,"k":0,"s":{},"f":{}}'), now, opts);
    expect(res).toEqual({
      kind: 'found',
      profile: { userId: 'u1', segments: {}, lastSeen: 1, freq: {}, clicks: 0 },
    });
  });
});
