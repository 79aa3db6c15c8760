import type { Summary } from '../summary.js';

/** `label ........ value`, dotted out to `width` as k6 prints its metrics. */
function dotted(label: string, value: string, width = 44): string {
  const dots = Math.max(2, width - label.length);
  return `${label} ${'.'.repeat(dots)} ${value}`;
}

const pct = (rate: number): string => `${(rate * 100).toFixed(2)} %`;
const ms = (v: number): string => v.toFixed(2).padStart(8);
const usd = (micros: number): string => (micros / 1e6).toFixed(2);

/** One series: requests, rate, percentiles, checks. */
function seriesLine(
  name: string,
  region: string,
  s: { sent: number; rps: number; p50_ms: number; p90_ms: number; p99_ms: number },
  extra: { p999_ms: number; checks_pass_rate: number; errors: number },
): string {
  return `    ${name.padEnd(14)} ${region.padEnd(3)} ${String(s.sent).padStart(8)} ${`${s.rps.toFixed(1)}/s`.padStart(9)}${ms(s.p50_ms)}${ms(s.p90_ms)}${ms(s.p99_ms)}${ms(extra.p999_ms)} ${String(extra.errors).padStart(7)}  ${pct(extra.checks_pass_rate).padStart(8)}`;
}

/**
 * The end-of-test summary in the shape k6 users know: per scenario and region the requests,
 * rate, percentiles and checks; every check with its passes and fails; every threshold with ✓ or
 * ✗; then the business results k6 has no word for. The JSON summary and the HTML report carry
 * the same figures.
 */
export function endOfTestSummary(summary: Summary): string[] {
  const out: string[] = [];
  out.push('  █ scenarios, per region (latency in ms, from the intended send time)');
  out.push(
    `    ${'scenario'.padEnd(14)} ${'reg'.padEnd(3)} ${'requests'.padStart(8)} ${'rate'.padStart(9)}${'p50'.padStart(8)}${'p90'.padStart(8)}${'p99'.padStart(8)}${'p99.9'.padStart(8)} ${'errors'.padStart(7)}  ${'checks'.padStart(8)}`,
  );
  const named = Object.entries(summary.scenarios);
  if (named.length > 0) {
    for (const [name, sc] of named)
      for (const [r, s] of Object.entries(sc.regions)) out.push(seriesLine(name, r, s, s));
  } else {
    for (const [r, s] of Object.entries(summary.regions)) out.push(seriesLine('default', r, s, s));
  }
  out.push('', '  █ checks');
  for (const [name, c] of Object.entries(summary.checks))
    out.push(
      `    ${c.fails === 0 ? '✓' : '✗'} ${dotted(name, `${pct(c.pass_rate)}  ✓ ${String(c.passes)}  ✗ ${String(c.fails)}`)}`,
    );
  out.push('', '  █ thresholds');
  for (const t of summary.threshold_list) {
    const op = t.op === '>=' ? '≥' : '≤';
    out.push(
      `    ${t.ok ? '✓' : '✗'} ${dotted(t.name, `${String(t.value ?? '–')} (limit ${op} ${String(t.limit)})`)}`,
    );
  }
  for (const [expr, t] of Object.entries(summary.thresholds))
    if (!summary.threshold_list.some((l) => l.name === expr))
      out.push(`    ${t.ok ? '✓' : '✗'} ${dotted(expr, String(t.value ?? '–'))}`);
  const a = summary.auction;
  out.push(
    '',
    '  █ business',
    `    ${dotted(
      'auction',
      `${a.type}, win rate ${a.win_rate.toFixed(3)}, losses ${Object.entries(a.losses_by_reason)
        .map(([code, n]) => `${code}: ${String(n)}`)
        .join(', ')}`,
    )}`,
    `    ${dotted('billing', `double bills ${String(summary.double_bills)}, unbilled wins ${String(summary.unbilled_wins)}, test traffic billed ${String(summary.test_traffic_billed)}`)}`,
    `    ${dotted(
      'spend by home region',
      Object.entries(summary.spend_by_home_region)
        .map(([r, m]) => `${r} ${usd(m)}`)
        .join(', '),
    )}`,
    `    ${dotted('overspend % max / mean', `${String(summary.overspend_pct_max)} / ${String(summary.overspend_pct_mean)}`)}`,
    `    ${dotted('frequency-cap violations', String(summary.freq_cap_violations))}`,
    `    ${dotted('bids on blocklisted / known bots', `${String(summary.blocklisted_bids)} / ${String(summary.bids_on_known_bots)}`)}`,
    `    ${dotted('invalid-traffic spend', usd(summary.invalid_spend_micros))}`,
    `    ${dotted('replication lag p50 / p99 ms', `${String(summary.replication_lag_p50_ms ?? '–')} / ${String(summary.replication_lag_p99_ms ?? '–')}`)}`,
  );
  return out;
}
