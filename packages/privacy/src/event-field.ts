import { z } from 'zod';
import { PERMISSION_FLAGS, RULES, type Decision, type Permissions } from './policy.js';

/** Bit of each permission in `PrivacyField.p`; stored data, so bits are never renumbered. */
export const PERMISSION_BITS = {
  profileRead: 1,
  profileWrite: 2,
  personalised: 4,
  frequencyCapByCookie: 8,
  userIdsInEvents: 16,
  deviceIdsInEvents: 32,
  ifa: 64,
  preciseGeo: 128,
  measurement: 256,
  /** Set when `ipTruncation` is 'coppa'. */
  ipTruncated: 512,
} as const;

/** The basis an event was stored under: the deciding rule and the permissions as bits. */
export interface PrivacyField {
  readonly basis: (typeof RULES)[number];
  readonly p: number;
}

/** Validates a `privacy` field read back from an event stream. */
export const privacyFieldSchema = z.object({
  basis: z.enum(RULES),
  p: z.number().int().min(0).max(1023),
});

/** The compact `privacy` field of an event, e.g. `{ basis: 'gdpr_no_precise_geo', p: 383 }`. */
export function privacyField(decision: Decision): PrivacyField {
  const perms = decision.permissions;
  let p = perms.ipTruncation === 'coppa' ? PERMISSION_BITS.ipTruncated : 0;
  for (const f of PERMISSION_FLAGS) if (perms[f]) p |= PERMISSION_BITS[f];
  return { basis: decision.rule, p };
}

/** The permissions an event's `p` bits stand for (replays, reports). */
export function permissionsOf(p: number): Permissions {
  const has = (bit: number): boolean => (p & bit) !== 0;
  return {
    profileRead: has(PERMISSION_BITS.profileRead),
    profileWrite: has(PERMISSION_BITS.profileWrite),
    personalised: has(PERMISSION_BITS.personalised),
    frequencyCapByCookie: has(PERMISSION_BITS.frequencyCapByCookie),
    userIdsInEvents: has(PERMISSION_BITS.userIdsInEvents),
    deviceIdsInEvents: has(PERMISSION_BITS.deviceIdsInEvents),
    ifa: has(PERMISSION_BITS.ifa),
    preciseGeo: has(PERMISSION_BITS.preciseGeo),
    measurement: has(PERMISSION_BITS.measurement),
    ipTruncation: has(PERMISSION_BITS.ipTruncated) ? 'coppa' : 'none',
  };
}
