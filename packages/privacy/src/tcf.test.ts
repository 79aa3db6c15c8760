import { fc, test } from '@fast-check/vitest';
import { TCString } from '@iabtcf/core';
import { describe, expect, it } from 'vitest';
import { MAX_CONSENT_LENGTH, MAX_TCF_RANGE_IDS } from './limits.js';
import { bitOf, MALFORMED_TCF, parseTcf } from './tcf.js';
import { scanTcf } from './tcf-guard.js';
import { encodeTcf, FULL_CONSENT } from './testing/encode.js';
import { base64url, rawTcf } from './testing/raw.js';
import { OTHER_VENDOR, OUR_VENDOR } from './testing/vendor-list.js';

const mask = (...ids: number[]): number => ids.reduce((m, id) => m | bitOf(id), 0);

describe('parseTcf', () => {
  it('reads purposes, special features and our vendor from a string @iabtcf/core encoded', () => {
    const s = parseTcf(encodeTcf(FULL_CONSENT), OUR_VENDOR);
    expect(s).toEqual({
      valid: true,
      purposeConsents: mask(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11),
      // The encoder drops the LI signal for purpose 1; the others stay as given.
      purposeLegitimateInterests: mask(2, 7, 8, 9, 10, 11),
      specialFeatureOptins: mask(1),
      vendorConsent: true,
      vendorLegitimateInterest: true,
      notAllowed: 0,
      requireConsent: 0,
      requireLegitimateInterest: 0,
    });
  });

  it('reports a refusal as a valid string that grants nothing', () => {
    expect(parseTcf(encodeTcf({}), OUR_VENDOR)).toEqual({ ...MALFORMED_TCF, valid: true });
  });

  it('sees no consent for our vendor in a string that consents to another vendor only', () => {
    const s = parseTcf(encodeTcf({ ...FULL_CONSENT, vendorConsents: [OTHER_VENDOR] }), OUR_VENDOR);
    expect(s.vendorConsent).toBe(false);
    expect(s.purposeConsents).toBe(mask(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11));
  });

  it('reads the publisher restrictions on our vendor, by type', () => {
    const restrictions = [
      { purpose: 3, type: 0 as const },
      { purpose: 2, type: 1 as const },
      { purpose: 7, type: 1 as const },
    ];
    const s = parseTcf(encodeTcf({ ...FULL_CONSENT, restrictions }), OUR_VENDOR);
    expect([s.notAllowed, s.requireConsent, s.requireLegitimateInterest]).toEqual([
      mask(3),
      mask(2, 7),
      0,
    ]);
  });

  it('treats empty, garbage, TCF v1 and truncated strings as malformed', () => {
    const valid = encodeTcf(FULL_CONSENT);
    for (const s of [
      '',
      'hello world',
      'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA', // a TCF v1.1 string
      valid.slice(0, 30),
      `${valid.slice(0, 10)}*${valid.slice(11)}`,
    ]) {
      expect(parseTcf(s, OUR_VENDOR)).toBe(MALFORMED_TCF);
    }
  });

  it('treats a string over MAX_CONSENT_LENGTH as malformed without parsing it', () => {
    const valid = encodeTcf(FULL_CONSENT);
    const long = `${valid}.${'A'.repeat(MAX_CONSENT_LENGTH)}`;
    expect(parseTcf(long, OUR_VENDOR)).toBe(MALFORMED_TCF);
  });

  it('parses a range-encoded vendor vector of honest size', () => {
    const s = rawTcf({ purposeConsents: 0xffffff, vendorConsentRanges: [[1, 5000]] });
    expect(scanTcf(s, OUR_VENDOR).ok).toBe(true);
    expect(parseTcf(s, OUR_VENDOR)).toMatchObject({ valid: true, vendorConsent: true });
  });

  it('refuses, before the library expands them, ranges that would set more than MAX_TCF_RANGE_IDS ids', () => {
    // 100 overlapping 1–65535 ranges: about 320 ms of `@iabtcf/core` for a 600-character string.
    const bomb = rawTcf({
      vendorConsentRanges: Array.from({ length: 100 }, () => [1, 65_535] as const),
    });
    expect(bomb.length).toBeLessThan(700);
    expect(scanTcf(bomb, OUR_VENDOR)).toEqual({ ok: false, reason: 'too_many_ids' });
    expect(parseTcf(bomb, OUR_VENDOR)).toBe(MALFORMED_TCF);
    const justOver = rawTcf({ vendorLiRanges: [[1, MAX_TCF_RANGE_IDS + 1]] });
    expect(scanTcf(justOver, OUR_VENDOR)).toEqual({ ok: false, reason: 'too_many_ids' });
  });

  it('guards against ranges hidden in the disclosed-vendors segment too', () => {
    const core = encodeTcf(FULL_CONSENT).split('.')[0] ?? '';
    const bits16 = (v: number) => v.toString(2).padStart(16, '0');
    // SegmentType 1 | MaxVendorId 65535 | range encoding | 4 entries of 1–65535.
    const bits = `001${bits16(65_535)}1${(4).toString(2).padStart(12, '0')}${`1${bits16(1)}${bits16(65_535)}`.repeat(4)}`;
    expect(scanTcf(`${core}.${base64url(bits)}`, OUR_VENDOR)).toEqual({
      ok: false,
      reason: 'too_many_ids',
    });
  });

  it('reads a restriction over every vendor id itself, linearly, and hides it from the library', () => {
    // One 1–65535 restriction: a 52-character string `@iabtcf/core` would spend ~15 s on.
    const bomb = rawTcf({
      purposeConsents: 0xffffff,
      vendorConsentRanges: [[OUR_VENDOR, OUR_VENDOR]],
      restrictions: [{ purpose: 2, type: 1, ranges: [[1, 65_535]] }],
    });
    expect(bomb.length).toBeLessThan(80);
    const scan = scanTcf(bomb, OUR_VENDOR);
    expect(scan).toMatchObject({ ok: true, requireConsent: mask(2) });
    expect(scan.ok && scan.forLibrary.length).toBeLessThan(bomb.length);
    expect(parseTcf(bomb, OUR_VENDOR)).toMatchObject({
      valid: true,
      vendorConsent: true,
      requireConsent: mask(2),
    });
  });

  it('refuses restrictions the library would reject: purpose 0, type 3, a range ending before it starts', () => {
    for (const restriction of [
      { purpose: 0, type: 1, ranges: [[1, 2]] as const },
      { purpose: 2, type: 3, ranges: [[1, 2]] as const },
      { purpose: 2, type: 1, ranges: [[9, 3]] as const },
    ]) {
      const s = rawTcf({ restrictions: [restriction] });
      expect(scanTcf(s, OUR_VENDOR)).toEqual({ ok: false, reason: 'bad_restriction' });
      expect(() => TCString.decode(s)).toThrow();
    }
  });

  it('refuses a core segment too short for what it declares, and other versions', () => {
    expect(scanTcf(rawTcf({}).slice(0, 20), OUR_VENDOR)).toEqual({
      ok: false,
      reason: 'truncated',
    });
    expect(scanTcf(rawTcf({ version: 1 }), OUR_VENDOR)).toEqual({ ok: false, reason: 'not_v2' });
  });

  const range = fc
    .tuple(fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 20 }))
    .map(([start, len]) => [start, start + len] as const);
  const restriction = fc.record({
    purpose: fc.integer({ min: 1, max: 24 }),
    type: fc.integer({ min: 0, max: 2 }),
    ranges: fc.array(range, { maxLength: 4 }),
  });

  test.prop(
    [
      fc.record({
        purposeConsents: fc.integer({ min: 0, max: 0xffffff }),
        vendorConsentRanges: fc.array(range, { maxLength: 4 }),
        vendorLiRanges: fc.array(range, { maxLength: 4 }),
        restrictions: fc.array(restriction, { maxLength: 6 }),
      }),
      fc.integer({ min: 1, max: 90 }),
    ],
    { numRuns: 300 },
  )('agrees with @iabtcf/core on the restrictions and on everything else', (raw, vendorId) => {
    const s = rawTcf(raw);
    const model = TCString.decode(s);
    const byType = [0, 0, 0];
    for (const r of model.publisherRestrictions.getRestrictions(vendorId)) {
      byType[r.restrictionType] = (byType[r.restrictionType] ?? 0) | bitOf(r.purposeId);
    }
    const maskOf = (has: (id: number) => boolean, max: number) =>
      mask(...Array.from({ length: max }, (_, i) => i + 1).filter(has));
    // parseTcf hands the library the string without its restrictions: the rest must not change.
    expect(parseTcf(s, vendorId)).toEqual({
      valid: true,
      purposeConsents: maskOf((id) => model.purposeConsents.has(id), 24),
      purposeLegitimateInterests: maskOf((id) => model.purposeLegitimateInterests.has(id), 24),
      specialFeatureOptins: maskOf((id) => model.specialFeatureOptins.has(id), 12),
      vendorConsent: model.vendorConsents.has(vendorId),
      vendorLegitimateInterest: model.vendorLegitimateInterests.has(vendorId),
      notAllowed: byType[0],
      requireConsent: byType[1],
      requireLegitimateInterest: byType[2],
    });
  });
});
