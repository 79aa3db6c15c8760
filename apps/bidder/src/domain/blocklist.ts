import type { BlockKind, BlocklistEntry } from '@streambid/contracts';
import { ipv4ToInt as parseIpv4 } from '@streambid/reference-data';

/** What a request reveals that the blocklist can match. */
export interface TrafficKeys {
  ip?: string | undefined;
  siteDomain?: string | undefined;
  appBundle?: string | undefined;
  publisherId?: string | undefined;
  userId?: string | undefined;
}

/** Parses dotted IPv4 into an unsigned 32-bit integer; undefined if it is not IPv4. */
export function ipv4ToInt(ip: string): number | undefined {
  return parseIpv4(ip) ?? undefined;
}

/** `10.1.2.0/24` → network and prefix length; undefined if malformed. */
export function parseCidr(value: string): { network: number; bits: number } | undefined {
  const [addr, len] = value.split('/');
  if (addr === undefined) return undefined;
  const ip = ipv4ToInt(addr);
  const bits = len === undefined ? 32 : Number(len);
  if (ip === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return undefined;
  return { network: maskIp(ip, bits), bits };
}

function maskIp(ip: number, bits: number): number {
  if (bits === 0) return 0;
  const mask = bits === 32 ? 0xffffffff : ~(0xffffffff >>> bits) >>> 0;
  return (ip & mask) >>> 0;
}

const key = (kind: BlockKind, value: string): string => `${kind}:${value}`;

/**
 * The fraud blocklist view: the latest entry per `kind:value` from the compacted topic. Expiry is
 * checked at lookup time so a lapsed block needs no message; tombstones unblock at once.
 */
export class Blocklist {
  private readonly entries = new Map<string, number>(); // key → expiresAt
  /** Subnet blocks grouped by prefix length: few distinct lengths, one Map probe each. */
  private readonly subnets = new Map<number, Map<number, number>>(); // bits → network → expiresAt

  get size(): number {
    return this.entries.size;
  }

  apply(entry: BlocklistEntry): void {
    this.entries.set(key(entry.kind, entry.value), entry.expiresAt);
    if (entry.kind === 'subnet') {
      const c = parseCidr(entry.value);
      if (c) {
        let m = this.subnets.get(c.bits);
        if (!m) this.subnets.set(c.bits, (m = new Map()));
        m.set(c.network, entry.expiresAt);
      }
    }
  }

  /** A tombstone for the topic key `kind:value`. */
  remove(topicKey: string): void {
    this.entries.delete(topicKey);
    if (topicKey.startsWith('subnet:')) {
      const c = parseCidr(topicKey.slice('subnet:'.length));
      if (c) this.subnets.get(c.bits)?.delete(c.network);
    }
  }

  private live(kind: BlockKind, value: string | undefined, now: number): boolean {
    if (value === undefined || value === '') return false;
    const exp = this.entries.get(key(kind, value));
    return exp !== undefined && exp > now;
  }

  /** The kind that blocks this traffic, or undefined when it may bid. */
  match(t: TrafficKeys, now: number): BlockKind | undefined {
    if (this.entries.size === 0) return undefined;
    if (this.live('ip', t.ip, now)) return 'ip';
    if (this.subnets.size > 0 && t.ip !== undefined) {
      const ip = ipv4ToInt(t.ip);
      if (ip !== undefined) {
        for (const [bits, nets] of this.subnets) {
          const exp = nets.get(maskIp(ip, bits));
          if (exp !== undefined && exp > now) return 'subnet';
        }
      }
    }
    if (this.live('site', t.siteDomain, now)) return 'site';
    if (this.live('app', t.appBundle, now)) return 'app';
    if (this.live('publisher', t.publisherId, now)) return 'publisher';
    if (this.live('cookie', t.userId, now)) return 'cookie';
    return undefined;
  }
}
