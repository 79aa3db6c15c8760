import { z } from 'zod';
import { DEFAULT_CACHE_SIZE } from './limits.js';

/** TCF 2.2 defines purposes 1–11. */
const PURPOSE_MAX = 11;

/**
 * Purposes for which TCF 2.2 forbids legitimate interest as the legal basis (1, and 3–6 since
 * policy version 4); a declaration or publisher restriction cannot move them there.
 */
export const CONSENT_ONLY_PURPOSES: readonly number[] = [1, 3, 4, 5, 6];

/** How this platform is registered with the IAB TCF, and what to assume when a request is silent. */
export interface PrivacyConfig {
  /** Our IAB Global Vendor List id. 0: not registered, so no TCF string can consent to us. @default 0 */
  readonly vendorId: number;
  /** Purposes we declare under consent, as in our GVL entry. @default [1, 2, 3, 4, 7] */
  readonly consentPurposes: readonly number[];
  /**
   * Purposes we declare under legitimate interest (never 1, 3–6). A purpose in both lists counts as
   * consent. @default []
   */
  readonly legitimateInterestPurposes: readonly number[];
  /** Declared purposes whose basis a publisher restriction may switch. @default [] */
  readonly flexiblePurposes: readonly number[];
  /**
   * Whether GDPR applies when the request does not say (no `regs.gdpr`, no `regs.ext.gdpr`, no TCF
   * section in `regs.gpp_sid`). `true` errs towards privacy; a deployment serving no EU traffic
   * sets it to `false`. @default true
   */
  readonly gdprDefault: boolean;
  /** Parsed consent strings cached per kind. @default 1024 */
  readonly cacheSize: number;
}

export const DEFAULT_PRIVACY_CONFIG: PrivacyConfig = Object.freeze({
  vendorId: 0,
  consentPurposes: Object.freeze([1, 2, 3, 4, 7]),
  legitimateInterestPurposes: Object.freeze([]),
  flexiblePurposes: Object.freeze([]),
  gdprDefault: true,
  cacheSize: DEFAULT_CACHE_SIZE,
});

const purposeList = (def: readonly number[], allowed: (p: number) => boolean, what: string) =>
  z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
        .map(Number),
    )
    .pipe(
      z.array(
        z
          .number()
          .int()
          .min(1)
          .max(PURPOSE_MAX)
          .refine(allowed, { message: `${what}: not a purpose this basis allows` }),
      ),
    )
    .default([...def]);

/**
 * Environment variables of the privacy policy, as a zod shape to spread into a service's config
 * schema (`z.object({ ...commonEnv, ...privacyEnv })`) and hand to `privacyConfigFromEnv`.
 */
export const privacyEnv = {
  /** Our IAB GVL vendor id. @default 0 (none) */
  PRIVACY_VENDOR_ID: z.coerce.number().int().min(0).max(65_535).default(0),
  /** Comma-separated purposes declared under consent. @default 1,2,3,4,7 */
  PRIVACY_CONSENT_PURPOSES: purposeList(
    DEFAULT_PRIVACY_CONFIG.consentPurposes,
    () => true,
    'consent',
  ),
  /** Comma-separated purposes declared under legitimate interest. @default (none) */
  PRIVACY_LI_PURPOSES: purposeList(
    DEFAULT_PRIVACY_CONFIG.legitimateInterestPurposes,
    (p) => !CONSENT_ONLY_PURPOSES.includes(p),
    'legitimate interest',
  ),
  /** Comma-separated flexible purposes. @default (none) */
  PRIVACY_FLEXIBLE_PURPOSES: purposeList(
    DEFAULT_PRIVACY_CONFIG.flexiblePurposes,
    () => true,
    'flexible',
  ),
  /** GDPR when the request does not say: true/false/1/0. @default true */
  PRIVACY_GDPR_DEFAULT: z
    .enum(['true', 'false', '1', '0'])
    .default('true')
    .transform((v) => v === 'true' || v === '1'),
  /** Parsed consent strings cached per kind. @default 1024 */
  PRIVACY_CACHE_SIZE: z.coerce.number().int().min(0).max(1_000_000).default(DEFAULT_CACHE_SIZE),
};

/** The privacy variables alone, parsed (with `loadConfig` from the adapters package, say). */
export const privacyEnvSchema = z.object(privacyEnv);

/** Parsed privacy variables. */
export type PrivacyEnv = z.infer<typeof privacyEnvSchema>;

/** The policy configuration from parsed environment variables. */
export function privacyConfigFromEnv(env: PrivacyEnv): PrivacyConfig {
  return Object.freeze({
    vendorId: env.PRIVACY_VENDOR_ID,
    consentPurposes: Object.freeze(env.PRIVACY_CONSENT_PURPOSES),
    legitimateInterestPurposes: Object.freeze(env.PRIVACY_LI_PURPOSES),
    flexiblePurposes: Object.freeze(env.PRIVACY_FLEXIBLE_PURPOSES),
    gdprDefault: env.PRIVACY_GDPR_DEFAULT,
    cacheSize: env.PRIVACY_CACHE_SIZE,
  });
}
