/**
 * IP addresses as untrusted text: one parser, one canonical spelling, no throwing, no allocation
 * on the parse. Used for blocklist keys (written by the fraud scorer, checked by the bidder) and
 * for the data-centre index, so both sides agree on what "the same address" is.
 *
 * What is folded (an evasion of an exact-string match, the same address spelled differently):
 * - IPv4 parts with leading zeros are read as decimal (`010.001.002.003` → `10.1.2.3`): zero-padded
 *   quads come from logging and CSV pipelines, and no exchange means octal by them;
 * - IPv4-mapped IPv6 (`::ffff:1.2.3.4`, `::ffff:102:304`, any case or zero padding) → `1.2.3.4`;
 * - IPv6 in any valid RFC 4291 spelling (upper case, leading zeros, `::` anywhere, a dotted tail)
 *   → the RFC 5952 form (lower case, no leading zeros, the longest run of two or more zero groups
 *   as `::`, the first on a tie);
 * - surrounding spaces and tabs.
 *
 * What is invalid (no address at all, so never a match; the bidder refuses it as `invalid_ip`):
 * the inet_aton shorthands (`127.1`, `2130706433`), octal or hex parts (`0x7f.0.0.1`), parts over
 * 255 or of more than 3 digits, zone ids (`fe80::1%eth0`), brackets, ports, CIDR suffixes, and
 * anything longer than {@link MAX_IP_TEXT}. Real exchanges never send those forms, and reading them
 * the way a socket library would (octal!) would make a bidder and a scorer disagree.
 */

/** Longest text looked at: an IPv6 with a dotted tail is at most 45 characters. */
export const MAX_IP_TEXT = 64;

/** Address family of a parse: 0 when the text is not an address. */
export type IpKind = 0 | 4 | 6;

const groups = new Uint16Array(8);

const isSpace = (c: number): boolean => c === 32 || c === 9;

/** Dotted quad in `s[from, to)` as an unsigned integer, or -1. Leading zeros are decimal. */
function v4At(s: string, from: number, to: number): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
      digits++;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? n * 256 + part : -1;
}

function hexVal(c: number): number {
  if (c >= 48 && c <= 57) return c - 48;
  if (c >= 97 && c <= 102) return c - 87;
  if (c >= 65 && c <= 70) return c - 55;
  return -1;
}

/** IPv6 text in `s[from, to)` into `groups`; false when it is not one. */
function v6At(s: string, from: number, to: number): boolean {
  let n = 0; // groups written
  let gap = -1; // group index where `::` stands
  let i = from;
  if (s.charCodeAt(i) === 58) {
    if (s.charCodeAt(i + 1) !== 58) return false;
    gap = 0;
    i += 2;
    if (i === to) {
      groups.fill(0);
      return true;
    }
  }
  while (i < to) {
    if (n === 8) return false;
    // A dotted tail takes the last two groups.
    let j = i;
    let val = 0;
    let digits = 0;
    while (j < to && digits <= 4) {
      const h = hexVal(s.charCodeAt(j));
      if (h < 0) break;
      val = val * 16 + h;
      digits++;
      j++;
    }
    if (j < to && s.charCodeAt(j) === 46) {
      if (n > 6) return false;
      const v4 = v4At(s, i, to);
      if (v4 < 0) return false;
      groups[n++] = v4 >>> 16;
      groups[n++] = v4 & 0xffff;
      i = to;
      break;
    }
    if (digits === 0 || digits > 4) return false;
    groups[n++] = val;
    i = j;
    if (i === to) break;
    if (s.charCodeAt(i) !== 58) return false;
    i++;
    if (s.charCodeAt(i) === 58) {
      if (gap >= 0) return false;
      gap = n;
      i++;
      if (i === to) break;
    } else if (i === to) return false; // a trailing single colon
  }
  if (gap < 0) return n === 8;
  if (n === 8) return false; // `::` must stand for at least one group
  const move = n - gap;
  for (let k = 0; k < move; k++) groups[7 - k] = groups[n - 1 - k] ?? 0;
  for (let k = gap; k < 8 - move; k++) groups[k] = 0;
  return true;
}

/**
 * Parses an address into `out`: IPv4 (and IPv4-mapped IPv6) as `out[0]`, an unsigned 32-bit
 * integer, returning 4; IPv6 as four big-endian 32-bit words, returning 6; 0 for anything else.
 * `out` needs 4 elements. Never throws; costs no allocation.
 */
