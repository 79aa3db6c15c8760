/**
 * A Global Vendor List small enough to read: the eleven TCF 2.2 purposes, the special features,
 * our test vendor and one other. Enough for `@iabtcf/core` to encode strings offline.
 */

/** Our vendor id in these tests. */
export const OUR_VENDOR = 4242;
/** Another vendor, to prove a consent for someone else is not one for us. */
export const OTHER_VENDOR = 10;

const described = (ids: number[], kind: string) =>
  Object.fromEntries(
    ids.map((id) => [
      String(id),
      {
        id,
        name: `${kind} ${String(id)}`,
        description: `${kind} ${String(id)}`,
        illustrations: [],
      },
    ]),
  );

const vendor = (id: number, declared: Record<string, number[]>) => ({
  id,
  name: `vendor ${String(id)}`,
  purposes: [],
  legIntPurposes: [],
  flexiblePurposes: [],
  specialPurposes: [],
  features: [],
  specialFeatures: [],
  ...declared,
  cookieMaxAgeSeconds: 31_536_000,
  usesCookies: true,
  cookieRefresh: false,
  usesNonCookieAccess: false,
  dataRetention: { stdRetention: 365, purposes: {}, specialPurposes: {} },
  dataDeclaration: [],
  urls: [
    { langId: 'en', privacy: 'https://example.com/privacy', legIntClaim: 'https://example.com/li' },
  ],
});

/** Vendor-list JSON as the IAB publishes it (`vendor-list.json`, specification version 3). */
export const VENDOR_LIST = {
  gvlSpecificationVersion: 3,
  vendorListVersion: 120,
  tcfPolicyVersion: 5,
  lastUpdated: '2026-11-26T16:00:00Z',
  purposes: described([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], 'purpose'),
  specialPurposes: described([1, 2, 3], 'special purpose'),
  features: described([1, 2, 3], 'feature'),
  specialFeatures: described([1, 2], 'special feature'),
  stacks: {},
  dataCategories: {},
  vendors: {
    // Consent for 1, 3, 4; legitimate interest for 2 and 7, both flexible: every path testable.
    [String(OUR_VENDOR)]: vendor(OUR_VENDOR, {
      purposes: [1, 3, 4],
      legIntPurposes: [2, 7],
      flexiblePurposes: [2, 7],
      specialPurposes: [1],
      specialFeatures: [1],
    }),
    [String(OTHER_VENDOR)]: vendor(OTHER_VENDOR, {
      purposes: [1, 2, 3, 4, 7],
      specialFeatures: [1],
    }),
  },
};
