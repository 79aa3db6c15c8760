import { describe, expect, it } from 'vitest';
import type { PrivacyConfig } from './config.js';
import { decide, type Permissions, type Rule, UNRESTRICTED } from './policy.js';
import { createSignalReader, type PrivacyInput } from './signals.js';
import { TEST_CONFIG } from './testing/fixtures.js';
import { encodeGpp, encodeTcf, FULL_CONSENT, type TcfChoices } from './testing/encode.js';
import { OTHER_VENDOR, OUR_VENDOR } from './testing/vendor-list.js';

const CONFIG = TEST_CONFIG;

const reader = createSignalReader({ vendorId: OUR_VENDOR });
const decideFor = (input: PrivacyInput, config: PrivacyConfig = CONFIG) =>
  decide(reader.read(input), config);
const gdprWith = (choices: TcfChoices): PrivacyInput => ({
  regs: { gdpr: 1 },
  user: { consent: encodeTcf(choices) },
});

const ALL: Permissions = UNRESTRICTED.permissions;
const NOTHING: Permissions = {
  profileRead: false,
  profileWrite: false,
  personalised: false,
  frequencyCapByCookie: false,
  userIdsInEvents: false,
  deviceIdsInEvents: false,
  ifa: false,
  preciseGeo: false,
  measurement: false,
  ipTruncation: 'none',
};
const without = (...keys: (keyof Omit<Permissions, 'ipTruncation'>)[]): Permissions => ({
  ...ALL,
  ...Object.fromEntries(keys.map((k) => [k, false])),
});
const expectDecision = (input: PrivacyInput, rule: Rule, permissions: Permissions) =>
  expect(decideFor(input)).toEqual({ rule, permissions });

describe('outside GDPR, COPPA and US opt-outs', () => {
  it('allows everything when the request carries no signal and GDPR is off', () => {
    expectDecision({ regs: { gdpr: 0 } }, 'none', ALL);
  });

  it('ignores a TCF string when regs.gdpr is 0', () => {
    expectDecision({ regs: { gdpr: 0 }, user: { consent: 'not a tcf string' } }, 'none', ALL);
  });
});

