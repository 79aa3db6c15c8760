import { GVL, PurposeRestriction, TCModel, TCString } from '@iabtcf/core';
import { GppModel } from '@iabgpp/cmpapi';
import { OUR_VENDOR, VENDOR_LIST } from './vendor-list.js';

/** What a user chose in a CMP, for `encodeTcf`. */
export interface TcfChoices {
  readonly purposeConsents?: readonly number[];
  readonly purposeLegitimateInterests?: readonly number[];
  readonly vendorConsents?: readonly number[];
  readonly vendorLegitimateInterests?: readonly number[];
  readonly specialFeatureOptins?: readonly number[];
  /** Publisher restrictions on our vendor: purpose and type (0 not allowed, 1 consent, 2 LI). */
  readonly restrictions?: readonly { readonly purpose: number; readonly type: 0 | 1 | 2 }[];
  /** Seconds after 2026-12-01 the string was made; varies the string without changing meaning. */
  readonly createdOffsetS?: number;
}

let gvl: GVL | undefined;

/** The test GVL, built once from the inline vendor list (no network). */
function testGvl(): GVL {
  gvl ??= new GVL(VENDOR_LIST as unknown as ConstructorParameters<typeof GVL>[0]);
  return gvl;
}

/** A TCF v2.2 string encoded by `@iabtcf/core` itself. */
export function encodeTcf(choices: TcfChoices): string {
  const model = new TCModel(testGvl());
  model.cmpId = 7;
  model.cmpVersion = 1;
  model.isServiceSpecific = true;
  model.publisherCountryCode = 'DE';
  const created = new Date(Date.UTC(2026, 11, 1) + (choices.createdOffsetS ?? 0) * 1000);
  model.created = created;
  model.lastUpdated = created;
  model.purposeConsents.set([...(choices.purposeConsents ?? [])]);
  model.purposeLegitimateInterests.set([...(choices.purposeLegitimateInterests ?? [])]);
  model.vendorConsents.set([...(choices.vendorConsents ?? [])]);
  model.vendorLegitimateInterests.set([...(choices.vendorLegitimateInterests ?? [])]);
  model.specialFeatureOptins.set([...(choices.specialFeatureOptins ?? [])]);
  for (const r of choices.restrictions ?? []) {
    model.publisherRestrictions.add(OUR_VENDOR, new PurposeRestriction(r.purpose, r.type));
  }
  return TCString.encode(model);
}

/** Everything granted to our vendor: purposes 1–11 by consent and LI, special feature 1. */
export const FULL_CONSENT: TcfChoices = {
  purposeConsents: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11],
  purposeLegitimateInterests: [2, 7, 8, 9, 10, 11],
  vendorConsents: [OUR_VENDOR],
  vendorLegitimateInterests: [OUR_VENDOR],
  specialFeatureOptins: [1],
};

/**
 * A GPP string encoded by `@iabgpp/cmpapi`'s `GppModel`: section name → field → value, plus
 * encoded sections to carry as they are (`{ tcfeuv2: encodeTcf(...) }`).
 */
export function encodeGpp(
  sections: Record<string, Record<string, unknown>>,
  encoded: Record<string, string> = {},
): string {
  const model = new GppModel();
  for (const [section, text] of Object.entries(encoded)) model.decodeSection(section, text);
  for (const [section, fields] of Object.entries(sections)) {
    for (const [field, value] of Object.entries(fields)) model.setFieldValue(section, field, value);
  }
  return model.encode();
}
