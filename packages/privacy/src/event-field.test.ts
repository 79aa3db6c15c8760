import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVACY_CONFIG } from './config.js';
import { PERMISSION_BITS, permissionsOf, privacyField, privacyFieldSchema } from './event-field.js';
import { decide } from './policy.js';
import { NO_SIGNALS } from './testing/fixtures.js';

const OPEN = NO_SIGNALS;

describe('privacyField', () => {
  it('records the rule and every permission as one integer', () => {
    expect(privacyField(decide(OPEN, DEFAULT_PRIVACY_CONFIG))).toEqual({ basis: 'none', p: 511 });
    const coppa = privacyField(decide({ ...OPEN, coppa: true }, DEFAULT_PRIVACY_CONFIG));
    expect(coppa).toEqual({
      basis: 'coppa',
      p: PERMISSION_BITS.measurement | PERMISSION_BITS.ipTruncated,
    });
    expect(privacyFieldSchema.parse(coppa)).toEqual(coppa);
  });

  it('decodes back to the permissions it was built from', () => {
    for (const signals of [
      OPEN,
      { ...OPEN, coppa: true },
      { ...OPEN, usOptOut: true, lmt: true },
      { ...OPEN, gdpr: true },
    ]) {
      const d = decide(signals, DEFAULT_PRIVACY_CONFIG);
      expect(permissionsOf(privacyField(d).p)).toEqual(d.permissions);
    }
  });

  it('rejects a field naming an unknown rule', () => {
    expect(privacyFieldSchema.safeParse({ basis: 'gdpr', p: 1 }).success).toBe(false);
  });
});
