import type { BidRequest } from '@streambid/contracts';
import {
  DataCentreIndex,
  prebidReason,
  UserAgentClassifier,
  type RequestIvtFacts,
} from '@streambid/reference-data';
import type { Blocklist, TrafficKeys } from './blocklist.js';
import type { RequestFacts } from './matching.js';
import { ChainStatus } from './schain.js';

/**
 * The pre-bid invalid-traffic checks, in the order they run (cheapest and surest first). Each is
 * also a no-bid reason (`no-bid.ts`, with its OpenRTB code) and a `reason` of
 * `bidder_prebid_ivt_total`.
 */
export const PREBID_REASONS = [
  /** On the fraud blocklist (IP, subnet, site, app, publisher, user), keys normalised. */
  'blocked',
  /** `device.ip` / `device.ipv6` is not an address (`@streambid/reference-data` `ip.ts`). */
  'invalid_ip',
  /** The address is in a cloud or hosting provider's range (IPv4 or IPv6). */
  'datacentre',
  /** The user agent is a declared bot or crawler (`isbot`) or one the project's rules name. */
  'bot_ua',
  /** Web inventory (`site`) with a user agent that is not a browser's. Apps are exempt. */
  'non_browser',
  /** The supply chain object is malformed (`schain.ts`). */
  'schain_invalid',
  /** A supply-chain node names a seller its ad system's sellers.json does not list. */
  'seller_unknown',
] as const;
export type PrebidReason = (typeof PREBID_REASONS)[number];

/**
 * What a reason does: `nobid` refuses the request; `flag` bids, at a lower price and marked
 * (`bid.ext.ivt`, the bid event's `ivt`); `off` skips the check.
 */
export const PrebidAction = { nobid: 'nobid', flag: 'flag', off: 'off' } as const;
export type PrebidAction = (typeof PrebidAction)[keyof typeof PrebidAction];

export type PrebidActions = Readonly<Record<PrebidReason, PrebidAction>>;

/** Every reason with the same action (tests, benches; the bidder reads its configuration). */
export function everyPrebid(action: PrebidAction): PrebidActions {
  return Object.fromEntries(PREBID_REASONS.map((r) => [r, action])) as Record<
    PrebidReason,
    PrebidAction
  >;
}

/** What a request is: clean, refused for a reason, or to be bid on with a flag. */
export interface PrebidVerdict {
  /** The deciding reason: the first one configured `nobid`, else the first one flagged. */
  reason: PrebidReason | undefined;
  action: PrebidAction;
}

/** Reusable verdict object: one serving thread decides one request at a time. */
const CLEAN: PrebidVerdict = { reason: undefined, action: PrebidAction.off };

/**
 * The pre-bid checks of a serving thread, built once: the data-centre trie, a memo of user-agent
 * classes, the blocklist view and each reason's action. `check` allocates nothing for a clean
 * IPv4 request (the canonical address is the request's own string).
 */
export class PrebidFilter {
  private readonly verdict: PrebidVerdict = { reason: undefined, action: PrebidAction.off };
  /** The data-centre trie and the user-agent memo in force (swapped whole on a new version). */
  private readonly lookups: { datacentre: DataCentreIndex; userAgents: UserAgentClassifier };

  constructor(
    private readonly actions: PrebidActions,
    private readonly blocklist: Blocklist,
    datacentre: DataCentreIndex = new DataCentreIndex(),
  ) {
    this.lookups = { datacentre, userAgents: new UserAgentClassifier() };
  }

  /**
   * Swaps in another data-centre index (a reference-data version came into force): built by the
   * caller beforehand, so a request sees the old index or the new one, never a half-built one.
   */
  useDatacentre(index: DataCentreIndex): void {
    this.lookups.datacentre = index;
  }

  /** Swaps in other bot rules, with a fresh memo of user-agent classes. */
  useBotRules(rules: RegExp): void {
    this.lookups.userAgents = new UserAgentClassifier(10_000, rules);
  }

  /**
   * Runs the checks that are on; returns at the first `nobid` reason, else the first flagged one,
   * else a clean verdict. `chain` is `assessSupplyChain` of the request; `userId` the request's.
   * The result is valid until the next call.
   */
  check(
    req: BidRequest,
    f: RequestFacts,
    chain: ChainStatus,
    userId: string | undefined,
    now: number,
  ): PrebidVerdict {
    const a = this.actions;
    const device = req.device;
    const ip = device?.ip;
    const ipv6 = device?.ipv6;
    this.flagged = undefined;
    const hit = this.hit;
    if (
      a.blocked !== PrebidAction.off &&
      this.blocklist.match(this.keysOf(ip ?? ipv6, f, userId), now) !== undefined &&
      hit('blocked')
    )
      return this.decide('blocked');
    // The checks a request shows by itself: the reference data's one rule, also the eval's.
    const facts = this.facts;
    facts.ip = ip;
    facts.ipv6 = ipv6;
    facts.ua = device?.ua;
    facts.web = req.site !== undefined && req.app === undefined;
    const general = prebidReason(facts, this.lookups, this.considered);
    if (general !== undefined) return this.decide(general);
    if (
      chain === ChainStatus.invalid &&
      a.schain_invalid !== PrebidAction.off &&
      hit('schain_invalid')
    )
      return this.decide('schain_invalid');
    if (
      chain === ChainStatus.unknownSeller &&
      a.seller_unknown !== PrebidAction.off &&
      hit('seller_unknown')
    )
      return this.decide('seller_unknown');
    return this.flagged === undefined ? CLEAN : this.decide(this.flagged);
  }

  /** Scratch keys for the blocklist: one object per thread, not one per request. */
  private readonly keys: TrafficKeys = {};
  private keysOf(ip: string | undefined, f: RequestFacts, userId: string | undefined): TrafficKeys {
    const k = this.keys;
    k.ip = ip;
    k.siteDomain = f.siteDomain;
    k.appBundle = f.appBundle;
    k.publisherId = f.publisherId;
    k.userId = userId;
    return k;
  }

  /** Scratch facts for the request checks: one object per thread. */
  private readonly facts: RequestIvtFacts = { web: false };
  /** A reason that is on and refuses the request (`hit`); bound once. */
  private readonly considered = (r: PrebidReason): boolean =>
    this.actions[r] !== PrebidAction.off && this.hit(r);

  private flagged: PrebidReason | undefined;
  /** Whether a reason that matched refuses the request; a flagged one is remembered. Bound once. */
  private readonly hit = (r: PrebidReason): boolean => {
    if (this.actions[r] === PrebidAction.nobid) return true;
    this.flagged ??= r;
    return false;
  };

  private decide(reason: PrebidReason): PrebidVerdict {
    this.verdict.reason = reason;
    this.verdict.action = this.actions[reason];
    return this.verdict;
  }
}

/** Price of a flagged bid: `share` of the normal price, never under the floor. */
export function flaggedPrice(priceUsd: number, floorUsd: number, share: number): number {
  return Math.max(floorUsd, Math.round(priceUsd * share));
}
