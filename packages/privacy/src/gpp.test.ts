import { fc, test } from '@fast-check/vitest';
import { GppModel, Sections } from '@iabgpp/cmpapi';
import { describe, expect, it } from 'vitest';
import { guardGppHeader, MALFORMED_GPP, parseGpp } from './gpp.js';
import { MAX_CONSENT_LENGTH } from './limits.js';
import { encodeGpp, encodeTcf, FULL_CONSENT } from './testing/encode.js';
import { base64url, rawGppHeader } from './testing/raw.js';

describe('parseGpp', () => {
  it('lists the sections and the US sections that opt out, from a string GppModel encoded', () => {
    const gpp = encodeGpp({
      usnat: { SaleOptOutNotice: 1, SaleOptOut: 1 },
      usca: { SaleOptOut: 2, SharingOptOut: 2 },
      uspv1: { Notice: 'Y', OptOutSale: 'N', LspaCovered: 'N' },
    });
    expect(parseGpp(gpp)).toEqual({
      valid: true,
      sectionIds: [6, 7, 8],
      usOptOutSections: [7],
      tcfEuV2: undefined,
    });
  });

  it('hands the TCF EU section back as a TCF string', () => {
    const tcf = encodeTcf(FULL_CONSENT);
    const parsed = parseGpp(encodeGpp({}, { tcfeuv2: tcf }));
    expect(parsed.sectionIds).toEqual([2]);
    expect(parsed.tcfEuV2?.split('.')[0]).toBe(tcf.split('.')[0]);
  });

  it('reads the sample string exchanges send (TCF EU and uspv1)', () => {
    const parsed = parseGpp('DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN');
    expect(parsed).toMatchObject({ valid: true, sectionIds: [2, 6], usOptOutSections: [] });
    expect(parsed.tcfEuV2).toBe('CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA');
  });

  it('treats garbage, a bare TCF string and a header that does not match its sections as malformed', () => {
    const valid = encodeGpp({ usnat: { SaleOptOut: 1 } });
    for (const s of [
      '',
      'hello',
      encodeTcf(FULL_CONSENT),
      `${valid}~${valid}`,
      valid.replace('~', '~~'),
      `DBABL~${'/'.repeat(8)}`,
    ]) {
      expect(parseGpp(s)).toBe(MALFORMED_GPP);
    }
  });

  it('treats a string over MAX_CONSENT_LENGTH as malformed without parsing it', () => {
    const valid = encodeGpp({ usnat: { SaleOptOut: 1 } });
    expect(parseGpp(valid + 'A'.repeat(MAX_CONSENT_LENGTH))).toBe(MALFORMED_GPP);
  });

  it('refuses a header whose section range the library would expand until the heap runs out', () => {
    // An 11-character header declaring sections 1 to 9,227,466: 0.8 s in GppModel here; a
    // slightly larger range ends the process (V8 heap exhausted), which no try/catch can stop.
    const bomb = rawGppHeader(1, 9_227_466);
    expect(bomb.length).toBeLessThanOrEqual(12);
    expect(guardGppHeader(bomb)).toBeUndefined();
    expect(parseGpp(`${bomb}~BVVqAAEABA`)).toBe(MALFORMED_GPP);
    // A run of zero bits is a Fibonacci code that never ends: refused as well.
    expect(
      guardGppHeader(base64url(`000011000001${'000000000001'}1${'0'.repeat(200)}`)),
    ).toBeUndefined();
  });

  it('lets an honest header through the guard', () => {
    expect(guardGppHeader(rawGppHeader(7, 8))).toEqual([7, 8]);
    expect(guardGppHeader('DBACNYA')).toEqual([2, 6]);
  });

  const usSections = [...Sections.SECTION_ID_NAME_MAP.entries()].filter(([id]) => id >= 7);

  test.prop(
    [
      fc.uniqueArray(fc.constantFrom(...usSections), { selector: ([id]) => id, maxLength: 5 }),
      fc.array(fc.constantFrom(0, 1, 2), { minLength: 5, maxLength: 5 }),
      fc.boolean(),
    ],
    { numRuns: 200 },
  )(
    'agrees with GppModel on the sections and finds exactly the opt-outs encoded',
    (sections, values, usp) => {
      const fields: Record<string, Record<string, unknown>> = {};
      sections.forEach(([, name], i) => (fields[name] = { SaleOptOut: values[i] ?? 0 }));
      if (usp)
        fields['uspv1'] = {
          Notice: 'Y',
          OptOutSale: values[0] === 1 ? 'Y' : 'N',
          LspaCovered: 'N',
        };
      const gpp = encodeGpp(fields);
      const parsed = parseGpp(gpp);
      expect(parsed.sectionIds).toEqual(new GppModel(gpp).getSectionIds());
      const optOuts = sections.filter((_, i) => values[i] === 1).map(([id]) => id);
      if (usp && values[0] === 1) optOuts.push(6);
      expect([...parsed.usOptOutSections].sort((a, b) => a - b)).toEqual(
        optOuts.sort((a, b) => a - b),
      );
    },
  );
});
