import { DEFAULT_PRIVACY_CONFIG, type PrivacyConfig } from '../config.js';
import type { Signals } from '../signals.js';
import { OUR_VENDOR } from './vendor-list.js';

/** Our GVL declaration in the test vendor list: consent 1, 3, 4; flexible LI 2, 7. */
export const TEST_CONFIG: PrivacyConfig = {
  ...DEFAULT_PRIVACY_CONFIG,
  vendorId: OUR_VENDOR,
  consentPurposes: [1, 3, 4],
  legitimateInterestPurposes: [2, 7],
  flexiblePurposes: [2, 7],
};

/** Signals of a request that carries none: no regulation applies. */
export const NO_SIGNALS: Signals = {
  gdpr: false,
  tcf: undefined,
  coppa: false,
  usOptOut: false,
  lmt: false,
  dnt: false,
  atts: undefined,
};
