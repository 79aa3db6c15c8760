/**
 * Blocklist keys: one spelling per entity, applied where an entry is written (the fraud scorer)
 * and where traffic is checked (the bidder), so that case, a trailing dot, Unicode, padding or
 * another spelling of an address does not evade a block. Pure; `node:url`'s `domainToASCII` is
 * the WHATWG host parser's IDNA (UTS #46) step.
 */
import { domainToASCII } from 'node:url';
import { canonicalIp, canonicalPrefix } from './ip.js';

/** Longer text is not run through IDNA (bounded cost on hostile input); it is only lower-cased. */
const MAX_IDNA_INPUT = 1024;

/** `[a-z0-9-_.]` only: IDNA would return such a host unchanged (or refuse it; see below). */
function plainLowerAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 45 || c === 46 || c === 95))
      return false;
  }
  return true;
}

function trimDots(s: string): string {
  let end = s.length;
  while (end > 0 && s.charCodeAt(end - 1) === 46) end--;
  return end === s.length ? s : s.slice(0, end);
}

/**
 * A site or publisher domain's key: trimmed, lower case, IDNA to ASCII (`Bücher.DE` →
 * `xn--bcher-kva.de`, full-width dots and percent-escapes decoded by the host parser), without
 * trailing dots. Text IDNA refuses (spaces, bad punycode) keeps its lower-case spelling, so both
 * sides still agree on it. Returns the input itself when it is already a key (no allocation).
 */
export function domainKey(text: string): string {
  let s = text;
  if (!plainLowerAscii(s) || s.charCodeAt(s.length - 1) === 46) {
    s = s.trim();
    if (s.length <= MAX_IDNA_INPUT && !plainLowerAscii(s)) {
      const ascii = domainToASCII(s);
      s = ascii === '' ? s.toLowerCase() : ascii;
    }
    s = trimDots(s);
  }
  return s;
}

/**
 * An app bundle's key: trimmed of surrounding white space. Case is kept: Android application ids
 * are case-sensitive, and store ids are digits.
 */
export function bundleKey(text: string): string {
  return text.trim();
}

/**
 * An IP address's key: its canonical spelling (`ip.ts`: IPv4-mapped IPv6 folded to IPv4, IPv6 in
 * RFC 5952 form, zero-padded quads decoded), or undefined when the text is no address.
 */
export function ipKey(text: string): string | undefined {
  return canonicalIp(text);
}

/** A subnet's key: `network/bits` with host bits cleared, or undefined when malformed. */
export function subnetKey(text: string): string | undefined {
  return canonicalPrefix(text);
}

/** The kinds of blocked entity (`BlockKind` of `@streambid/contracts`). */
export type BlockedEntityKind = 'ip' | 'subnet' | 'cookie' | 'site' | 'app' | 'publisher';

/**
 * The key of a blocklist value of `kind`. An IP or subnet that does not parse keeps its trimmed
 * text (it can match nothing a request carries, since a request's address is parsed too); ids
 * (cookie, publisher) are opaque and kept as they are.
 */
export function blocklistValueKey(kind: BlockedEntityKind, value: string): string {
  switch (kind) {
    case 'site':
      return domainKey(value);
    case 'app':
      return bundleKey(value);
    case 'ip':
      return ipKey(value) ?? value.trim();
    case 'subnet':
      return subnetKey(value) ?? value.trim();
    case 'cookie':
    case 'publisher':
      return value;
  }
}
