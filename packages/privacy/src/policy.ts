import { CONSENT_ONLY_PURPOSES, type PrivacyConfig } from './config.js';
import type { Signals } from './signals.js';
import { bitOf, type TcfSignal } from './tcf.js';

/**
 * The rules of the policy, most restrictive first. A decision names the first that applied; its
 * permissions are what every applying rule left. `gdpr_consent` and `none` remove nothing.
 */
export const RULES = [
  'coppa',
  'gdpr_no_consent',
  'gdpr_no_storage',
  'gdpr_no_personalisation',
  'us_optout',
  'gdpr_no_measurement',
  'gdpr_no_precise_geo',
  'no_ifa',
  'gdpr_consent',
  'none',
] as const;

export type Rule = (typeof RULES)[number];

/** What the platform may do with one request's user. */
export interface Permissions {
  /** Read the user's profile (profile store). */
  readonly profileRead: boolean;
  /** Write or update the user's profile (profile builder). */
  readonly profileWrite: boolean;
  /** Bid with campaigns that target segments; without it only untargeted campaigns bid. */
  readonly personalised: boolean;
  /** Frequency caps keyed by a cookie or user id. */
  readonly frequencyCapByCookie: boolean;
  /** `user.id`, `buyeruid` and other user ids in events. */
  readonly userIdsInEvents: boolean;
  /** IFA and other device ids in events. */
  readonly deviceIdsInEvents: boolean;
  /** Use the IFA (`device.ifa`) for bidding or capping. */
  readonly ifa: boolean;
  /** Keep `geo.lat`/`geo.lon`. */
  readonly preciseGeo: boolean;
  /** Measurement fields in events; without it an event keeps what billing needs. */
  readonly measurement: boolean;
  /** 'coppa': IPv4 to /24 and IPv6 to /48 everywhere (`truncateIp`). */
  readonly ipTruncation: 'none' | 'coppa';
}

/** The outcome of `decide`. */
export interface Decision {
  readonly rule: Rule;
  readonly permissions: Permissions;
}

/** The boolean permissions, in a fixed order (everything in `Permissions` but `ipTruncation`). */
export const PERMISSION_FLAGS = [
  'profileRead',
  'profileWrite',
  'personalised',
  'frequencyCapByCookie',
  'userIdsInEvents',
  'deviceIdsInEvents',
  'ifa',
  'preciseGeo',
  'measurement',
] as const satisfies readonly (keyof Permissions)[];

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The decision outside every privacy rule (`none`): what a request without signals allows. */
export const UNRESTRICTED: Decision = Object.freeze({
  rule: 'none',
  permissions: Object.freeze({
    profileRead: true,
    profileWrite: true,
    personalised: true,
    frequencyCapByCookie: true,
    userIdsInEvents: true,
    deviceIdsInEvents: true,
    ifa: true,
    preciseGeo: true,
    measurement: true,
    ipTruncation: 'none',
  }),
});

const everything = (): Mutable<Permissions> => ({ ...UNRESTRICTED.permissions });

/** The declared purposes of a config as bitmasks, computed once per config object. */
interface Declared {
  readonly consent: number;
  readonly li: number;
  readonly flexible: number;
}
const declaredOf = new WeakMap<PrivacyConfig, Declared>();
const CONSENT_ONLY = CONSENT_ONLY_PURPOSES.reduce((m, p) => m | bitOf(p), 0);
const maskOf = (purposes: readonly number[]): number =>
  purposes.reduce((m, p) => (p >= 1 && p <= 24 ? m | bitOf(p) : m), 0);

function declared(config: PrivacyConfig): Declared {
  let d = declaredOf.get(config);
  if (d === undefined) {
    d = {
      consent: maskOf(config.consentPurposes),
      li: maskOf(config.legitimateInterestPurposes),
      flexible: maskOf(config.flexiblePurposes),
    };
    declaredOf.set(config, d);
  }
  return d;
}

/**
 * Whether our vendor has a legal basis for `purpose`: the basis we declare (consent first), moved
 * by a publisher restriction when the purpose is flexible, then the user's signal for that basis
 * and for our vendor. Legitimate interest never covers purposes 1 and 3–6.
 */
