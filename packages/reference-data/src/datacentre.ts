import { IpPrefixIndex } from './ip-index.js';
import { parsePrefix } from './ip.js';

/**
 * A small, hand-picked sample of published cloud / hosting provider IPv4 ranges. It is NOT a complete
 * list: nothing can be downloaded on these machines, so these are well-known prefixes taken from the
 * providers' own published range feeds as they stood in 2024:
 *  - AWS: https://ip-ranges.amazonaws.com/ip-ranges.json (EC2 prefixes)
 *  - Google Cloud: https://www.gstatic.com/ipranges/cloud.json
 *  - Microsoft Azure: "Azure IP Ranges and Service Tags – Public Cloud" download
 *  - DigitalOcean: https://digitalocean.com/geo/google.csv
 *  - Hetzner, OVH, Linode, Vultr: their RIPE/ARIN allocations (AS24940, AS16276, AS63949, AS20473)
 * Production should refresh the full feeds on a schedule (or license a data-centre list such as the
 * IAB/TAG one); the scoring code takes any list of this shape. The synthetic traffic generator's
 * data-centre bots draw their addresses from these same ranges.
 */
export interface DataCentreRange {
  /** CIDR, e.g. `3.80.0.0/12` or `2600:1f00::/24`. */
  cidr: string;
  provider: string;
}

export const DATACENTRE_RANGES: readonly DataCentreRange[] = [
  { cidr: '3.80.0.0/12', provider: 'aws' },
  { cidr: '18.204.0.0/14', provider: 'aws' },
  { cidr: '34.192.0.0/12', provider: 'aws' },
  { cidr: '52.0.0.0/11', provider: 'aws' },
  { cidr: '54.144.0.0/12', provider: 'aws' },
  { cidr: '34.64.0.0/10', provider: 'gcp' },
  { cidr: '35.184.0.0/13', provider: 'gcp' },
  { cidr: '104.196.0.0/14', provider: 'gcp' },
  { cidr: '13.64.0.0/11', provider: 'azure' },
  { cidr: '20.36.0.0/14', provider: 'azure' },
  { cidr: '40.64.0.0/10', provider: 'azure' },
  { cidr: '104.131.0.0/16', provider: 'digitalocean' },
  { cidr: '159.65.0.0/16', provider: 'digitalocean' },
  { cidr: '167.99.0.0/16', provider: 'digitalocean' },
  { cidr: '5.9.0.0/16', provider: 'hetzner' },
  { cidr: '88.198.0.0/16', provider: 'hetzner' },
  { cidr: '136.243.0.0/16', provider: 'hetzner' },
  { cidr: '51.38.0.0/16', provider: 'ovh' },
  { cidr: '54.36.0.0/16', provider: 'ovh' },
  { cidr: '145.239.0.0/16', provider: 'ovh' },
  { cidr: '45.33.0.0/17', provider: 'linode' },
  { cidr: '45.76.0.0/15', provider: 'vultr' },
];

/**
 * IPv6 allocations of the same providers (their published feeds and RIR allocations, 2024). Kept
 * apart from {@link DATACENTRE_RANGES}, which the traffic generator draws IPv4 bots from.
 */
export const DATACENTRE_RANGES_V6: readonly DataCentreRange[] = [
  { cidr: '2600:1f00::/24', provider: 'aws' },
  { cidr: '2a05:d000::/25', provider: 'aws' },
  { cidr: '2600:1900::/28', provider: 'gcp' },
  { cidr: '2603:1000::/24', provider: 'azure' },
  { cidr: '2604:a880::/32', provider: 'digitalocean' },
  { cidr: '2a03:b0c0::/32', provider: 'digitalocean' },
  { cidr: '2a01:4f8::/32', provider: 'hetzner' },
  { cidr: '2a01:4f9::/32', provider: 'hetzner' },
  { cidr: '2001:41d0::/32', provider: 'ovh' },
  { cidr: '2600:3c00::/30', provider: 'linode' },
  { cidr: '2001:19f0::/32', provider: 'vultr' },
];

/** Dotted-quad IPv4 to an unsigned 32-bit integer; null for anything else (IPv6, garbage). */
export function ipv4ToInt(ip: string): number | null {
  const parts = ip.split('.');
  if (parts.length !== 4) return null;
  let n = 0;
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return null;
    const v = Number(p);
    if (v > 255) return null;
    n = n * 256 + v;
  }
  return n;
}

/** Unsigned 32-bit integer to dotted quad. */
export function intToIpv4(n: number): string {
  return `${String((n >>> 24) & 255)}.${String((n >>> 16) & 255)}.${String((n >>> 8) & 255)}.${String(n & 255)}`;
}

/** First and last address of a CIDR as integers. Throws on a malformed CIDR (a bug in the list). */
export function cidrBounds(cidr: string): { start: number; end: number } {
  const [addr, bitsRaw] = cidr.split('/');
  const base = addr === undefined ? null : ipv4ToInt(addr);
  const bits = Number(bitsRaw);
  if (base === null || !Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new Error(`malformed CIDR ${cidr}`);
  const size = 2 ** (32 - bits);
  const start = Math.floor(base / size) * size;
  return { start, end: start + size - 1 };
}

/**
 * Data-centre ranges, IPv4 and IPv6, in a prefix trie (`ip-index.ts`): a lookup walks the
 * address's bits (at most the deepest prefix's length), ~0.1–0.3 µs whatever the number of ranges
 * (`packages/reference-data/bench/prebid.bench.ts`). Overlapping ranges: the longest wins.
 */
export class DataCentreIndex {
  private readonly index = new IpPrefixIndex<string>();

  constructor(
    ranges: readonly DataCentreRange[] = [...DATACENTRE_RANGES, ...DATACENTRE_RANGES_V6],
  ) {
    for (const r of ranges)
      if (!this.index.set(r.cidr, r.provider)) throw new Error(`malformed CIDR ${r.cidr}`);
  }

  /** Ranges held. */
  get size(): number {
    return this.index.size;
  }

  /**
   * Provider owning the address (IPv4, IPv6, IPv4-mapped IPv6 in any spelling), or null; text
   * that is no address is never a data-centre address.
   */
  lookup(ip: string): string | null {
    return this.index.lookup(ip) ?? null;
  }

  /** {@link lookup} of an IPv4 address as an unsigned 32-bit integer. */
  lookupInt(n: number): string | null {
    return this.index.lookupV4(n) ?? null;
  }
}

/**
 * Why a list of ranges cannot be indexed (`ranges.<i>.cidr: ...`, naming the first bad entry), or
 * null when every CIDR parses (IPv4 or IPv6, prefix length within the address).
 */
export function rangesProblem(ranges: readonly DataCentreRange[]): string | null {
  for (let i = 0; i < ranges.length; i++) {
    const cidr = ranges[i]?.cidr ?? '';
    if (parsePrefix(cidr) === undefined)
      return `ranges.${String(i)}.cidr: malformed CIDR ${JSON.stringify(cidr)}`;
  }
  return null;
}
