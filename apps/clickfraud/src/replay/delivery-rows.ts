import type { BidEvent, LossEvent, WinEvent } from '@streambid/contracts';
import type { SourcePosition } from '../domain/features.js';
import { tsvLine } from './tsv.js';

/**
 * Rows of the delivery tables (`schema/delivery.ts`) as sent to ClickHouse (DateTime as unix
 * seconds). Bids, wins and losses are small next to clicks and impressions per byte of work, so
 * the general TabSeparated encoder does.
 */

/** The site domain or app bundle an event was bought on, and whether it is an app. */
function place(e: {
  siteDomain?: string | undefined;
  appBundle?: string | undefined;
  publisherId?: string | undefined;
  country?: string | undefined;
}): { publisher: string; inventory: string; is_app: number; country: string } {
  const app = e.appBundle !== undefined && e.appBundle !== '';
  return {
    publisher: e.publisherId ?? '',
    inventory: app ? (e.appBundle ?? '') : (e.siteDomain ?? ''),
    is_app: app ? 1 : 0,
    country: e.country ?? '',
  };
}

function head(
  e: { ts: number; region: string; eventId: string; test?: true | undefined },
  src: SourcePosition,
) {
  return {
    ts: Math.floor(e.ts / 1000),
    ts_ms: e.ts,
    region: e.region,
    event_id: e.eventId,
    test: e.test === true ? 1 : 0,
    src_topic: src.topic,
    src_partition: src.partition,
    src_offset: src.offset,
  };
}

/** What every bid, win and loss names: the bid, its request and impression, campaign and creative. */
function ids(e: Pick<BidEvent, 'bidId' | 'requestId' | 'impId' | 'campaignId' | 'creativeId'>) {
  return {
    bid_id: e.bidId,
    request_id: e.requestId,
    imp_id: e.impId,
    campaign_id: e.campaignId,
    creative_id: e.creativeId,
  };
}

const NOTICE_COLUMNS = [
  'ts',
  'ts_ms',
  'region',
  'event_id',
  'bid_id',
  'request_id',
  'imp_id',
  'campaign_id',
  'creative_id',
] as const;
const PLACE_COLUMNS = ['publisher', 'inventory', 'is_app', 'country'] as const;
const SOURCE_COLUMNS = ['src_topic', 'src_partition', 'src_offset'] as const;

/** Columns of the bids table, in the order lines are encoded. */
export const BID_COLUMNS = [
  ...NOTICE_COLUMNS,
  'deal_id',
  'cpm_micros',
  ...PLACE_COLUMNS,
  'device_type',
  'test',
  ...SOURCE_COLUMNS,
] as const;

/** Columns of the wins table. */
export const WIN_COLUMNS = [
  ...NOTICE_COLUMNS,
  'exchange',
  'clearing_cpm_micros',
  'currency',
  ...PLACE_COLUMNS,
  'test',
  ...SOURCE_COLUMNS,
] as const;

/** Columns of the losses table. */
export const LOSS_COLUMNS = [
  ...NOTICE_COLUMNS,
  'exchange',
  'reason',
  'clearing_cpm_micros',
  'test',
  ...SOURCE_COLUMNS,
] as const;

type Row<C extends readonly string[]> = Record<C[number], string | number>;

export function bidRow(e: BidEvent, src: SourcePosition): Row<typeof BID_COLUMNS> {
  return {
    ...head(e, src),
    ...ids(e),
    deal_id: e.dealId ?? '',
    cpm_micros: e.cpmMicros,
    ...place(e),
    // UInt8 column; OpenRTB device types are 1–7, anything else is stored as 0 (unknown).
    device_type:
      e.deviceType !== undefined && e.deviceType >= 0 && e.deviceType <= 255 ? e.deviceType : 0,
  };
}

export function winRow(e: WinEvent, src: SourcePosition): Row<typeof WIN_COLUMNS> {
  return {
    ...head(e, src),
    ...ids(e),
    exchange: e.exchange ?? '',
    clearing_cpm_micros: e.clearingCpmMicros,
    currency: e.currency,
    ...place(e),
  };
}

export function lossRow(e: LossEvent, src: SourcePosition): Row<typeof LOSS_COLUMNS> {
  return {
    ...head(e, src),
    ...ids(e),
    exchange: e.exchange ?? '',
    reason: e.reason ?? -1,
    clearing_cpm_micros: e.clearingCpmMicros ?? 0,
  };
}

export const bidLine = (e: BidEvent, src: SourcePosition): string =>
  tsvLine(BID_COLUMNS, bidRow(e, src));
export const winLine = (e: WinEvent, src: SourcePosition): string =>
  tsvLine(WIN_COLUMNS, winRow(e, src));
export const lossLine = (e: LossEvent, src: SourcePosition): string =>
  tsvLine(LOSS_COLUMNS, lossRow(e, src));
