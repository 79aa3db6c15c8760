import type { Reconciliation } from './compare.js';

const LISTED = 20;

/** The human part of the output: what was compared, the figures, then every difference. */
export function formatReconciliation(r: Reconciliation): string[] {
  const lines: string[] = [];
  const num = (n: number | null): string => (n === null ? '-' : String(n));
  lines.push(
    `window ${r.window.from ?? 'earliest'} .. ${r.window.to ?? 'latest'} (whole minutes), namespace ${JSON.stringify(r.namespace)}, regions ${r.regions.join(',')}`,
  );
  if ('skipped' in r.ledger) lines.push(`ledger: ${r.ledger.skipped}`);
  else {
    const ids = r.ledger.campaigns;
    lines.push(`ledger: ${String(ids.length)} ${r.ledger.selection}`);
    if (ids.length > 0)
      lines.push(
        `  ${ids.slice(0, LISTED).join(', ')}${ids.length > LISTED ? `, … (${String(ids.length - LISTED)} more)` : ''}`,
      );
  }
  lines.push(
    `clickhouse: ${r.clickhouse.table}, rows of ${r.clickhouse.topics.join(', ')}${r.clickhouse.loaded === null ? ' (not loaded first: --no-load)' : ''}`,
  );
  const row = (name: string, count: string, micros: string, note = ''): string =>
    `  ${name.padEnd(17)}${count.padStart(12)}${micros.padStart(16)}${note}`;
  lines.push(row('source', 'count', 'micros'));
  lines.push(
    row(
      'acked_billing',
      num(r.acked_billing),
      num(r.micros.acked_billing),
      '  (whole micros per notice)',
    ),
  );
  lines.push(
    row(
      'spend_events',
      num(r.spend_events),
      num(r.micros.spend_events),
      `  (exact; ${String(r.micros.spend_events_whole)} in whole micros per event)`,
    ),
  );
  lines.push(
    row('clickhouse_rows', num(r.clickhouse_rows), num(r.micros.clickhouse_rows), '  (exact)'),
  );
  lines.push(
    row(
      'ledger',
      '-',
      num(r.ledger_micros),
      r.micros.ledger_expected === null
        ? ''
        : `  (home regions; the spend events of these campaigns: ${String(r.micros.ledger_expected)})`,
    ),
  );
  for (const [region, f] of Object.entries(r.by_region)) {
    const missing = [
      f.topics_exist.spend ? null : 'spend',
      f.topics_exist.billing_acks ? null : 'billing-acks',
    ].filter((t) => t !== null);
    lines.push(
      `  ${region}: acked ${String(f.acked)}, spend events ${String(f.spend_events)} (${String(f.spend_records)} records), clickhouse ${String(f.clickhouse_rows)}, ledger ${num(f.ledger_micros)} micros${missing.length > 0 ? ` (no ${missing.join(' or ')} topic: counted as empty)` : ''}`,
    );
  }
  if (r.differences.length === 0) lines.push('no differences');
  else {
    lines.push(`${String(r.differences.length)} differences:`);
    for (const d of r.differences) {
      lines.push(`  [${d.check}] ${d.message}`);
      if (d.sample && d.sample.length > 0) lines.push(`      e.g. ${d.sample.join(', ')}`);
    }
  }
  return lines;
}
