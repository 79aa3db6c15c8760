import { TCString, type TCModel, type Vector } from '@iabtcf/core';
import { MAX_CONSENT_LENGTH } from './limits.js';
import { scanTcf } from './tcf-guard.js';

/**
 * What a TCF v2 string says about one vendor (ours), reduced to bitmasks: bit `id - 1` stands for
 * purpose (or special feature) `id`. Plain data, so it can be cached, compared and generated.
 */
export interface TcfSignal {
  /** `false` for a string that failed to parse: then every other field is empty. */
  readonly valid: boolean;
  /** Purposes the user consented to (global, any vendor). */
  readonly purposeConsents: number;
  /** Purposes the user did not object to under legitimate interest. */
  readonly purposeLegitimateInterests: number;
  /** Special features opted in (1: precise geolocation, 2: device scanning). */
  readonly specialFeatureOptins: number;
  /** Our vendor id has the user's consent. */
  readonly vendorConsent: boolean;
  /** Our vendor id may rely on legitimate interest (no objection). */
  readonly vendorLegitimateInterest: boolean;
  /** Purposes the publisher forbids to our vendor (restriction type 0). */
  readonly notAllowed: number;
  /** Purposes the publisher moves to consent for our vendor (restriction type 1). */
  readonly requireConsent: number;
  /** Purposes the publisher moves to legitimate interest for our vendor (restriction type 2). */
  readonly requireLegitimateInterest: number;
}

/** A string that is absent, too long or undecodable grants nothing. */
export const MALFORMED_TCF: TcfSignal = Object.freeze({
  valid: false,
  purposeConsents: 0,
  purposeLegitimateInterests: 0,
  specialFeatureOptins: 0,
  vendorConsent: false,
  vendorLegitimateInterest: false,
  notAllowed: 0,
  requireConsent: 0,
  requireLegitimateInterest: 0,
});

/** Bit for a 1-based purpose or special-feature id. */
export const bitOf = (id: number): number => 2 ** (id - 1);

function maskOf(vector: Vector, maxId: number): number {
  let mask = 0;
  for (let id = 1; id <= maxId; id++) if (vector.has(id)) mask |= bitOf(id);
  return mask;
}

function signalOf(
  model: TCModel,
  vendorId: number,
  restrictions: Pick<TcfSignal, 'notAllowed' | 'requireConsent' | 'requireLegitimateInterest'>,
): TcfSignal {
  return Object.freeze({
    valid: true,
    purposeConsents: maskOf(model.purposeConsents, 24),
    purposeLegitimateInterests: maskOf(model.purposeLegitimateInterests, 24),
    specialFeatureOptins: maskOf(model.specialFeatureOptins, 12),
    vendorConsent: vendorId > 0 && model.vendorConsents.has(vendorId),
    vendorLegitimateInterest: vendorId > 0 && model.vendorLegitimateInterests.has(vendorId),
    notAllowed: restrictions.notAllowed,
    requireConsent: restrictions.requireConsent,
    requireLegitimateInterest: restrictions.requireLegitimateInterest,
  });
}

/**
 * Parses a TCF v2 string with `@iabtcf/core` and keeps what it says about `vendorId`; the
 * publisher restrictions come from `scanTcf`, which walks the string first. Never throws: a string
 * over `MAX_CONSENT_LENGTH`, of another version, whose ranges would expand too far, or that the
 * library rejects is `MALFORMED_TCF`.
 */
export function parseTcf(tcString: string, vendorId: number): TcfSignal {
  if (tcString.length === 0 || tcString.length > MAX_CONSENT_LENGTH) return MALFORMED_TCF;
  const scan = scanTcf(tcString, vendorId);
  if (!scan.ok) return MALFORMED_TCF;
  try {
    const model = TCString.decode(scan.forLibrary);
    if (Number(model.version) !== 2) return MALFORMED_TCF;
    return signalOf(model, vendorId, scan);
  } catch {
    // The library throws DecodingError, TypeError and RangeError alike on bad input.
    return MALFORMED_TCF;
  }
}
