import type { Spend } from '@streambid/contracts';
import type { SourcePosition } from '../domain/features.js';
import { tsvLine } from './tsv.js';

/** A row of the spend ledger (`schema/ledger.ts`) as sent to ClickHouse (DateTime as unix seconds). */
export interface SpendRow {
  bid_id: string;
  event_id: string;
  ts: number;
  ts_ms: number;
  region: string;
  campaign_id: string;
  creative_id: string;
  request_id: string;
  cpm_micros: number;
  amount_micros: number;
  currency: string;
  notice: string;
  exchange: string;
  src_topic: string;
  src_partition: number;
  src_offset: string;
}

/** Columns of the spend table, in the order lines are encoded. */
export const SPEND_COLUMNS = [
  'bid_id',
  'event_id',
  'ts',
  'ts_ms',
  'region',
  'campaign_id',
  'creative_id',
  'request_id',
  'cpm_micros',
  'amount_micros',
  'currency',
  'notice',
  'exchange',
  'src_topic',
  'src_partition',
  'src_offset',
] as const satisfies readonly (keyof SpendRow)[];

export function spendRow(s: Spend, src: SourcePosition): SpendRow {
  return {
    bid_id: s.bidId,
    event_id: s.eventId,
    ts: Math.floor(s.ts / 1000),
    ts_ms: s.ts,
    region: s.region,
    campaign_id: s.campaignId,
    creative_id: s.creativeId,
    request_id: s.requestId,
    cpm_micros: s.cpmMicros,
    amount_micros: s.amountMicros,
    currency: s.currency,
    notice: s.notice ?? '',
    exchange: s.exchange ?? '',
    src_topic: src.topic,
    src_partition: src.partition,
    src_offset: src.offset,
  };
}

/** One TabSeparated line of the spend table: spend is a small stream, the general encoder will do. */
export function spendLine(s: Spend, src: SourcePosition): string {
  return tsvLine(SPEND_COLUMNS, spendRow(s, src));
}