export function purposeAllowed(tcf: TcfSignal, config: PrivacyConfig, purpose: number): boolean {
  const bit = bitOf(purpose);
  if (!tcf.valid || (tcf.notAllowed & bit) !== 0) return false;
  const d = declared(config);
  const liPossible = (CONSENT_ONLY & bit) === 0;
  let basis: 'consent' | 'li' | undefined =
    (d.consent & bit) !== 0 ? 'consent' : (d.li & bit) !== 0 ? 'li' : undefined;
  if (basis !== undefined && (d.flexible & bit) !== 0) {
    if (basis === 'li' && (tcf.requireConsent & bit) !== 0) basis = 'consent';
    else if (basis === 'consent' && liPossible && (tcf.requireLegitimateInterest & bit) !== 0) {
      basis = 'li';
    }
  }
  if (basis === 'consent') return tcf.vendorConsent && (tcf.purposeConsents & bit) !== 0;
  if (basis === 'li') {
    return (
      liPossible && tcf.vendorLegitimateInterest && (tcf.purposeLegitimateInterests & bit) !== 0
    );
  }
  return false;
}

/** TCF special feature 1: use precise geolocation data. */
const PRECISE_GEO = 1;

/** Bit of each rule in the set of rules that applied; a lower bit is a more restrictive rule. */
const RULE_BIT = Object.fromEntries(RULES.map((r, i) => [r, 2 ** i])) as Record<Rule, number>;

/**
 * The enforcement policy: which rules the signals trigger and what they leave (docs/privacy.md
 * has the table). Pure; removing a consent or adding a restriction never grants more.
 */
export function decide(signals: Signals, config: PrivacyConfig): Decision {
  const p = everything();
  let applied = 0;

  if (signals.coppa) {
    applied |= RULE_BIT.coppa;
    p.profileRead = p.profileWrite = p.personalised = p.frequencyCapByCookie = false;
    p.userIdsInEvents = p.deviceIdsInEvents = p.ifa = p.preciseGeo = false;
    p.ipTruncation = 'coppa';
  }

  if (signals.gdpr ?? config.gdprDefault) {
    const tcf = signals.tcf;
    if (tcf === undefined || !tcf.valid) {
      applied |= RULE_BIT.gdpr_no_consent;
      p.profileRead = p.profileWrite = p.personalised = p.frequencyCapByCookie = false;
      p.userIdsInEvents = p.deviceIdsInEvents = p.ifa = p.preciseGeo = p.measurement = false;
    } else {
      if (!purposeAllowed(tcf, config, 1)) {
        applied |= RULE_BIT.gdpr_no_storage;
        p.profileRead = p.profileWrite = p.frequencyCapByCookie = false;
        p.userIdsInEvents = p.deviceIdsInEvents = p.ifa = false;
      }
      const profileCreate = purposeAllowed(tcf, config, 3);
      const profileUse = purposeAllowed(tcf, config, 4);
      if (!(purposeAllowed(tcf, config, 2) && profileCreate && profileUse)) {
        applied |= RULE_BIT.gdpr_no_personalisation;
        p.personalised = false;
        if (!profileCreate) p.profileWrite = false;
        if (!profileUse) p.profileRead = false;
      }
      if (!purposeAllowed(tcf, config, 7)) {
        applied |= RULE_BIT.gdpr_no_measurement;
        p.measurement = p.userIdsInEvents = p.deviceIdsInEvents = false;
      }
      if ((tcf.specialFeatureOptins & bitOf(PRECISE_GEO)) === 0) {
        applied |= RULE_BIT.gdpr_no_precise_geo;
        p.preciseGeo = false;
      }
      applied |= RULE_BIT.gdpr_consent;
    }
  }

  if (signals.usOptOut) {
    applied |= RULE_BIT.us_optout;
    p.personalised = p.profileWrite = false;
  }

  // ATT: 1 restricted, 2 denied.
  if (signals.lmt || signals.atts === 1 || signals.atts === 2) {
    applied |= RULE_BIT.no_ifa;
    p.ifa = p.deviceIdsInEvents = false;
  }

  const first = applied & -applied;
  const rule = first === 0 ? 'none' : (RULES[31 - Math.clz32(first)] ?? 'none');
  return { rule, permissions: p };
}
