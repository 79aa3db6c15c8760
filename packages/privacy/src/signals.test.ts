import { describe, expect, it } from 'vitest';
import { MALFORMED_GPP } from './gpp.js';
import { createSignalReader } from './signals.js';
import { MALFORMED_TCF } from './tcf.js';
import { encodeGpp, encodeTcf, FULL_CONSENT } from './testing/encode.js';
import { OUR_VENDOR } from './testing/vendor-list.js';

describe('createSignalReader', () => {
  it('parses each distinct string once and answers repeats from its cache', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR });
    const consent = encodeTcf(FULL_CONSENT);
    const gpp = encodeGpp({ usnat: { SaleOptOut: 1 } });
    const first = reader.read({ regs: { gdpr: 1, gpp }, user: { consent } });
    const again = reader.read({ regs: { gdpr: 1, gpp }, user: { consent } });
    expect(again).toEqual(first);
    expect(again.tcf).toBe(first.tcf);
    expect(reader.stats()).toEqual({ hits: 2, misses: 2 });
  });

  it('keeps at most cacheSize strings, evicting the least recently used', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR, cacheSize: 2 });
    const [a, b, c] = [1, 2, 3].map((s) => encodeTcf({ ...FULL_CONSENT, createdOffsetS: s }));
    for (const consent of [a, b, a, c, a, b]) reader.read({ user: { consent } });
    // a, b miss; a hits; c misses and evicts b; a hits; b misses again.
    expect(reader.stats()).toEqual({ hits: 2, misses: 4 });
  });

  it('caches nothing with cacheSize 0', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR, cacheSize: 0 });
    const consent = encodeTcf(FULL_CONSENT);
    reader.read({ user: { consent } });
    reader.read({ user: { consent } });
    expect(reader.stats()).toEqual({ hits: 0, misses: 2 });
  });

  it('prefers the 2.6 locations to the 2.5 ext ones', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR });
    const s = reader.read({
      regs: { gdpr: 1, us_privacy: '1YNN', ext: { gdpr: 0, us_privacy: '1YYN' } },
      user: { consent: encodeTcf(FULL_CONSENT), ext: { consent: 'garbage' } },
    });
    expect(s).toMatchObject({ gdpr: true, usOptOut: false, tcf: { valid: true } });
  });

  it('does not parse the TCF string of a request that says GDPR does not apply', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR });
    const s = reader.read({ regs: { gdpr: 0 }, user: { consent: encodeTcf(FULL_CONSENT) } });
    expect(s.tcf).toBeUndefined();
    expect(reader.stats().misses).toBe(0);
  });

  it('counts values of the wrong type as absent flags and malformed strings', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR });
    const s = reader.read({
      regs: { gdpr: '1', coppa: true, gpp: 12, gpp_sid: 'x', ext: 'nope' },
      user: { consent: ['CP'] },
      device: { lmt: '1', dnt: null, ext: { atts: 2.5 } },
    });
    expect(s).toEqual({
      gdpr: undefined,
      tcf: MALFORMED_TCF,
      coppa: false,
      usOptOut: true, // the GPP string was malformed, and no gpp_sid limits it
      lmt: false,
      dnt: false,
      atts: undefined,
    });
  });

  it('does not read inherited members such as __proto__ or constructor', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR });
    const input = JSON.parse(
      '{"regs":{"__proto__":{"gdpr":1}},"user":{"constructor":{"consent":"x"}}}',
    ) as object;
    expect(reader.read(input)).toMatchObject({ gdpr: undefined, tcf: undefined });
  });

  it('treats empty strings as no signal', () => {
    const reader = createSignalReader({ vendorId: OUR_VENDOR });
    const s = reader.read({ regs: { gpp: '', us_privacy: '' }, user: { consent: '' } });
    expect(s).toMatchObject({ tcf: undefined, usOptOut: false });
  });

  it('exposes a malformed GPP string as a malformed signal, not an error', () => {
    expect(MALFORMED_GPP.valid).toBe(false);
    const reader = createSignalReader({ vendorId: OUR_VENDOR });
    expect(() => reader.read({ regs: { gpp: 'DBABL~~~~', gpp_sid: [2, 7] } })).not.toThrow();
    expect(reader.read({ regs: { gpp: 'DBABL~~~~', gpp_sid: [2, 7] } })).toMatchObject({
      gdpr: true,
      tcf: MALFORMED_TCF,
      usOptOut: true,
    });
  });
});
