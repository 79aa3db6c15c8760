import type { ClickEvent } from '@streambid/contracts';

/**
 * A tracker's click with every optional field set (but `test`), from a data-centre address: the
 * starting point the decoder tests vary one field at a time.
 */
export const FULL_CLICK: ClickEvent = {
  eventId: 'c-1',
  ts: 1_700_000_000_123,
  region: 'eu',
  bidId: 'b-1',
  campaignId: 'camp-1',
  creativeId: 'cr-1',
  impressionTs: 1_699_999_990_000,
  privacy: { basis: 'gdpr_no_measurement', p: 383 },
  userId: 'u-1',
  ip: '3.80.0.9',
  ua: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0',
  siteDomain: 'example.com',
  appBundle: 'com.example',
  publisherId: 'pub-1',
  placement: 'top',
  country: 'DEU',
  deviceType: 2,
};

/**
 * Strings at the edges of a click's coded fields: empty, one character, a country code and one
 * letter more, each region and a region in the wrong case.
 */
export const CODE_PROBES: readonly string[] = ['', 'x', 'DEU', 'DEUT', 'eu', 'us', 'ap', 'EU'];

/**
 * A click's `privacy` at and past the schema's bounds, with legal basis `basis`: permission bits
 * 0, 0xffff and one more; an empty and a 33-character basis; the bits missing.
 */
export function privacyProbes(basis: string): unknown[] {
  return [
    { basis, p: 0 },
    { basis, p: 0xffff },
    { basis, p: 0x10000 },
    { basis: '', p: 1 },
    { basis: 'a'.repeat(33), p: 1 },
    { basis },
  ];
}
