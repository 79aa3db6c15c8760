import { GPP_SECTION, isUsSection, MALFORMED_GPP, parseGpp, type GppSignal } from './gpp.js';
import { DEFAULT_CACHE_SIZE, MAX_CONSENT_LENGTH } from './limits.js';
import { Lru } from './lru.js';
import { MALFORMED_TCF, parseTcf, type TcfSignal } from './tcf.js';
import { parseUsPrivacy } from './usp.js';

/**
 * The members of an OpenRTB 2.5/2.6 request that carry privacy signals. Every member is optional
 * and typed `unknown`, so any request object fits and nothing here trusts the sender: a value of
 * the wrong type counts as absent (a flag) or malformed (a string).
 */
export interface PrivacyInput {
  readonly regs?:
    | {
        readonly coppa?: unknown;
        readonly gdpr?: unknown;
        readonly us_privacy?: unknown;
        readonly gpp?: unknown;
        readonly gpp_sid?: unknown;
        /** 2.5: `gdpr`, `us_privacy`. */
        readonly ext?: unknown;
      }
    | undefined;
  readonly user?:
    | {
        readonly consent?: unknown;
        /** 2.5: `consent`. */
        readonly ext?: unknown;
      }
    | undefined;
  readonly device?:
    | {
        readonly lmt?: unknown;
        readonly dnt?: unknown;
        /** `atts`: App Tracking Transparency status (0 undetermined, 1 restricted, 2 denied, 3 authorized). */
        readonly ext?: unknown;
      }
    | undefined;
}

/** The privacy signals of one request, parsed; plain data for `decide`. */
export interface Signals {
  /**
   * Whether GDPR applies according to the request: `regs.gdpr`, else `regs.ext.gdpr`, else `true`
   * when `regs.gpp_sid` lists the TCF EU section; `undefined` when none says (the policy's
   * `gdprDefault` decides).
   */
  readonly gdpr: boolean | undefined;
  /**
   * The TCF string (`user.consent`, `user.ext.consent`, else GPP's TCF EU section); `undefined`
   * when none was sent, or when `gdpr` is `false` (then it is not parsed).
   */
  readonly tcf: TcfSignal | undefined;
  readonly coppa: boolean;
  /**
   * A US opt-out of sale, sharing or targeted advertising: `us_privacy` position 3 'Y', or a GPP US
   * section in force that opts out. A malformed US signal counts as an opt-out.
   */
  readonly usOptOut: boolean;
  /** `device.lmt` = 1. */
  readonly lmt: boolean;
  /** `device.dnt` = 1 (read, not enforced: see docs/privacy.md). */
  readonly dnt: boolean;
  /** `device.ext.atts` when an integer 0–3. */
  readonly atts: number | undefined;
}

/** Options of `createSignalReader`. */
export interface SignalReaderOptions {
  /** Our IAB Global Vendor List id, whose consent the TCF string is read for. */
  readonly vendorId: number;
  /** Parsed strings kept per kind (TCF, GPP). @default 1024 */
  readonly cacheSize?: number;
}

/** Parses the signals of requests, remembering recently seen strings. */
export interface SignalReader {
  read(input: PrivacyInput): Signals;
  /** Cache lookups of TCF and GPP strings since the reader was made. */
  stats(): { readonly hits: number; readonly misses: number };
}

function member(obj: unknown, key: string): unknown {
  return typeof obj === 'object' && obj !== null && Object.hasOwn(obj, key)
    ? (obj as Record<string, unknown>)[key]
    : undefined;
}

function flag(v: unknown): boolean | undefined {
  return v === 1 ? true : v === 0 ? false : undefined;
}

/** An absent or empty string is no signal; a value of another type is a malformed one. */
function present(v: unknown): unknown {
  return v === undefined || v === null || v === '' ? undefined : v;
}

