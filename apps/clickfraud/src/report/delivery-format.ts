import { csvField } from './format.js';
import type { DeliveryReport, DeliveryRow } from './delivery.js';

const COLUMNS = [
  'key',
  'bids',
  'wins',
  'win_rate',
  'losses',
  'impressions',
  'clicks',
  'ctr',
  'billed',
  'spend_micros',
  'ecpm_micros',
  'ecpc_micros',
  'plan_micros',
  'pacing',
] as const satisfies readonly (keyof DeliveryRow)[];

const cell = (r: DeliveryRow, c: (typeof COLUMNS)[number]): string => {
  const v = r[c];
  return v === null ? '' : String(v);
};

/**
 * `json`: the report as one JSON line. `csv`: a header and one line per row. `table`: aligned
 * columns, a totals line, then the report as one JSON line (the last line, as `--format json`).
 */
export function formatDelivery(r: DeliveryReport, format: 'table' | 'json' | 'csv'): string {
  const json = `${JSON.stringify(r)}\n`;
  if (format === 'json') return json;
  if (format === 'csv')
    return `${[COLUMNS.join(','), ...r.rows.map((row) => COLUMNS.map((c) => csvField(cell(row, c))).join(','))].join('\n')}\n`;
  const cells = r.rows.map((row) => COLUMNS.map((c) => cell(row, c)));
  const widths = COLUMNS.map((c, i) =>
    Math.max(c.length, ...cells.map((x) => (x[i] ?? '').length)),
  );
  const line = (xs: readonly string[]): string =>
    xs
      .map((x, i) => (i === 0 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const t = r.totals;
  return [
    line(COLUMNS),
    ...cells.map(line),
    `(${String(r.rows.length)} of ${String(r.total_rows)} rows; totals: ${String(t.bids)} bids, ${String(t.wins)} wins, ${String(t.impressions)} impressions, ${String(t.clicks)} clicks, ${String(t.spend_micros)} spend micros)`,
    ...(r.pacing_note === undefined ? [] : [`note: ${r.pacing_note}`]),
    json,
  ].join('\n');
}
