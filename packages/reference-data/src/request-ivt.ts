import type { DataCentreIndex } from './datacentre.js';
import { ipKey } from './normalise.js';
import { UserAgentClass } from './user-agent.js';

/**
 * The invalid-traffic reasons a bid request shows by itself (general IVT: no history, no
 * blocklist, no supply chain), in the order the bidder's pre-bid filter runs them and under its
 * names (`bidder_prebid_ivt_total{reason}`).
 */
export const REQUEST_IVT_REASONS = ['invalid_ip', 'datacentre', 'bot_ua', 'non_browser'] as const;
export type RequestIvtReason = (typeof REQUEST_IVT_REASONS)[number];

/** What a bid request says about its client. */
export interface RequestIvtFacts {
  /** `device.ip`, as sent. */
  ip?: string | undefined;
  /** `device.ipv6`, as sent. */
  ipv6?: string | undefined;
  /** `device.ua`, as sent. */
  ua?: string | undefined;
  /** Web inventory (`site`, no `app`): only there must the agent be a browser's. */
  web: boolean;
}

/** The reference data the checks read: built once per thread, shared across requests. */
export interface RequestIvtLookups {
  datacentre: DataCentreIndex;
  /** `UserAgentClassifier` (memoised) or any `classifyUserAgent` with the same answers. */
  userAgents: { classify(ua: string | undefined): UserAgentClass };
}

const ANY = (): boolean => true;

/**
 * The first pre-bid reason that applies to a request and that `consider` accepts, or undefined.
 * `consider` is how a caller skips reasons it has switched off or only flags (the bidder's
 * `nobid`/`flag`/`off` actions). An address that does not parse is `invalid_ip`; an unparsable or
 * missing agent is neither a bot nor a non-browser here (the post-click scorer is stricter). Pure:
 * no I/O, no allocation for an IPv4 request whose canonical form is its own text.
 */
export function prebidReason(
  facts: RequestIvtFacts,
  lookups: RequestIvtLookups,
  consider: (reason: RequestIvtReason) => boolean = ANY,
): RequestIvtReason | undefined {
  const { ip, ipv6 } = facts;
  const key4 = ip === undefined ? undefined : ipKey(ip);
  const key6 = ipv6 === undefined ? undefined : ipKey(ipv6);
  if (
    ((ip !== undefined && key4 === undefined) || (ipv6 !== undefined && key6 === undefined)) &&
    consider('invalid_ip')
  )
    return 'invalid_ip';
  if (
    ((key4 !== undefined && lookups.datacentre.lookup(key4) !== null) ||
      (key6 !== undefined && lookups.datacentre.lookup(key6) !== null)) &&
    consider('datacentre')
  )
    return 'datacentre';
  const ua = lookups.userAgents.classify(facts.ua);
  if (ua === UserAgentClass.bot && consider('bot_ua')) return 'bot_ua';
  if (ua === UserAgentClass.nonBrowser && facts.web && consider('non_browser'))
    return 'non_browser';
  return undefined;
}
