import { BitReader, BitsExhausted } from './bits.js';
import { MAX_TCF_RANGE_IDS } from './limits.js';

/*
 * TCF v2 core segment, as the IAB "Consent string and vendor list formats v2" lays it out:
 *   Version 6 | Created 36 | LastUpdated 36 | CmpId 12 | CmpVersion 12 | ConsentScreen 6 |
 *   ConsentLanguage 12 | VendorListVersion 12 | TcfPolicyVersion 6 | IsServiceSpecific 1 |
 *   UseNonStandardTexts 1 | SpecialFeatureOptIns 12 | PurposesConsent 24 |
 *   PurposesLITransparency 24 | PurposeOneTreatment 1 | PublisherCC 12 |
 *   VendorConsents (vendor vector) | VendorLegitimateInterests (vendor vector) |
 *   NumPubRestrictions 12, each: PurposeId 6 | RestrictionType 2 | NumEntries 12 | range entries
 * vendor vector: MaxVendorId 16 | IsRangeEncoding 1 | (NumEntries 12 | range entries) or a
 *   bitfield of MaxVendorId bits
 * range entry: IsARange 1 | StartOrOnlyVendorId 16 | (EndVendorId 16 when IsARange)
 * Other segments start with SegmentType 3: 1 disclosed vendors and 2 allowed vendors (a vendor
 * vector each), 3 publisher purposes (fixed-size bitfields, no ranges).
 */
const CORE_FIXED_BITS = 213;
const VENDOR_ID_BITS = 16;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** What a TCF string says before `@iabtcf/core` sees it, or why it is refused. */
export type TcfScan =
  | {
      readonly ok: false;
      readonly reason: 'not_v2' | 'truncated' | 'too_many_ids' | 'bad_restriction';
    }
  | {
      readonly ok: true;
      /** The string for the library: publisher restrictions removed when there were any. */
      readonly forLibrary: string;
      /** Purposes (bit `id - 1`) restricted for the vendor: type 0, 1 and 2. */
      readonly notAllowed: number;
      readonly requireConsent: number;
      readonly requireLegitimateInterest: number;
    };

/** Sums the ids that range entries would expand to, without expanding them. */
function rangeIds(r: BitReader): number {
  const n = r.int(12);
  let ids = 0;
  for (let i = 0; i < n; i++) {
    const isRange = r.bit() === 1;
    const start = r.int(VENDOR_ID_BITS);
    if (isRange) {
      const end = r.int(VENDOR_ID_BITS);
      ids += end >= start ? end - start + 1 : 0;
    } else ids += 1;
  }
  return ids;
}

function vendorVector(r: BitReader): number {
  const maxId = r.int(VENDOR_ID_BITS);
  if (r.bit() === 1) return rangeIds(r);
  r.skip(maxId);
  return 0;
}

/** The core segment cut at bit `at`, followed by NumPubRestrictions = 0. */
function withoutRestrictions(core: string, r: BitReader, at: number): string {
  const whole = Math.floor(at / 6);
  r.pos = whole * 6;
  let bits = '';
  for (let i = whole * 6; i < at; i++) bits += String(r.bit());
  bits += '000000000000';
  while (bits.length % 6 !== 0) bits += '0';
  let tail = '';
  for (let i = 0; i < bits.length; i += 6) tail += ALPHABET[parseInt(bits.slice(i, i + 6), 2)];
  return core.slice(0, whole) + tail;
}

/**
 * Walks a TCF string before `@iabtcf/core` decodes it, in time linear in its length: version 2
 * only, every segment long enough for what it declares, vendor ranges that expand to at most
 * `MAX_TCF_RANGE_IDS` ids. The publisher restrictions are read here, for `vendorId` only, and cut
 * from the string the library gets: the library files each restricted vendor into an unbalanced
 * tree, quadratic in the range (1,500 ids 6.6 ms, 16,384 ids 0.94 s, so 1–65535 ~15 s). A
 * restriction the library would reject (purpose 0, type 3, a range that ends before it starts)
 * refuses the string, as the library would.
 */
export function scanTcf(tcString: string, vendorId: number): TcfScan {
  const segments = tcString.split('.');
  let vendorIds = 0;
  let notAllowed = 0;
  let requireConsent = 0;
  let requireLegitimateInterest = 0;
  let forLibrary = tcString;
  try {
    for (let s = 0; s < segments.length; s++) {
      const segment = segments[s] ?? '';
      const r = new BitReader(segment);
      if (s === 0) {
        if (r.int(6) !== 2) return { ok: false, reason: 'not_v2' };
        r.skip(CORE_FIXED_BITS - 6);
        vendorIds += vendorVector(r);
        vendorIds += vendorVector(r);
        const restrictionsAt = r.pos;
        const restrictions = r.int(12);
        for (let i = 0; i < restrictions; i++) {
          const purpose = r.int(6);
          const type = r.int(2);
          const entries = r.int(12);
          if (entries > 0 && (purpose === 0 || type === 3)) {
            return { ok: false, reason: 'bad_restriction' };
          }
          let applies = false;
          for (let e = 0; e < entries; e++) {
            const isRange = r.bit() === 1;
            const start = r.int(VENDOR_ID_BITS);
            const end = isRange ? r.int(VENDOR_ID_BITS) : start;
            if (end < start) return { ok: false, reason: 'bad_restriction' };
            if (vendorId >= start && vendorId <= end) applies = true;
          }
          if (applies && purpose <= 24) {
            const bit = 2 ** (purpose - 1);
            if (type === 0) notAllowed |= bit;
            else if (type === 1) requireConsent |= bit;
            else requireLegitimateInterest |= bit;
          }
        }
        if (restrictions > 0) {
          const core = withoutRestrictions(segment, r, restrictionsAt);
          forLibrary = [core, ...segments.slice(1)].join('.');
        }
      } else {
        const type = r.int(3);
        if (type === 1 || type === 2) vendorIds += vendorVector(r);
      }
      if (vendorIds > MAX_TCF_RANGE_IDS) return { ok: false, reason: 'too_many_ids' };
    }
  } catch (e) {
    if (e instanceof BitsExhausted) return { ok: false, reason: 'truncated' };
    throw e;
  }
  return { ok: true, forLibrary, notAllowed, requireConsent, requireLegitimateInterest };
}