function sectionList(v: unknown): readonly number[] | undefined {
  if (!Array.isArray(v) || v.length > 64) return undefined;
  return v.every((x) => Number.isInteger(x)) ? (v as number[]) : undefined;
}

/** Whether the GPP sections in force (`sid`, or all present) hold a US opt-out. */
function gppUsOptOut(gpp: GppSignal, sid: readonly number[] | undefined): boolean {
  if (!gpp.valid) return sid === undefined || sid.some(isUsSection);
  const inForce = sid ?? gpp.sectionIds;
  return inForce.some(
    (id) => isUsSection(id) && (!gpp.sectionIds.includes(id) || gpp.usOptOutSections.includes(id)),
  );
}

/** Creates a reader with its own caches; make one per process (or worker) and keep it. */
export function createSignalReader(options: SignalReaderOptions): SignalReader {
  const size = options.cacheSize ?? DEFAULT_CACHE_SIZE;
  let hits = 0;
  let misses = 0;

  /** `parse` behind an LRU of its results; the length check keeps huge keys out of the cache. */
  function cached<T>(parse: (s: string) => T, malformed: T): (s: string) => T {
    const cache = new Lru<string, T>(size);
    return (s) => {
      if (s.length > MAX_CONSENT_LENGTH) return malformed;
      const hit = cache.get(s);
      if (hit !== undefined) {
        hits++;
        return hit;
      }
      misses++;
      const parsed = parse(s);
      cache.set(s, parsed);
      return parsed;
    };
  }
  const tcfOf = cached((s) => parseTcf(s, options.vendorId), MALFORMED_TCF);
  const gppOf = cached(parseGpp, MALFORMED_GPP);

  function read(input: PrivacyInput): Signals {
    // Through `member` even at the top: callers pass parsed JSON, whatever its shape.
    const regs = member(input, 'regs');
    const regsExt = member(regs, 'ext');
    const user = member(input, 'user');
    const device = member(input, 'device');

    const gpp = present(member(regs, 'gpp'));
    const gppSignal =
      gpp === undefined ? undefined : typeof gpp === 'string' ? gppOf(gpp) : MALFORMED_GPP;
    const sid = sectionList(member(regs, 'gpp_sid'));
    const tcfInForce = sid?.includes(GPP_SECTION.tcfEuV2) === true;

    const gdpr =
      flag(member(regs, 'gdpr')) ?? flag(member(regsExt, 'gdpr')) ?? (tcfInForce || undefined);

    const consent =
      present(member(user, 'consent')) ?? present(member(member(user, 'ext'), 'consent'));
    // Not parsed where the request says GDPR does not apply: `decide` would not look at it.
    let tcf: TcfSignal | undefined;
    if (gdpr !== false) {
      if (consent !== undefined) {
        tcf = typeof consent === 'string' ? tcfOf(consent) : MALFORMED_TCF;
      } else if (gppSignal !== undefined && (sid === undefined || tcfInForce)) {
        if (gppSignal.tcfEuV2 !== undefined) tcf = tcfOf(gppSignal.tcfEuV2);
        else if (tcfInForce) tcf = MALFORMED_TCF;
      }
    }

    const usp = present(member(regs, 'us_privacy')) ?? present(member(regsExt, 'us_privacy'));
    const uspOptOut =
      usp !== undefined && (typeof usp !== 'string' || parseUsPrivacy(usp) !== 'no_opt_out');
    const usOptOut = uspOptOut || (gppSignal !== undefined && gppUsOptOut(gppSignal, sid));

    const atts = member(member(device, 'ext'), 'atts');
    return {
      gdpr,
      tcf,
      coppa: member(regs, 'coppa') === 1,
      usOptOut,
      lmt: member(device, 'lmt') === 1,
      dnt: member(device, 'dnt') === 1,
      atts:
        typeof atts === 'number' && Number.isInteger(atts) && atts >= 0 && atts <= 3
          ? atts
          : undefined,
    };
  }

  return { read, stats: () => ({ hits, misses }) };
}
