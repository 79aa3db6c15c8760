/**
 * Hand-built consent strings, bit by bit, for what no CMP library will encode: overlapping ranges
 * and implausible GPP headers. Field layouts as quoted in `tcf-guard.ts` and `gpp.ts`.
 */

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

const int = (v: number, bits: number): string => v.toString(2).padStart(bits, '0');

/** Bits ('0'/'1') to base64url, padded with zero bits to whole characters. */
export function base64url(bits: string): string {
  let padded = bits;
  while (padded.length % 6 !== 0) padded += '0';
  let out = '';
  for (let i = 0; i < padded.length; i += 6) out += ALPHABET[parseInt(padded.slice(i, i + 6), 2)];
  return out;
}

type Range = readonly [number, number];

/** What goes into a hand-built TCF v2 core segment. */
export interface RawTcf {
  readonly purposeConsents?: number;
  readonly vendorConsentRanges?: readonly Range[];
  readonly vendorLiRanges?: readonly Range[];
  readonly restrictions?: readonly {
    readonly purpose: number;
    readonly type: number;
    readonly ranges: readonly Range[];
  }[];
  readonly version?: number;
}

const ranges = (list: readonly Range[]): string =>
  int(list.length, 12) +
  list.map(([s, e]) => (s === e ? `0${int(s, 16)}` : `1${int(s, 16)}${int(e, 16)}`)).join('');

/** A TCF v2 core segment with range-encoded vendor vectors. */
export function rawTcf(t: RawTcf): string {
  let b =
    int(t.version ?? 2, 6) +
    int(1, 36) +
    int(1, 36) +
    int(10, 12) + // CmpId
    int(1, 12) +
    int(1, 6) +
    int(0, 12) +
    int(100, 12) +
    int(4, 6) + // TcfPolicyVersion
    '1' + // IsServiceSpecific
    '0' +
    int(0, 12) +
    int(t.purposeConsents ?? 0, 24) +
    int(0, 24) +
    '0' +
    int(0, 12);
  for (const list of [t.vendorConsentRanges ?? [], t.vendorLiRanges ?? []]) {
    const maxId = Math.max(0, ...list.map(([, e]) => e));
    b += int(maxId, 16) + '1' + ranges(list);
  }
  const restrictions = t.restrictions ?? [];
  b += int(restrictions.length, 12);
  for (const r of restrictions) b += int(r.purpose, 6) + int(r.type, 2) + ranges(r.ranges);
  return base64url(b);
}

/** Fibonacci code of n ≥ 1: Zeckendorf bits from F(2)=1 upward, then an extra 1. */
function fibonacci(n: number): string {
  const fibs = [1, 2];
  while ((fibs.at(-1) ?? 0) <= n) fibs.push((fibs.at(-1) ?? 0) + (fibs.at(-2) ?? 0));
  const bits = new Array<string>(fibs.length).fill('0');
  let rest = n;
  for (let i = fibs.length - 1; i >= 0; i--) {
    if ((fibs[i] ?? 0) <= rest) {
      bits[i] = '1';
      rest -= fibs[i] ?? 0;
    }
  }
  return `${bits.join('').replace(/0+$/, '')}1`;
}

/** A GPP header (type 3, version 1) declaring the range `start`–`end` of section ids. */
export function rawGppHeader(start: number, end: number): string {
  const entry =
    start === end ? `0${fibonacci(start)}` : `1${fibonacci(start)}${fibonacci(end - start)}`;
  return base64url(int(3, 6) + int(1, 6) + int(1, 12) + entry);
}
