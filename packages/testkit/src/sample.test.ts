import { describe, expect, it } from 'vitest';
import { parseBidRequest, validateBidRequestWithZod } from '@streambid/contracts';
import { mulberry32 } from '@streambid/traffic';
import { makeBidRequest, SAMPLE_COUNTRIES } from './sample.js';

const many = (seed: number, n: number, opts = {}) => {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => makeBidRequest(rng, opts));
};

describe('makeBidRequest', () => {
  it('produces the same requests from the same seed', () => {
    expect(many(7, 20)).toEqual(many(7, 20));
  });

  it('produces different requests from different seeds', () => {
    expect(many(7, 5)).not.toEqual(many(8, 5));
  });

  it('produces requests that both validators accept', () => {
    for (const req of many(1, 300)) {
      expect(parseBidRequest(JSON.stringify(req)).ok).toBe(true);
      expect(validateBidRequestWithZod(structuredClone(req)).ok).toBe(true);
    }
  });

  it('produces realistic 1.5–4 KB bodies averaging over 2 KB', () => {
    const sizes = many(2, 300).map((r) => JSON.stringify(r).length);
    expect(Math.min(...sizes)).toBeGreaterThan(1500);
    expect(Math.max(...sizes)).toBeLessThan(4096);
    expect(sizes.reduce((a, b) => a + b, 0) / sizes.length).toBeGreaterThan(2000);
  });

  it('varies channel, media type, deals, users and countries', () => {
    const reqs = many(3, 400);
    const imps = reqs.flatMap((r) => r.imp);
    expect(reqs.some((r) => r.site) && reqs.some((r) => r.app)).toBe(true);
    expect(
      imps.some((i) => i.banner) && imps.some((i) => i.video) && imps.some((i) => i.native),
    ).toBe(true);
    expect(imps.some((i) => i.pmp?.deals?.length)).toBe(true);
    expect(reqs.some((r) => r.imp.length > 1)).toBe(true);
    expect(reqs.some((r) => r.user?.buyeruid) && reqs.some((r) => !r.user?.buyeruid)).toBe(true);
    const countries = new Set(reqs.map((r) => r.device?.geo?.country));
    expect(countries.size).toBeGreaterThan(5);
    for (const c of countries) expect(SAMPLE_COUNTRIES).toContain(c);
  });

  it('honours the media, country and channel options', () => {
    const reqs = many(4, 50, { media: 'video', countries: ['FRA'], siteShare: 1, dealShare: 0 });
    for (const r of reqs) {
      expect(r.site).toBeDefined();
      expect(r.app).toBeUndefined();
      expect(r.device?.geo?.country).toBe('FRA');
      for (const imp of r.imp) {
        expect(imp.video).toBeDefined();
        expect(imp.pmp).toBeUndefined();
      }
    }
  });
});