export function parseIp(text: string, out: Uint32Array): IpKind {
  let from = 0;
  let to = text.length;
  if (to > MAX_IP_TEXT) return 0;
  while (from < to && isSpace(text.charCodeAt(from))) from++;
  while (to > from && isSpace(text.charCodeAt(to - 1))) to--;
  if (from === to) return 0;
  let colon = false;
  for (let i = from; i < to; i++)
    if (text.charCodeAt(i) === 58) {
      colon = true;
      break;
    }
  if (!colon) {
    const v4 = v4At(text, from, to);
    if (v4 < 0) return 0;
    out[0] = v4;
    return 4;
  }
  if (!v6At(text, from, to)) return 0;
  if (
    groups[0] === 0 &&
    groups[1] === 0 &&
    groups[2] === 0 &&
    groups[3] === 0 &&
    groups[4] === 0 &&
    groups[5] === 0xffff
  ) {
    out[0] = (((groups[6] ?? 0) << 16) | (groups[7] ?? 0)) >>> 0;
    return 4;
  }
  for (let k = 0; k < 4; k++)
    out[k] = (((groups[2 * k] ?? 0) << 16) | (groups[2 * k + 1] ?? 0)) >>> 0;
  return 6;
}

/** Unsigned 32-bit integer to dotted quad. */
export function formatIpv4(n: number): string {
  return `${String((n >>> 24) & 255)}.${String((n >>> 16) & 255)}.${String((n >>> 8) & 255)}.${String(n & 255)}`;
}

/** Four big-endian 32-bit words to the RFC 5952 text of an IPv6 address. */
export function formatIpv6(w: ArrayLike<number>): string {
  const group = (i: number): number => {
    const x = w[i >>> 1] ?? 0;
    return i & 1 ? x & 0xffff : x >>> 16;
  };
  // Longest run of two or more zero groups (the first on a tie) becomes `::`.
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (group(i) !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && group(j) === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  let out = '';
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      out += '::';
      i += bestLen - 1;
      continue;
    }
    if (i > 0 && i !== best + bestLen) out += ':';
    out += group(i).toString(16);
  }
  return out;
}

const scratch = new Uint32Array(4);

/** Whether `s` is exactly the canonical dotted quad of an IPv4 address (no padding, no spaces). */
function canonicalV4Text(s: string): boolean {
  let digits = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 46) digits = 0;
    else if (c === 48 && digits === 0 && i + 1 < s.length && s.charCodeAt(i + 1) !== 46)
      return false;
    else digits++;
  }
  return true;
}

/**
 * The one canonical spelling of an address (see the module comment), or undefined when `text` is
 * not one. Returns `text` itself, without allocating, when it is already a canonical IPv4.
 */
export function canonicalIp(text: string): string | undefined {
  const kind = parseIp(text, scratch);
  if (kind === 4) {
    const n = scratch[0] ?? 0;
    const first = text.charCodeAt(0);
    const last = text.charCodeAt(text.length - 1);
    if (first >= 48 && first <= 57 && last >= 48 && last <= 57 && canonicalV4Text(text))
      return text;
    return formatIpv4(n);
  }
  return kind === 6 ? formatIpv6(scratch) : undefined;
}

/** A parsed prefix: the family, its network words (host bits zero) and its length. */
export interface IpPrefix {
  kind: 4 | 6;
  /** IPv4: `[n]`; IPv6: four big-endian words. */
  words: Uint32Array;
  bits: number;
}

/** Clears the bits of `words` past `bits` (in place). */
export function maskWords(words: Uint32Array, count: number, bits: number): void {
  for (let k = 0; k < count; k++) {
    const keep = bits - 32 * k;
    const w = words[k] ?? 0;
    words[k] = keep >= 32 ? w : keep <= 0 ? 0 : (w & ~(0xffffffff >>> keep)) >>> 0;
  }
}

/**
 * `10.1.2.0/24`, `2001:db8::/32`, a bare address (a host prefix), `::ffff:10.1.2.0/120` (folded
 * to `10.1.2.0/24`): the prefix with host bits cleared, or undefined when malformed.
 */
export function parsePrefix(text: string): IpPrefix | undefined {
  if (text.length > MAX_IP_TEXT + 4) return undefined;
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const words = new Uint32Array(4);
  const kind = parseIp(addr, words);
  if (kind === 0) return undefined;
  const max = kind === 4 ? 32 : 128;
  let bits = max;
  if (slash >= 0) {
    const raw = text.slice(slash + 1).trim();
    if (!/^\d{1,3}$/.test(raw)) return undefined;
    bits = Number(raw);
    // A mapped address's prefix counts the 96 bits of `::ffff:` in front of it.
    if (kind === 4 && addr.includes(':')) bits -= 96;
    if (bits < 0 || bits > max) return undefined;
  }
  maskWords(words, kind === 4 ? 1 : 4, bits);
  return { kind, words, bits };
}

/** The canonical text of a prefix: `network/bits` (see {@link parsePrefix}), or undefined. */
export function canonicalPrefix(text: string): string | undefined {
  const p = parsePrefix(text);
  if (p === undefined) return undefined;
  const net = p.kind === 4 ? formatIpv4(p.words[0] ?? 0) : formatIpv6(p.words);
  return `${net}/${String(p.bits)}`;
}
