import { DataCentreIndex, ipKey, isBotUserAgent } from '@streambid/reference-data';
import type { Visit } from './exchange.js';

/** Why a visit is invalid traffic the bidder can know before the bid, or null. */
export type KnownBotReason = 'bot_ua' | 'datacentre' | null;

const datacentre = new DataCentreIndex();

/**
 * Whether a visit is pre-bid detectable: a declared bot's user agent or an address in a data
 * centre's range, by the same reference data the bidder's pre-bid checks read. A bid on such a
 * visit is counted in `bids_on_known_bots`, whose goal is 0.
 */
export function knownBotReason(v: Pick<Visit, 'ip' | 'ua'>): KnownBotReason {
  if (isBotUserAgent(v.ua)) return 'bot_ua';
  const ip = ipKey(v.ip);
  return ip !== undefined && datacentre.lookup(ip) !== null ? 'datacentre' : null;
}
