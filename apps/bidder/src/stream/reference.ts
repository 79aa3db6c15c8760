import type { ConsumedRecord, Logger } from '@streambid/adapters';
import type { BotRules, DatacentreRanges, SellersList } from '@streambid/contracts';
import {
  compileBotRules,
  DataCentreIndex,
  domainKey,
  PROJECT_BOT_UA,
  rangesProblem,
  ReferenceHistory,
  type ReferenceVersion,
} from '@streambid/reference-data';
import { SellersDirectory } from '../domain/sellers.js';

/** What the reference data is applied to: the serving thread's pre-bid filter. */
export interface ReferenceTarget {
  useDatacentre(index: DataCentreIndex): void;
  useBotRules(rules: RegExp): void;
}

/** A reference-data message that cannot be applied; the consumer dead-letters it with this reason. */
export class ReferenceDataError extends Error {
  readonly code = 'REFERENCE_DATA_INVALID';
  readonly retriable = false;
}

/** The version number in a reference-data key (`v3`, `ssp.example:v3`), for tombstones. */
function versionOfKey(key: string): { list: string | undefined; version: number } | null {
  const m = /^(?:(.*):)?v(\d{1,10})$/.exec(key);
  if (!m?.[2]) return null;
  return { list: m[1], version: Number(m[2]) };
}

/** Which version of each list is in force (0: the built-in or configured default). */
export interface ReferenceInForce {
  bots: number;
  datacentre: number;
  /** By ad-system domain; only lists with a topic version in force. */
  sellers: ReadonlyMap<string, number>;
}

/**
 * The bidder's reference data from the `reference-*` topics: every version of each list (the
 * topics are keyed by version), and the one in force now — the highest version whose
 * `effectiveFrom` has passed (`ReferenceHistory`). When that changes (a message arrives, or a
 * scheduled version's time comes: {@link refresh}), the new index is built in full and then
 * swapped into the target, so a request sees either the old version or the new one. Until a
 * topic version is in force the built-in lists of `@streambid/reference-data` apply, and for
 * sellers the `BIDDER_SELLERS_JSON` files.
 */
export class ReferenceView {
  /** The sellers lists: topic versions in force, else the configured files (`fallback`). */
  readonly sellers: SellersDirectory;
  private readonly bots = new ReferenceHistory<BotRules>();
  private readonly datacentre = new ReferenceHistory<DatacentreRanges>();
  private readonly sellerLists = new Map<string, ReferenceHistory<SellersList>>();
  private target: ReferenceTarget | undefined;
  private current: ReferenceInForce = { bots: 0, datacentre: 0, sellers: new Map() };
  private rules: RegExp = PROJECT_BOT_UA;
  private index: DataCentreIndex | undefined;
  private readonly log: Logger;

  constructor(configuredSellers: SellersDirectory | undefined, logger: Logger) {
    this.sellers = new SellersDirectory(configuredSellers);
    this.log = logger.child({ module: 'reference' });
  }

  /** The versions in force now. */
  get inForce(): ReferenceInForce {
    return this.current;
  }

  /** Applies to `target` from now on, starting with what is in force now. */
  bind(target: ReferenceTarget): void {
    this.target = target;
    target.useBotRules(this.rules);
    if (this.index) target.useDatacentre(this.index);
  }

  applyBots(records: readonly ConsumedRecord<BotRules>[], now = Date.now()): void {
    for (const r of records) this.put(this.bots, r, undefined);
    this.refresh(now);
  }

  /** Throws a {@link ReferenceDataError} for a version with a malformed range (dead-lettered). */
  applyDatacentre(records: readonly ConsumedRecord<DatacentreRanges>[], now = Date.now()): void {
    try {
      for (const r of records) {
        const problem = r.value ? rangesProblem(r.value.ranges) : null;
        if (problem !== null)
          throw new ReferenceDataError(
            `data-centre version ${String(r.value?.version)}: ${problem}`,
          );
        this.put(this.datacentre, r, undefined);
      }
    } finally {
      this.refresh(now);
    }
  }

  applySellers(records: readonly ConsumedRecord<SellersList>[], now = Date.now()): void {
    for (const r of records) {
      const asi = r.value ? domainKey(r.value.asi) : versionOfKey(r.key ?? '')?.list;
      if (asi === undefined) continue;
      let h = this.sellerLists.get(domainKey(asi));
      if (!h) this.sellerLists.set(domainKey(asi), (h = new ReferenceHistory()));
      this.put(h, r, asi);
    }
    this.refresh(now);
  }

  private put<T extends { version: number; effectiveFrom: number }>(
    h: ReferenceHistory<T>,
    r: ConsumedRecord<T>,
    list: string | undefined,
  ): void {
    if (r.value) {
      h.put({ version: r.value.version, effectiveFrom: r.value.effectiveFrom, value: r.value });
      return;
    }
    const k = versionOfKey(r.key ?? '');
    if (k && (list === undefined || k.list === undefined || domainKey(k.list) === domainKey(list)))
      h.remove(k.version);
  }

  /**
   * Re-evaluates which version of each list is in force at `now`, and swaps in the ones that
   * changed. Cheap when nothing changed (a binary search per list); called on every message batch
   * and once a second, so a version scheduled for later comes into force within a second.
   */
  refresh(now = Date.now()): void {
    const bots = this.bots.at(now);
    if ((bots?.version ?? 0) !== this.current.bots) this.swapBots(bots);
    const dc = this.datacentre.at(now);
    if ((dc?.version ?? 0) !== this.current.datacentre) this.swapDatacentre(dc);
    for (const [asi, h] of this.sellerLists) {
      const v = h.at(now);
      if ((v?.version ?? 0) === (this.current.sellers.get(asi) ?? 0)) continue;
      const sellers = new Map(this.current.sellers);
      if (v) {
        this.sellers.load(asi, v.value);
        sellers.set(asi, v.version);
      } else {
        this.sellers.remove(asi);
        sellers.delete(asi);
      }
      this.current = { ...this.current, sellers };
      this.log.info({ asi, version: v?.version ?? 0 }, 'sellers list in force');
    }
  }

  private swapBots(v: ReferenceVersion<BotRules> | null): void {
    // Patterns were checked by the topic's schema; compile cannot fail here.
    this.rules = v ? compileBotRules(v.value.patterns) : PROJECT_BOT_UA;
    this.target?.useBotRules(this.rules);
    this.current = { ...this.current, bots: v?.version ?? 0 };
    this.log.info({ version: v?.version ?? 0 }, 'bot rules in force');
  }

  private swapDatacentre(v: ReferenceVersion<DatacentreRanges> | null): void {
    const index = v ? new DataCentreIndex(v.value.ranges) : new DataCentreIndex();
    this.index = index;
    this.target?.useDatacentre(index);
    this.current = { ...this.current, datacentre: v?.version ?? 0 };
    this.log.info({ version: v?.version ?? 0, ranges: index.size }, 'data-centre ranges in force');
  }
}
