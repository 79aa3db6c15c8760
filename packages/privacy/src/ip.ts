import { LIMITS } from '@streambid/contracts';
import type { Permissions } from './policy.js';

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
const HEXTET = /^[0-9a-fA-F]{1,4}$/;

function truncateV4(ip: string): string | undefined {
  if (!IPV4.test(ip)) return undefined;
  return `${ip.slice(0, ip.lastIndexOf('.'))}.0`;
}

/** The eight hextets of an IPv6 address (`::` expanded, a dotted IPv4 tail as the last two). */
function hextets(ip: string): number[] | undefined {
  let text = ip;
  const tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    if (!IPV4.test(last)) return undefined;
    const [a = 0, b = 0, c = 0, d = 0] = last.split('.').map(Number);
    tail.push(a * 256 + b, c * 256 + d);
    text = text.slice(0, lastColon + 1);
    // Keep a "::" before the IPv4 part; drop a single separating ':'.
    if (!text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const parse = (s: string): number[] | undefined => {
    if (s === '') return [];
    const parts = s.split(':');
    return parts.every((h) => HEXTET.test(h)) ? parts.map((h) => parseInt(h, 16)) : undefined;
  };
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  if (head === undefined || rest === undefined) return undefined;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 2 ? given > 7 : given !== 8) return undefined;
  return [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
}

/**
 * COPPA truncation: IPv4 to its /24 (`a.b.c.0`), IPv6 to its /48 (`x:y:z::`), an IPv4-mapped
 * IPv6 address (`::ffff:a.b.c.d`) as IPv4 (`::ffff:a.b.c.0`). Anything that is not an address
 * comes back `undefined`, to be dropped rather than stored as it came.
 */
export function truncateIp(ip: string): string | undefined {
  if (ip.length === 0 || ip.length > LIMITS.ip) return undefined;
  if (!ip.includes(':')) return truncateV4(ip);
  const h = hextets(ip);
  if (h === undefined) return undefined;
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) {
    const a = (h[6] ?? 0) >> 8;
    const b = (h[6] ?? 0) & 0xff;
    const c = (h[7] ?? 0) >> 8;
    return `::ffff:${String(a)}.${String(b)}.${String(c)}.0`;
  }
  return `${h
    .slice(0, 3)
    .map((x) => x.toString(16))
    .join(':')}::`;
}

/** The IP address an event or a downstream call may carry under `permissions`. */
export function ipUnder(ip: string, permissions: Permissions): string | undefined {
  return permissions.ipTruncation === 'coppa' ? truncateIp(ip) : ip;
}
