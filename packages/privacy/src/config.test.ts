import { describe, expect, it } from 'vitest';
import { DEFAULT_PRIVACY_CONFIG, privacyConfigFromEnv, privacyEnvSchema } from './config.js';

describe('privacy configuration from the environment', () => {
  it('falls back to the defaults when no variable is set', () => {
    expect(privacyConfigFromEnv(privacyEnvSchema.parse({}))).toEqual(DEFAULT_PRIVACY_CONFIG);
  });

  it('reads the vendor id, purpose lists and GDPR default', () => {
    const env = privacyEnvSchema.parse({
      PRIVACY_VENDOR_ID: '4242',
      PRIVACY_CONSENT_PURPOSES: '1, 3,4',
      PRIVACY_LI_PURPOSES: '2,7',
      PRIVACY_FLEXIBLE_PURPOSES: '2',
      PRIVACY_GDPR_DEFAULT: 'false',
      PRIVACY_CACHE_SIZE: '64',
    });
    expect(privacyConfigFromEnv(env)).toEqual({
      vendorId: 4242,
      consentPurposes: [1, 3, 4],
      legitimateInterestPurposes: [2, 7],
      flexiblePurposes: [2],
      gdprDefault: false,
      cacheSize: 64,
    });
  });

  it.each([
    ['PRIVACY_LI_PURPOSES', '3'],
    ['PRIVACY_CONSENT_PURPOSES', '12'],
    ['PRIVACY_CONSENT_PURPOSES', '1,x'],
    ['PRIVACY_VENDOR_ID', '-1'],
    ['PRIVACY_GDPR_DEFAULT', 'yes'],
  ])('refuses %s=%s and names the variable', (name, value) => {
    const res = privacyEnvSchema.safeParse({ [name]: value });
    expect(res.success).toBe(false);
    expect(res.error?.issues[0]?.path[0]).toBe(name);
  });
});
