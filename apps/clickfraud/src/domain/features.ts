import type { ClickEvent, ImpressionEvent } from '@streambid/contracts';
import { isBotUserAgent, ReferenceAtTime } from '@streambid/reference-data';

/** Where a row came from in Kafka; stored with the row so a replay resumes exactly (see replay/). */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

// The bot rule is shared with the bidder's pre-bid filter: one source of truth in reference data.
export { isBotUserAgent };

/**
 * A dotted-quad IPv4 address (four parts of 1–3 ASCII digits, each ≤ 255) as an unsigned 32-bit
 * integer, or -1 for anything else (IPv6, garbage). Same answers as `ipv4ToInt` of
 * @streambid/reference-data, without the split and regular expressions: it runs once per replayed click.
 */
export function ipv4Int(ip: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < ip.length; i++) {
    const c = ip.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || part > 255 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57 && digits < 3) {
      part = part * 10 + (c - 48);
      digits++;
    } else return -1;
  }
  return dots === 3 && digits > 0 && part <= 255 ? n * 256 + part : -1;
}

/** The /24 of an IPv4 address (`1.2.3.0/24`); IPv6 and garbage map to the address itself. */
export function subnetOf(ip: string): string {
  return ipv4Int(ip) < 0 ? ip : `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
}

/** A clicks-table row as sent to ClickHouse (DateTime as unix seconds). */
export interface ClickRow {
  ts: number;
  ts_ms: number;
  region: string;
  event_id: string;
  bid_id: string;
  campaign_id: string;
  creative_id: string;
  user_id: string;
  ip: string;
  subnet: string;
  ua: string;
  inventory: string;
  is_app: number;
  publisher: string;
  placement: string;
  country: string;
  device_type: number;
  /** The privacy rule the event was stored under ('' for events from before the field). */
  privacy_basis: string;
  /** The permissions that rule applied, as `privacyField` bits (0 when unknown). */
  privacy_p: number;
  impression_ts_ms: number;
  ctit_ms: number;
  dc_provider: string;
  bot_ua: number;
  src_topic: string;
  src_partition: number;
  src_offset: string;
}

export type ImpressionRow = Omit<
  ClickRow,
  'impression_ts_ms' | 'ctit_ms' | 'dc_provider' | 'bot_ua'
>;

/** Columns of an impressions-table row, in insert order. */
export const IMPRESSION_COLUMNS = [
  'ts',
  'ts_ms',
  'region',
  'event_id',
  'bid_id',
  'campaign_id',
  'creative_id',
  'user_id',
  'ip',
  'subnet',
  'ua',
  'inventory',
  'is_app',
  'publisher',
  'placement',
  'country',
  'device_type',
  'privacy_basis',
  'privacy_p',
  'src_topic',
  'src_partition',
  'src_offset',
] as const satisfies readonly (keyof ImpressionRow)[];

/** Columns of a clicks-table row, in insert order. */
export const CLICK_COLUMNS = [
  ...IMPRESSION_COLUMNS,
  'impression_ts_ms',
  'ctit_ms',
  'dc_provider',
  'bot_ua',
] as const satisfies readonly (keyof ClickRow)[];

/**
 * Turns events into rows with the per-event features scoring needs. The data-centre list and the
 * bot rules are those in force at the event's time (`reference`: the versions of the
 * `reference-*` topics, else the built-in lists), so replaying an old window applies the lists of
 * then. The user-agent test is memoised per version (agents repeat heavily), bounded.
 */
export class FeatureExtractor {
  constructor(private readonly reference: ReferenceAtTime = new ReferenceAtTime()) {}

  /** The data-centre provider, at `ts`, of an IPv4 address given as an integer, or ''. */
  dcProvider(n: number, ts: number): string {
    return this.reference.at(ts).datacentre.lookupInt(n) ?? '';
  }

  /** {@link isBotUserAgent} under the bot rules in force at `ts`, memoised. */
  botUa(ua: string | undefined, ts: number): boolean {
    return this.reference.at(ts).botUa(ua);
  }

  impression(e: ImpressionEvent, src: SourcePosition): ImpressionRow {
    const ip = e.ip ?? '';
    return rawRow(e, ip, ip === '' ? '' : subnetOf(ip), src);
  }

  click(e: ClickEvent, src: SourcePosition): ClickRow {
    // Built as one literal (no spread, no Object.assign): this runs once per replayed click.
    const ip = e.ip ?? '';
    // Parse the address once for both the /24 and the data-centre lookup.
    const n = ip === '' ? -1 : ipv4Int(ip);
    const impressionTs = e.impressionTs;
    return {
      ts: Math.floor(e.ts / 1000),
      ts_ms: e.ts,
      region: e.region,
      event_id: e.eventId,
      bid_id: e.bidId,
      campaign_id: e.campaignId,
      creative_id: e.creativeId,
      user_id: e.userId ?? '',
      ip,
      subnet: n < 0 ? ip : `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`,
      ua: e.ua ?? '',
      inventory: e.siteDomain ?? e.appBundle ?? '',
      is_app: e.siteDomain === undefined && e.appBundle !== undefined ? 1 : 0,
      publisher: e.publisherId ?? '',
      placement: e.placement ?? '',
      country: e.country ?? '',
      device_type: e.deviceType ?? 0,
      privacy_basis: e.privacy?.basis ?? '',
      privacy_p: e.privacy?.p ?? 0,
      src_topic: src.topic,
      src_partition: src.partition,
      src_offset: src.offset,
      impression_ts_ms: impressionTs ?? 0,
      // -1 = unknown: the tracker did not know when the impression rendered.
      ctit_ms: impressionTs === undefined ? -1 : e.ts - impressionTs,
      dc_provider: n < 0 ? '' : this.dcProvider(n, e.ts),
      bot_ua: this.botUa(e.ua, e.ts) ? 1 : 0,
    };
  }
}

/** The columns clicks and impressions share (FeatureExtractor.click spells them out itself). */
function rawRow(
  e: ImpressionEvent | ClickEvent,
  ip: string,
  subnet: string,
  src: SourcePosition,
): ImpressionRow {
  return {
    ts: Math.floor(e.ts / 1000),
    ts_ms: e.ts,
    region: e.region,
    event_id: e.eventId,
    bid_id: e.bidId,
    campaign_id: e.campaignId,
    creative_id: e.creativeId,
    user_id: e.userId ?? '',
    ip,
    subnet,
    ua: e.ua ?? '',
    inventory: e.siteDomain ?? e.appBundle ?? '',
    is_app: e.siteDomain === undefined && e.appBundle !== undefined ? 1 : 0,
    publisher: e.publisherId ?? '',
    placement: e.placement ?? '',
    country: e.country ?? '',
    device_type: e.deviceType ?? 0,
    privacy_basis: e.privacy?.basis ?? '',
    privacy_p: e.privacy?.p ?? 0,
    src_topic: src.topic,
    src_partition: src.partition,
    src_offset: src.offset,
  };
}