describe('GDPR (TCF v2)', () => {
  it('grants everything, under gdpr_consent, when our vendor has every purpose and special feature 1', () => {
    expectDecision(gdprWith(FULL_CONSENT), 'gdpr_consent', ALL);
  });

  it('treats a GDPR request without a consent string as no consent at all', () => {
    expectDecision({ regs: { gdpr: 1 } }, 'gdpr_no_consent', NOTHING);
  });

  it('treats a malformed consent string as no consent at all', () => {
    const valid = encodeTcf(FULL_CONSENT);
    for (const consent of [
      'CPXxRfAPXxRfAAfKABENB',
      `${valid.slice(0, 20)}!!`,
      'BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA',
      '',
    ]) {
      expect(decideFor({ regs: { gdpr: 1 }, user: { consent } }).rule).toBe('gdpr_no_consent');
    }
  });

  it('treats a consent string of another type than string as malformed', () => {
    expectDecision({ regs: { gdpr: 1 }, user: { consent: 42 } }, 'gdpr_no_consent', NOTHING);
  });

  it('removes storage, ids, IFA and cookie capping when the user refused purpose 1', () => {
    const choices = { ...FULL_CONSENT, purposeConsents: [2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
    expectDecision(
      gdprWith(choices),
      'gdpr_no_storage',
      without(
        'profileRead',
        'profileWrite',
        'frequencyCapByCookie',
        'userIdsInEvents',
        'deviceIdsInEvents',
        'ifa',
      ),
    );
  });

  it('removes everything a refusal of every purpose covers', () => {
    expectDecision(
      gdprWith({ vendorConsents: [], purposeConsents: [] }),
      'gdpr_no_storage',
      NOTHING,
    );
  });

  it('grants nothing when the purposes are consented but our vendor is not', () => {
    const choices = {
      ...FULL_CONSENT,
      vendorConsents: [OTHER_VENDOR],
      vendorLegitimateInterests: [],
    };
    const d = decideFor(gdprWith(choices));
    expect(d.rule).toBe('gdpr_no_storage');
    expect(d.permissions).toEqual({ ...NOTHING, preciseGeo: true });
  });

  it('bids only untargeted campaigns and keeps no profile when purposes 3 and 4 are refused', () => {
    const choices = { ...FULL_CONSENT, purposeConsents: [1, 2, 7] };
    expectDecision(
      gdprWith(choices),
      'gdpr_no_personalisation',
      without('personalised', 'profileRead', 'profileWrite'),
    );
  });

  it('bids only untargeted campaigns but keeps the profile when purpose 2 alone is missing', () => {
    const choices = { ...FULL_CONSENT, purposeLegitimateInterests: [7] };
    expectDecision(gdprWith(choices), 'gdpr_no_personalisation', without('personalised'));
  });

  it('accepts legitimate interest for purposes 2 and 7, which we declare under it', () => {
    const choices: TcfChoices = {
      purposeConsents: [1, 3, 4],
      purposeLegitimateInterests: [2, 7],
      vendorConsents: [OUR_VENDOR],
      vendorLegitimateInterests: [OUR_VENDOR],
      specialFeatureOptins: [1],
    };
    expectDecision(gdprWith(choices), 'gdpr_consent', ALL);
  });

  it('refuses legitimate interest when the user objected to our vendor', () => {
    const choices = { ...FULL_CONSENT, vendorLegitimateInterests: [] };
    expectDecision(
      gdprWith(choices),
      'gdpr_no_personalisation',
      without('personalised', 'measurement', 'userIdsInEvents', 'deviceIdsInEvents'),
    );
  });

  it('never lets legitimate interest stand in for purposes 3 and 4, even if a config declares it', () => {
    const liConfig: PrivacyConfig = {
      ...CONFIG,
      consentPurposes: [1],
      legitimateInterestPurposes: [2, 3, 4, 7],
    };
    const input = gdprWith({ ...FULL_CONSENT, purposeLegitimateInterests: [2, 3, 4, 7] });
    const d = decideFor(input, liConfig);
    expect(d.rule).toBe('gdpr_no_personalisation');
    expect(d.permissions.personalised).toBe(false);
  });

  it('needs consent, not legitimate interest, for a purpose declared under consent', () => {
    const consentOnly: PrivacyConfig = {
      ...CONFIG,
      consentPurposes: [1, 2, 3, 4, 7],
      legitimateInterestPurposes: [],
    };
    const choices = {
      ...FULL_CONSENT,
      purposeConsents: [1, 3, 4],
      purposeLegitimateInterests: [2, 7],
    };
    const d = decideFor(gdprWith(choices), consentOnly);
    expect(d.rule).toBe('gdpr_no_personalisation');
    expect(d.permissions.measurement).toBe(false);
  });

  it('removes measurement and the ids billing does not need when purpose 7 is missing', () => {
    const choices = {
      ...FULL_CONSENT,
      purposeConsents: [1, 2, 3, 4],
      purposeLegitimateInterests: [2],
    };
    expectDecision(
      gdprWith(choices),
      'gdpr_no_measurement',
      without('measurement', 'userIdsInEvents', 'deviceIdsInEvents'),
    );
  });

  it('drops lat/lon when special feature 1 (precise geolocation) is not opted in', () => {
    expectDecision(
      gdprWith({ ...FULL_CONSENT, specialFeatureOptins: [] }),
      'gdpr_no_precise_geo',
      without('preciseGeo'),
    );
  });

  it('obeys a publisher restriction that forbids purpose 1 to our vendor', () => {
    const d = decideFor(gdprWith({ ...FULL_CONSENT, restrictions: [{ purpose: 1, type: 0 }] }));
    expect(d.rule).toBe('gdpr_no_storage');
  });

  it('obeys a publisher restriction that moves flexible purpose 2 from legitimate interest to consent', () => {
    const choices = {
      ...FULL_CONSENT,
      purposeConsents: [1, 3, 4, 7],
      restrictions: [{ purpose: 2, type: 1 as const }],
    };
    expect(decideFor(gdprWith(choices)).rule).toBe('gdpr_no_personalisation');
    const consented = { ...FULL_CONSENT, restrictions: [{ purpose: 2, type: 1 as const }] };
    expect(decideFor(gdprWith(consented)).rule).toBe('gdpr_consent');
  });

  it('reads the OpenRTB 2.5 locations regs.ext.gdpr and user.ext.consent', () => {
    const input = {
      regs: { ext: { gdpr: 1 } },
      user: { ext: { consent: encodeTcf(FULL_CONSENT) } },
    };
    expectDecision(input, 'gdpr_consent', ALL);
    expect(decideFor({ regs: { ext: { gdpr: 1 } } }).rule).toBe('gdpr_no_consent');
  });

  it('applies PRIVACY_GDPR_DEFAULT when the request does not say whether GDPR applies', () => {
    expect(decideFor({}, { ...CONFIG, gdprDefault: true }).rule).toBe('gdpr_no_consent');
    expect(decideFor({}, { ...CONFIG, gdprDefault: false }).rule).toBe('none');
    expect(
      decideFor({ user: { consent: encodeTcf(FULL_CONSENT) } }, { ...CONFIG, gdprDefault: true })
        .rule,
    ).toBe('gdpr_consent');
  });

  it('takes GDPR and the TCF string from GPP when gpp_sid lists the TCF EU section', () => {
    const tcf = encodeTcf(FULL_CONSENT);
    const gpp = encodeGpp({ usnat: { SaleOptOut: 2, SaleOptOutNotice: 1 } }, { tcfeuv2: tcf });
    expect(gpp).toContain(tcf.split('.')[0]);
    expectDecision({ regs: { gpp, gpp_sid: [2] } }, 'gdpr_consent', ALL);
    expect(
      decideFor(
        { regs: { gpp: 'DBABMA~garbage', gpp_sid: [2] } },
        { ...CONFIG, gdprDefault: false },
      ).rule,
    ).toBe('gdpr_no_consent');
  });
});

describe('COPPA', () => {
  it('keeps no profile and no ids, truncates IPs and drops precise geo', () => {
    expectDecision({ regs: { coppa: 1, gdpr: 0 } }, 'coppa', {
      ...NOTHING,
      measurement: true,
      ipTruncation: 'coppa',
    });
  });

  it('wins over a full GDPR consent', () => {
    const d = decideFor({ ...gdprWith(FULL_CONSENT), regs: { gdpr: 1, coppa: 1 } });
    expect(d.rule).toBe('coppa');
    expect(d.permissions.userIdsInEvents).toBe(false);
  });
});

describe('US privacy', () => {
  const optedOut = without('personalised', 'profileWrite');

  it('stops personalised bidding and profile writes on a us_privacy opt-out of sale', () => {
    expectDecision({ regs: { gdpr: 0, us_privacy: '1YYN' } }, 'us_optout', optedOut);
    expectDecision({ regs: { ext: { gdpr: 0, us_privacy: '1nyn' } } }, 'us_optout', optedOut);
  });

  it('allows everything when us_privacy says no opt-out or that the law does not apply', () => {
    expectDecision({ regs: { gdpr: 0, us_privacy: '1YNN' } }, 'none', ALL);
    expectDecision({ regs: { gdpr: 0, us_privacy: '1---' } }, 'none', ALL);
  });

  it('treats a malformed us_privacy string as an opt-out', () => {
    for (const us_privacy of ['YYYY', '1YY', '2YNN', '1YYNN', 7]) {
      expect(decideFor({ regs: { gdpr: 0, us_privacy } }).rule).toBe('us_optout');
    }
  });

  it.each([
    ['usnat sale', 'usnat', { SaleOptOutNotice: 1, SaleOptOut: 1 }, 7],
    ['usnat sharing', 'usnat', { SharingOptOutNotice: 1, SharingOptOut: 1 }, 7],
    [
      'usnat targeted advertising',
      'usnat',
      { TargetedAdvertisingOptOutNotice: 1, TargetedAdvertisingOptOut: 1 },
      7,
    ],
    ['usca sharing', 'usca', { SharingOptOutNotice: 1, SharingOptOut: 1 }, 8],
    [
      'usva targeted advertising',
      'usva',
      { TargetedAdvertisingOptOutNotice: 1, TargetedAdvertisingOptOut: 1 },
      9,
    ],
    ['usnat Global Privacy Control', 'usnat', { GpcSegmentIncluded: true, Gpc: true }, 7],
    ['uspv1 inside GPP', 'uspv1', { Notice: 'Y', OptOutSale: 'Y', LspaCovered: 'N' }, 6],
  ])('stops personalised bidding on a GPP %s opt-out in force', (_, section, fields, sid) => {
    const gpp = encodeGpp({ [section]: fields });
    expectDecision({ regs: { gdpr: 0, gpp, gpp_sid: [sid] } }, 'us_optout', optedOut);
    expectDecision({ regs: { gdpr: 0, gpp } }, 'us_optout', optedOut);
  });

  it('allows everything when the GPP US section says the user did not opt out', () => {
    const gpp = encodeGpp({
      usnat: { SaleOptOutNotice: 1, SaleOptOut: 2, SharingOptOut: 2, TargetedAdvertisingOptOut: 2 },
    });
    expectDecision({ regs: { gdpr: 0, gpp, gpp_sid: [7] } }, 'none', ALL);
  });

  it('ignores a US opt-out in a section that gpp_sid does not put in force', () => {
    const gpp = encodeGpp({
      usnat: { SaleOptOut: 1 },
      uspv1: { Notice: 'Y', OptOutSale: 'N', LspaCovered: 'N' },
    });
    expectDecision({ regs: { gdpr: 0, gpp, gpp_sid: [6] } }, 'none', ALL);
  });

  it('treats a section gpp_sid puts in force but the string lacks, or a malformed GPP string, as an opt-out', () => {
    const gpp = encodeGpp({ usnat: { SaleOptOut: 2 } });
    expect(decideFor({ regs: { gdpr: 0, gpp, gpp_sid: [8] } }).rule).toBe('us_optout');
    expect(decideFor({ regs: { gdpr: 0, gpp: 'DBABLA~%%%', gpp_sid: [7] } }).rule).toBe(
      'us_optout',
    );
    expect(decideFor({ regs: { gdpr: 0, gpp: 'not gpp' } }).rule).toBe('us_optout');
  });
});

describe('device signals', () => {
  it('stops IFA use on limit ad tracking', () => {
    expectDecision(
      { regs: { gdpr: 0 }, device: { lmt: 1 } },
      'no_ifa',
      without('ifa', 'deviceIdsInEvents'),
    );
  });

  it.each([
    [1, 'restricted'],
    [2, 'denied'],
  ])('stops IFA use when App Tracking Transparency is %s (%s)', (atts) => {
    expectDecision(
      { regs: { gdpr: 0 }, device: { ext: { atts } } },
      'no_ifa',
      without('ifa', 'deviceIdsInEvents'),
    );
  });

  it('allows IFA use when ATT is authorized or not determined', () => {
    for (const atts of [0, 3])
      expectDecision({ regs: { gdpr: 0 }, device: { ext: { atts } } }, 'none', ALL);
  });

  it('reads device.dnt but enforces nothing on it', () => {
    expect(reader.read({ device: { dnt: 1 } }).dnt).toBe(true);
    expectDecision({ regs: { gdpr: 0 }, device: { dnt: 1 } }, 'none', ALL);
  });
});
