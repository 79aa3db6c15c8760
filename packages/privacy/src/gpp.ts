import { GppModel, Sections } from '@iabgpp/cmpapi';
import { BitReader, BitsExhausted } from './bits.js';
import { MAX_CONSENT_LENGTH, MAX_GPP_SECTION_ID, MAX_GPP_SECTIONS } from './limits.js';

/** GPP section ids this package reads (IAB GPP section registry). */
export const GPP_SECTION = {
  tcfEuV2: 2,
  uspV1: 6,
  /** usnat; the state sections follow it, up to `usri` (27). */
  usNat: 7,
  lastUs: 27,
} as const;

/** A US section: `uspv1`, `usnat` or a state section. */
export const isUsSection = (id: number): boolean =>
  id === GPP_SECTION.uspV1 || (id >= GPP_SECTION.usNat && id <= GPP_SECTION.lastUs);

/** What a GPP string says, independent of which sections `regs.gpp_sid` declares in force. */
export interface GppSignal {
  /** `false` for a string that failed to parse: then the lists are empty. */
  readonly valid: boolean;
  /** Sections present in the string. */
  readonly sectionIds: readonly number[];
  /**
   * US sections whose user opted out of sale, sharing or targeted advertising, or that carry a
   * Global Privacy Control signal (`Gpc`), which these laws treat as an opt-out.
   */
  readonly usOptOutSections: readonly number[];
  /** The TCF EU v2 section as a TCF string, when present. */
  readonly tcfEuV2: string | undefined;
}

export const MALFORMED_GPP: GppSignal = Object.freeze({
  valid: false,
  sectionIds: Object.freeze([]),
  usOptOutSections: Object.freeze([]),
  tcfEuV2: undefined,
});

const MAX_FIBONACCI_BITS = 20;

/** One Fibonacci-coded integer (Zeckendorf bits from F(2)=1 upward, ended by an extra 1). */
function fibonacci(r: BitReader): number {
  let a = 1;
  let b = 2;
  let value = 0;
  let prev = 0;
  for (let n = 0; n < MAX_FIBONACCI_BITS; n++) {
    const bit = r.bit();
    if (bit === 1 && prev === 1) return value;
    if (bit === 1) value += a;
    prev = bit;
    [a, b] = [b, a + b];
  }
  return Number.POSITIVE_INFINITY;
}

/*
 * GPP header (HeaderV1): Type 6 (= 3) | Version 6 (= 1) | SectionIds as a Fibonacci integer
 * range: NumEntries 12, each IsRange 1 | start (| end), every value coded as the difference to the
 * previous one.
 */
/** The section ids a GPP header declares, or `undefined` when it is not one we let through. */
export function guardGppHeader(header: string): number[] | undefined {
  try {
    const r = new BitReader(header);
    if (r.int(6) !== 3 || r.int(6) !== 1) return undefined;
    const entries = r.int(12);
    if (entries > MAX_GPP_SECTIONS) return undefined;
    const ids: number[] = [];
    let offset = 0;
    for (let i = 0; i < entries; i++) {
      const isRange = r.bit() === 1;
      const start = fibonacci(r) + offset;
      offset = start;
      const end = isRange ? fibonacci(r) + offset : start;
      offset = end;
      if (end > MAX_GPP_SECTION_ID) return undefined;
      for (let id = start; id <= end; id++) ids.push(id);
      if (ids.length > MAX_GPP_SECTIONS) return undefined;
    }
    return ids;
  } catch (e) {
    if (e instanceof BitsExhausted) return undefined;
    throw e;
  }
}

const OPT_OUT_FIELDS = ['SaleOptOut', 'SharingOptOut', 'TargetedAdvertisingOptOut'] as const;

/** Whether a decoded US section says "opted out" (field value 1, or uspv1 `OptOutSale` 'Y'). */
function optsOut(id: number, section: Record<string, unknown>): boolean {
  if (id === GPP_SECTION.uspV1) return section['OptOutSale'] === 'Y';
  if (section['Gpc'] === true) return true;
  return OPT_OUT_FIELDS.some((f) => section[f] === 1);
}

/**
 * Parses a GPP string. The header is decoded by `guardGppHeader` (the library's own header decoder
 * is what a hostile string exhausts the heap with); each US section in it is decoded by
 * `@iabgpp/cmpapi`'s `GppModel` (`decodeSection`, `getSection`), and the TCF EU section is
 * returned as text for the TCF parser, unread, so the library never builds its model of it. Never
 * throws: a string over `MAX_CONSENT_LENGTH`, whose header is implausible or does not match its
 * sections, or that the library rejects is `MALFORMED_GPP`.
 */
export function parseGpp(gpp: string): GppSignal {
  if (gpp.length === 0 || gpp.length > MAX_CONSENT_LENGTH) return MALFORMED_GPP;
  const parts = gpp.split('~');
  const sectionIds = guardGppHeader(parts[0] ?? '');
  // As GppModel requires: one non-blank section per id in the header.
  if (sectionIds === undefined || sectionIds.length !== parts.length - 1) return MALFORMED_GPP;
  if (parts.some((p) => p.trim() === '')) return MALFORMED_GPP;
  try {
    const model = new GppModel();
    const usOptOutSections: number[] = [];
    let tcfEuV2: string | undefined;
    for (let i = 0; i < sectionIds.length; i++) {
      const id = sectionIds[i] ?? 0;
      const text = parts[i + 1] ?? '';
      if (id === GPP_SECTION.tcfEuV2) tcfEuV2 = text;
      else if (isUsSection(id)) {
        const name = Sections.SECTION_ID_NAME_MAP.get(id);
        if (name === undefined) return MALFORMED_GPP;
        model.decodeSection(name, text);
        const section: unknown = model.getSection(name);
        if (typeof section !== 'object' || section === null) return MALFORMED_GPP;
        if (optsOut(id, section as Record<string, unknown>)) usOptOutSections.push(id);
      }
    }
    return Object.freeze({
      valid: true,
      sectionIds: Object.freeze(sectionIds),
      usOptOutSections: Object.freeze(usOptOutSections),
      tcfEuV2,
    });
  } catch {
    // DecodingError, InvalidFieldError and plain TypeErrors alike.
    return MALFORMED_GPP;
  }
}
