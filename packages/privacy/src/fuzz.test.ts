import { fc, test } from '@fast-check/vitest';
import { describe, expect } from 'vitest';
import type { PrivacyConfig } from './config.js';
import { decide, PERMISSION_FLAGS, RULES, type Permissions } from './policy.js';
import { createSignalReader, type PrivacyInput, type Signals } from './signals.js';
import type { TcfSignal } from './tcf.js';
import { TEST_CONFIG } from './testing/fixtures.js';
import { encodeGpp, encodeTcf, FULL_CONSENT, type TcfChoices } from './testing/encode.js';
import { OUR_VENDOR } from './testing/vendor-list.js';

// CI-sized runs (a few seconds); raise locally for a longer search.
const RUNS = 2_000;

const CONFIG = TEST_CONFIG;

const SEEDS = [
  encodeTcf(FULL_CONSENT),
  encodeTcf({
    ...FULL_CONSENT,
    restrictions: [
      { purpose: 2, type: 1 },
      { purpose: 1, type: 0 },
    ],
  }),
  encodeTcf({ purposeConsents: [1], vendorConsents: [OUR_VENDOR, 10] }),
  encodeGpp({ usnat: { SaleOptOutNotice: 1, SaleOptOut: 1 }, usca: { SharingOptOut: 2 } }),
  encodeGpp(
    { uspv1: { Notice: 'Y', OptOutSale: 'N', LspaCovered: 'N' } },
    { tcfeuv2: encodeTcf(FULL_CONSENT) },
  ),
  'DBACNYA~CPXxRfAPXxRfAAfKABENB-CgAAAAAAAAAAYgAAAAAAAA~1YNN',
  '1YNN',
];
const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~';

type Edit = {
  readonly at: number;
  readonly op: 'set' | 'insert' | 'delete' | 'cut' | 'double';
  readonly c: string;
};

function mutate(seed: string, edits: readonly Edit[]): string {
  let s = seed;
  for (const e of edits) {
    const i = s.length === 0 ? 0 : e.at % s.length;
    if (e.op === 'set') s = s.slice(0, i) + e.c + s.slice(i + 1);
    else if (e.op === 'insert') s = s.slice(0, i) + e.c + s.slice(i);
    else if (e.op === 'delete') s = s.slice(0, i) + s.slice(i + 1);
    else if (e.op === 'cut') s = s.slice(0, i);
    else s = s.slice(0, i) + s.slice(i, i + 40) + s.slice(i);
  }
  return s;
}

const edit: fc.Arbitrary<Edit> = fc.record({
  at: fc.nat(),
  op: fc.constantFrom('set', 'insert', 'delete', 'cut', 'double'),
  c: fc.constantFrom(...CHARS),
});
const mutated = fc
  .tuple(fc.constantFrom(...SEEDS), fc.array(edit, { minLength: 1, maxLength: 6 }))
  .map(([seed, edits]) => mutate(seed, edits));
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 400 }),
  mutated,
);
const flag = fc.constantFrom(undefined, 0, 1);
const sid = fc.option(fc.array(fc.integer({ min: -1, max: 30 }), { maxLength: 5 }), {
  nil: undefined,
});

/** `a` grants nothing `b` does not. */
function expectAtMost(a: Permissions, b: Permissions): void {
  for (const k of PERMISSION_FLAGS) if (a[k]) expect(b[k], k).toBe(true);
  if (b.ipTruncation === 'coppa') expect(a.ipTruncation).toBe('coppa');
}

describe('hostile consent strings', () => {
  const reader = createSignalReader({ vendorId: OUR_VENDOR, cacheSize: 64 });
  const check = (input: PrivacyInput) => {
    const d = decide(reader.read(input), CONFIG);
    expect(RULES).toContain(d.rule);
  };

  test.prop([anyText, anyText, anyText, flag, sid], { numRuns: RUNS })(
    'never throw, whatever sits in consent, gpp and us_privacy',
    (consent, gpp, usPrivacy, gdpr, gppSid) => {
      check({ regs: { gdpr, gpp, gpp_sid: gppSid, us_privacy: usPrivacy }, user: { consent } });
      check({
        regs: { ext: { gdpr, us_privacy: usPrivacy }, gpp: consent },
        user: { ext: { consent: gpp } },
      });
    },
  );

  test.prop([mutated, mutated, flag, sid], { numRuns: RUNS })(
    'never throw when mutated valid strings arrive as raw request text',
    (a, b, gdpr, gppSid) => {
      const text = `{"regs":{"gdpr":${String(gdpr ?? 0)},"gpp":"${b}","gpp_sid":${JSON.stringify(gppSid ?? [])}},"user":{"consent":"${a}"}}`;
      let input: unknown;
      try {
        input = JSON.parse(text);
      } catch {
        return; // not JSON any more: the edge refuses it before privacy is asked
      }
      check(input as PrivacyInput);
    },
  );

  test.prop([fc.anything(), fc.anything(), fc.anything(), fc.anything()], { numRuns: RUNS })(
    'never throw whatever type each member has',
    (a, b, c, d) => {
      check({
        regs: { gdpr: a, coppa: b, gpp: c, gpp_sid: d, us_privacy: a, ext: b },
        user: { consent: c, ext: d },
        device: { lmt: a, dnt: b, ext: c },
      });
    },
  );
});

