import type { ClickEvent, ImpressionEvent } from '@streambid/contracts';
import { DataCentreIndex, ipv4ToInt } from '@streambid/traffic';

/** Where a row came from in Kafka; stored with the row so a replay resumes exactly (see replay/). */
export interface SourcePosition {
  topic: string;
  partition: number;
  offset: string;
}

/** Declared bots, headless browsers, HTTP libraries and scrapers (general invalid traffic). */
const BOT_UA =
  /bot\b|bot\/|crawl|spider|slurp|headless|python|curl\/|wget|go-http|java\/|scrapy|httpclient|okhttp|libwww|phantomjs|selenium|puppeteer|playwright/i;

/** A user agent that is missing or names a crawler or a non-browser client. */
export function isBotUserAgent(ua: string | undefined): boolean {
  return ua === undefined || ua.trim() === '' || BOT_UA.test(ua);
}

/** The /24 of an IPv4 address (`1.2.3.0/24`); IPv6 and garbage map to the address itself. */
export function subnetOf(ip: string): string {
  const n = ipv4ToInt(ip);
  if (n === null) return ip;
  const p = ip.split('.');
  return `${p[0] ?? ''}.${p[1] ?? ''}.${p[2] ?? ''}.0/24`;
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
 * Turns events into rows with the per-event features scoring needs. Memoises the user-agent test
 * (agents repeat heavily) with a bounded cache.
 */
export class FeatureExtractor {
  private readonly uaCache = new Map<string, boolean>();
  constructor(private readonly dc: DataCentreIndex = new DataCentreIndex()) {}

  private botUa(ua: string | undefined): boolean {
    if (ua === undefined) return true;
    let v = this.uaCache.get(ua);
    if (v === undefined) {
      v = isBotUserAgent(ua);
      if (this.uaCache.size > 10_000) this.uaCache.clear();
      this.uaCache.set(ua, v);
    }
    return v;
  }

  impression(e: ImpressionEvent, src: SourcePosition): ImpressionRow {
    const ip = e.ip ?? '';
    return rawRow(e, ip, ip === '' ? '' : subnetOf(ip), src);
  }

  click(e: ClickEvent, src: SourcePosition): ClickRow {
    // Built field by field (no object spread): this runs once per replayed click.
    const ip = e.ip ?? '';
    // Parse the address once for both the /24 and the data-centre lookup.
    const n = ip === '' ? null : ipv4ToInt(ip);
    const subnet = n === null ? ip : `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
    return Object.assign(rawRow(e, ip, subnet, src), {
      impression_ts_ms: e.impressionTs ?? 0,
      // -1 = unknown: the tracker did not know when the impression rendered.
      ctit_ms: e.impressionTs === undefined ? -1 : e.ts - e.impressionTs,
      dc_provider: n === null ? '' : (this.dc.lookupInt(n) ?? ''),
      bot_ua: this.botUa(e.ua) ? 1 : 0,
    });
  }
}

/** The columns clicks and impressions share. */
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
    src_topic: src.topic,
    src_partition: src.partition,
    src_offset: src.offset,
  };
}
