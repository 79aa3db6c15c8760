import type { BlockKind, BlocklistEntry } from '@streambid/contracts';
import {
  blocklistValueKey,
  bundleKey,
  domainKey,
  ipKey,
  IpPrefixIndex,
  parseIp,
} from '@streambid/reference-data';

/** What a request reveals that the blocklist can match. */
export interface TrafficKeys {
  ip?: string | undefined;
  siteDomain?: string | undefined;
  appBundle?: string | undefined;
  publisherId?: string | undefined;
  userId?: string | undefined;
}

const v4 = new Uint32Array(4);

/** Parses dotted IPv4 into an unsigned 32-bit integer; undefined if it is not IPv4. */
export function ipv4ToInt(ip: string): number | undefined {
  return ip.includes(':') || parseIp(ip, v4) !== 4 ? undefined : v4[0];
}

const KINDS: readonly BlockKind[] = ['ip', 'subnet', 'cookie', 'site', 'app', 'publisher'];

/**
 * The fraud blocklist view: the latest entry per `kind:value` from the compacted topic. Values are
 * normalised on the way in and requests on the way out (`@streambid/reference-data`
 * `blocklistValueKey`: domain case, trailing dots, IDNA, IP spellings, bundle padding), so a
 * block cannot be evaded by spelling. Expiry is checked at lookup time so a lapsed block needs no
 * message; tombstones unblock at once. Subnets (IPv4 and IPv6) sit in a prefix trie.
 */
export class Blocklist {
  /** kind → normalised value → expiresAt. */
  private readonly entries = new Map<BlockKind, Map<string, number>>(
    KINDS.map((k) => [k, new Map()]),
  );
  private readonly subnets = new IpPrefixIndex<number>();
  private count = 0;
  private now = 0;
  private readonly liveAt = (expiresAt: number): boolean => expiresAt > this.now;

  get size(): number {
    return this.count;
  }

  private table(kind: BlockKind): Map<string, number> {
    let m = this.entries.get(kind);
    if (m === undefined) this.entries.set(kind, (m = new Map()));
    return m;
  }

  apply(entry: BlocklistEntry): void {
    const value = blocklistValueKey(entry.kind, entry.value);
    const m = this.table(entry.kind);
    if (!m.has(value)) this.count++;
    m.set(value, entry.expiresAt);
    if (entry.kind === 'subnet') this.subnets.set(value, entry.expiresAt);
  }

  /** A tombstone for the topic key `kind:value` (normalised like an entry). */
  remove(topicKey: string): void {
    const colon = topicKey.indexOf(':');
    if (colon < 0) return;
    const kind = topicKey.slice(0, colon) as BlockKind;
    const m = this.entries.get(kind);
    if (m === undefined) return;
    const value = blocklistValueKey(kind, topicKey.slice(colon + 1));
    if (m.delete(value)) this.count--;
    if (kind === 'subnet') this.subnets.delete(value);
  }

  private live(kind: BlockKind, value: string | undefined): boolean {
    if (value === undefined || value === '') return false;
    const exp = this.entries.get(kind)?.get(value);
    return exp !== undefined && exp > this.now;
  }

  /** The kind that blocks this traffic, or undefined when it may bid. */
  match(t: TrafficKeys, now: number): BlockKind | undefined {
    if (this.count === 0) return undefined;
    this.now = now;
    const ip = t.ip === undefined ? undefined : ipKey(t.ip);
    if (ip !== undefined) {
      if (this.live('ip', ip)) return 'ip';
      if (this.subnets.size > 0 && this.subnets.find(ip, this.liveAt) !== undefined)
        return 'subnet';
    }
    if (t.siteDomain !== undefined && this.live('site', domainKey(t.siteDomain))) return 'site';
    if (t.appBundle !== undefined && this.live('app', bundleKey(t.appBundle))) return 'app';
    if (this.live('publisher', t.publisherId)) return 'publisher';
    if (this.live('cookie', t.userId)) return 'cookie';
    return undefined;
  }
}
