import type { ReportRow } from './query.js';

const COLUMNS = [
  'key',
  'clicks',
  'invalid_clicks',
  'score',
  'avg_click_score',
  'impressions',
  'ctr',
  'reasons',
] as const;

function cell(r: ReportRow, c: (typeof COLUMNS)[number]): string {
  const v = r[c];
  return Array.isArray(v) ? v.join(' ') : String(v);
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; formula-leading cells defused. */
export function csvField(s: string): string {
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

export function formatReport(rows: readonly ReportRow[], format: 'table' | 'json' | 'csv'): string {
  if (format === 'json') return `${JSON.stringify(rows)}\n`;
  if (format === 'csv')
    return `${[COLUMNS.join(','), ...rows.map((r) => COLUMNS.map((c) => csvField(cell(r, c))).join(','))].join('\n')}\n`;
  const cells = rows.map((r) => COLUMNS.map((c) => cell(r, c)));
  const widths = COLUMNS.map((c, i) =>
    Math.max(c.length, ...cells.map((row) => (row[i] ?? '').length)),
  );
  const line = (xs: readonly string[]): string =>
    xs
      .map((x, i) =>
        i === 0 || i === xs.length - 1 ? x.padEnd(widths[i] ?? 0) : x.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return `${[line(COLUMNS), ...cells.map(line)].join('\n')}\n(${String(rows.length)} rows)\n`;
}