const bits24 = fc.integer({ min: 0, max: 0xffffff });
const tcfSignal: fc.Arbitrary<TcfSignal> = fc.record({
  valid: fc.boolean(),
  purposeConsents: bits24,
  purposeLegitimateInterests: bits24,
  specialFeatureOptins: fc.integer({ min: 0, max: 0xfff }),
  vendorConsent: fc.boolean(),
  vendorLegitimateInterest: fc.boolean(),
  notAllowed: bits24,
  requireConsent: bits24,
  requireLegitimateInterest: bits24,
});
const signals: fc.Arbitrary<Signals> = fc.record({
  gdpr: fc.constantFrom(undefined, true, false),
  tcf: fc.option(tcfSignal, { nil: undefined }),
  coppa: fc.boolean(),
  usOptOut: fc.boolean(),
  lmt: fc.boolean(),
  dnt: fc.boolean(),
  atts: fc.constantFrom(undefined, 0, 1, 2, 3),
});
const purposes = fc.subarray([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
const config: fc.Arbitrary<PrivacyConfig> = fc.record({
  vendorId: fc.constant(OUR_VENDOR),
  consentPurposes: purposes,
  legitimateInterestPurposes: purposes,
  flexiblePurposes: purposes,
  gdprDefault: fc.boolean(),
  cacheSize: fc.constant(16),
});

/** Fewer consents and more restrictions than `s`. */
const narrowed = (s: Signals) =>
  fc
    .record({
      keepConsents: bits24,
      keepLi: bits24,
      keepFeatures: fc.integer({ min: 0, max: 0xfff }),
      keepVendor: fc.boolean(),
      keepVendorLi: fc.boolean(),
      forbid: bits24,
      dropTcf: fc.constantFrom(undefined, 'absent', 'malformed'),
      gdpr: fc.boolean(),
      coppa: fc.boolean(),
      usOptOut: fc.boolean(),
      lmt: fc.boolean(),
      att: fc.constantFrom(undefined, 1, 2),
    })
    .map((n): Signals => {
      const t = s.tcf;
      const tcf =
        t === undefined || n.dropTcf === 'absent'
          ? undefined
          : {
              ...t,
              valid: t.valid && n.dropTcf !== 'malformed',
              purposeConsents: t.purposeConsents & n.keepConsents,
              purposeLegitimateInterests: t.purposeLegitimateInterests & n.keepLi,
              specialFeatureOptins: t.specialFeatureOptins & n.keepFeatures,
              vendorConsent: t.vendorConsent && n.keepVendor,
              vendorLegitimateInterest: t.vendorLegitimateInterest && n.keepVendorLi,
              notAllowed: t.notAllowed | n.forbid,
            };
      return {
        ...s,
        tcf,
        gdpr: n.gdpr ? true : s.gdpr,
        coppa: s.coppa || n.coppa,
        usOptOut: s.usOptOut || n.usOptOut,
        lmt: s.lmt || n.lmt,
        atts: n.att ?? s.atts,
      };
    });

describe('the policy is monotone', () => {
  test.prop(
    [
      fc
        .tuple(signals, config)
        .chain(([s, c]) => fc.tuple(fc.constant(s), narrowed(s), fc.constant(c))),
    ],
    { numRuns: RUNS },
  )('removing a consent or adding a restriction never grants more', ([wide, narrow, c]) => {
    expectAtMost(decide(narrow, c).permissions, decide(wide, c).permissions);
  });

  const choices: fc.Arbitrary<TcfChoices> = fc.record({
    purposeConsents: purposes,
    purposeLegitimateInterests: purposes,
    vendorConsents: fc.subarray([OUR_VENDOR, 10]),
    vendorLegitimateInterests: fc.subarray([OUR_VENDOR, 10]),
    specialFeatureOptins: fc.subarray([1, 2]),
  });
  const subset = <T>(xs: readonly T[] | undefined) => fc.subarray([...(xs ?? [])]);
  const reader = createSignalReader({ vendorId: OUR_VENDOR, cacheSize: 0 });

  test.prop(
    [
      choices.chain((a) =>
        fc.tuple(
          fc.constant(a),
          fc.record({
            purposeConsents: subset(a.purposeConsents),
            purposeLegitimateInterests: subset(a.purposeLegitimateInterests),
            vendorConsents: subset(a.vendorConsents),
            vendorLegitimateInterests: subset(a.vendorLegitimateInterests),
            specialFeatureOptins: subset(a.specialFeatureOptins),
          }),
        ),
      ),
    ],
    { numRuns: 300 },
  )('a string @iabtcf/core encodes with fewer choices never grants more', ([wide, narrow]) => {
    const read = (c: TcfChoices) =>
      reader.read({ regs: { gdpr: 1 }, user: { consent: encodeTcf(c) } });
    expectAtMost(decide(read(narrow), CONFIG).permissions, decide(read(wide), CONFIG).permissions);
  });
});
