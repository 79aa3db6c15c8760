import { NoBidReason } from '@streambid/contracts';

/**
 * Every reason the bidder does not bid, each with the OpenRTB no-bid reason code (`nbr`, the
 * list "No-Bid Reason Codes" that OpenRTB 2.6 refers to) it is reported as. The name is the
 * `reason` label of `bidder_nobids_total`; the code goes on the no-bid response of an exchange
 * that takes one (`BIDDER_EXCHANGES`, `id:billOn:nbr`). Most are a buyer's choice, for which the
 * list has only 0 (unknown).
 */
export const NO_BID = {
  /** The views have not caught up with the log yet. */
  not_ready: NoBidReason.technicalError,
  /** The decision finished after the request's deadline. */
  deadline: NoBidReason.insufficientAuctionTime,
  // Pre-bid invalid-traffic checks (`prebid.ts`, each configurable as no bid or bid with a flag).
  /** The site, app, publisher, user or IP is on the fraud blocklist (invalid traffic). */
  blocked: NoBidReason.suspectedNonHumanTraffic,
  /** `device.ip` or `device.ipv6` is not an IP address. */
  invalid_ip: NoBidReason.invalidRequest,
  /** The IP is in a data-centre or hosting range. */
  datacentre: NoBidReason.cloudOrProxyIp,
  /** The user agent is a declared bot, crawler or non-browser client the bot rules name. */
  bot_ua: NoBidReason.knownWebSpider,
  /** Web inventory with a user agent that is no browser's. */
  non_browser: NoBidReason.suspectedNonHumanTraffic,
  /** The supply chain object is malformed (or has more than `LIMITS.schainNodes` nodes). */
  schain_invalid: NoBidReason.invalidRequest,
  /** A supply-chain node's seller is not in its ad system's sellers.json. */
  seller_unknown: NoBidReason.blockedSupplyChainNode,
  /** `wseat`/`bseat` exclude our seat. */
  seat: NoBidReason.unknownError,
  /** A floor or the response in a currency we have no rate for. */
  unknown_currency: NoBidReason.invalidRequest,
  /** No campaign for the impressions' format, country and device. */
  no_candidates: NoBidReason.unknownError,
  /** Candidates, but none whose targeting matches. */
  no_match: NoBidReason.unknownError,
  /** Matching campaigns, all below the floor. */
  below_floor: NoBidReason.unknownError,
  /** The cookie profile could not be read in time. */
  profile_unavailable: NoBidReason.technicalError,
  /** The user opted out of profiling. */
  opted_out: NoBidReason.unmatchedUser,
  /** The user is in none of the campaign's segments. */
  segment: NoBidReason.unmatchedUser,
  /** The consent policy rules the campaign out (segments or a cookie cap without a basis). */
  privacy: NoBidReason.unknownError,
  /** The request requires DSA disclosure and no candidate campaign has any. */
  dsa: NoBidReason.unknownError,
  /** The user reached the campaign's frequency cap. */
  frequency_cap: NoBidReason.dailyReaderCapMet,
  /** No budget allowance for this region. */
  no_allowance: NoBidReason.unknownError,
  /** The campaign's budget is spent everywhere. */
  exhausted: NoBidReason.unknownError,
  /** This region's allowance is spent. */
  budget_spent: NoBidReason.unknownError,
  /** Spending now would outrun the campaign's pace. */
  pacing: NoBidReason.unknownError,
} as const satisfies Record<string, NoBidReason>;

export type NoBid = keyof typeof NO_BID;

/** The reasons, for metrics that pre-create their label children. */
export const NO_BID_REASONS = Object.keys(NO_BID) as NoBid[];
