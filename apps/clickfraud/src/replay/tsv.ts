/**
 * ClickHouse TabSeparated encoding of rows: cheaper than JSONEachRow on both sides (no key names,
 * no JSON escaping in Node, a simpler parser in ClickHouse). Every string goes through
 * {@link tsvEscape}, the only escaping function, unless the source bytes prove it has nothing to
 * escape ({@link isPlainJson}).
 */
import {
  CLICK_COLUMNS,
  IMPRESSION_COLUMNS,
  type ClickRow,
  type ImpressionRow,
} from '../domain/features.js';

const SPECIAL = /[\\\t\n\r]/;
const SPECIAL_ALL = /[\\\t\n\r]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** Escapes a string field: backslash, tab, newline and carriage return become `\\ \t \n \r`. */
export function tsvEscape(s: string): string {
  return SPECIAL.test(s) ? s.replace(SPECIAL_ALL, (c) => ESCAPES[c] ?? c) : s;
}

/** A row whose columns are all strings or finite numbers. */
export type TsvRow<Row> = { [K in keyof Row]: string | number };

/** One TabSeparated line (with its newline) holding `row`'s `columns`, in that order. */
export function tsvLine<Row extends TsvRow<Row>>(
  columns: readonly (keyof Row & string)[],
  row: Row,
): string {
  // Array join builds one flat string; `+=` would build a rope that is flattened later, slower.
  const fields = new Array<string>(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const v: string | number = row[columns[i] as keyof Row & string];
    fields[i] = typeof v === 'number' ? String(v) : tsvEscape(v);
  }
  return fields.join('\t') + '\n';
}

/**
 * A click row as one line in {@link CLICK_COLUMNS} order: the replay's hot path, spelled out field
 * by field (tsv.test.ts checks it against {@link tsvLine}). `plain` says no string field needs
 * escaping — true when the source bytes hold no backslash, since JSON can only carry a tab,
 * newline, carriage return or backslash in a string as a backslash escape — and skips the checks.
 */
export function clickLine(r: ClickRow, plain: boolean): string {
  if (!plain) return tsvLine(CLICK_COLUMNS, r);
  return `${String(r.ts)}\t${String(r.ts_ms)}\t${r.region}\t${r.event_id}\t${r.bid_id}\t${r.campaign_id}\t${r.creative_id}\t${r.user_id}\t${r.ip}\t${r.subnet}\t${r.ua}\t${r.inventory}\t${String(r.is_app)}\t${r.publisher}\t${r.placement}\t${r.country}\t${String(r.device_type)}\t${r.privacy_basis}\t${String(r.privacy_p)}\t${r.src_topic}\t${String(r.src_partition)}\t${r.src_offset}\t${String(r.impression_ts_ms)}\t${String(r.ctit_ms)}\t${r.dc_provider}\t${String(r.bot_ua)}\n`;
}

/** An impression row as one line in {@link IMPRESSION_COLUMNS} order; see {@link clickLine}. */
export function impressionLine(r: ImpressionRow, plain: boolean): string {
  if (!plain) return tsvLine(IMPRESSION_COLUMNS, r);
  return `${String(r.ts)}\t${String(r.ts_ms)}\t${r.region}\t${r.event_id}\t${r.bid_id}\t${r.campaign_id}\t${r.creative_id}\t${r.user_id}\t${r.ip}\t${r.subnet}\t${r.ua}\t${r.inventory}\t${String(r.is_app)}\t${r.publisher}\t${r.placement}\t${r.country}\t${String(r.device_type)}\t${r.privacy_basis}\t${String(r.privacy_p)}\t${r.src_topic}\t${String(r.src_partition)}\t${r.src_offset}\n`;
}

/** Backslash: a JSON message without this byte has no string that TabSeparated must escape. */
const BACKSLASH = 0x5c;

/** True when no string decoded from this JSON message needs TabSeparated escaping. */
export function isPlainJson(raw: Buffer): boolean {
  return raw.indexOf(BACKSLASH) === -1;
}
