import type { RegionRun } from '../run.js';
import type { Summary } from '../summary.js';
import { renderDelivery, type Delivery } from './delivery.js';
import { barChart, esc, lineChart } from './svg.js';

/**
 * A self-contained HTML report: tables plus SVG charts, no scripts or external assets.
 * `delivery` (null: left out) is the run's delivery by campaign from ClickHouse.
 */
export function renderReport(
  summary: Summary,
  runs: readonly RegionRun[],
  delivery: Delivery | null = null,
): string {
  const latencyOverTime = lineChart({
    title: 'Latency over time (p99 per second, from intended send time)',
    xLabel: 'second of run',
    yLabel: 'ms',
    series: runs.map((r) => ({
      name: `${r.region} p99`,
      points: (r.result.timeline ?? []).map((t) => [t.second, t.p99Ms] as const),
    })),
  });
  const throughput = lineChart({
    title: 'Completed requests per second',
    xLabel: 'second of run',
    yLabel: 'req/s',
    series: runs.map((r) => ({
      name: r.region,
      points: (r.result.timeline ?? []).map((t) => [t.second, t.completed] as const),
    })),
  });
  // Percentile curve on a "nines" axis: x = -log10(1 - p).
  const ps = [50, 75, 90, 95, 99, 99.9] as const;
  const curve = lineChart({
    title: 'Latency percentile curve',
    xLabel: 'percentile',
    yLabel: 'ms',
    xFmt: (x) => `${String(Math.round((1 - 10 ** -x) * 10000) / 100)}%`,
    series: runs.map((r) => {
      const l = r.result.latencyMs;
      const v: Record<number, number> = {
        50: l.p50,
        75: (l.p50 + l.p90) / 2,
        90: l.p90,
        95: (l.p90 + l.p99) / 2,
        99: l.p99,
        99.9: l.p999,
      };
      return {
        name: r.region,
        points: ps.map((p) => [-Math.log10(1 - p / 100), v[p] ?? 0] as const),
      };
    }),
  });
  const top = [...summary.campaigns].sort((a, b) => b.spend_micros - a.spend_micros).slice(0, 16);
  const regions = Object.keys(summary.regions);
  const spend = barChart({
    title: 'Spend against budget per campaign (currency units), split by region',
    labels: top.map((c) => c.id.split('-').slice(1).join('-')),
    yLabel: 'USD',
    series: [
      { name: 'budget', values: top.map((c) => c.budget_micros / 1e6) },
      ...regions.map((r) => ({
        name: `spend ${r}`,
        values: top.map((c) => (c.spend_by_region[r] ?? 0) / 1e6),
      })),
    ],
  });
  const row = (cells: (string | number | null)[]): string =>
    `<tr>${cells.map((c) => `<td>${esc(String(c ?? '–'))}</td>`).join('')}</tr>`;
  const regionRows = Object.entries(summary.regions)
    .map(([r, s]) =>
      row([
        r,
        s.rps,
        s.p50_ms,
        s.p99_ms,
        s.p999_ms,
        s.max_ms,
        s.bid_rate,
        s.errors,
        s.wins,
        s.clicks,
        s.bot_requests,
      ]),
    )
    .join('');
  const checkRows = Object.entries(summary.checks)
    .map(([name, c]) =>
      row([
        name,
        c.passes,
        c.fails,
        c.pass_rate,
        ...regions.map((r) => summary.regions[r]?.checks[name]?.pass_rate ?? null),
      ]),
    )
    .join('');
  const scenarioRows = Object.entries(summary.scenarios)
    .flatMap(([name, sc]) =>
      Object.entries(sc.regions).map(([r, x]) =>
        row([
          name,
          r,
          sc.executor,
          Object.entries(sc.tags)
            .map(([k, v]) => `${k}:${v}`)
            .join(', '),
          x.target_rps,
          x.rps,
          x.p50_ms,
          x.p99_ms,
          x.errors,
          x.checks_pass_rate,
        ]),
      ),
    )
    .join('');
  const regionChecksHead = regions.map((r) => `<th>${esc(r)} pass rate</th>`).join('');
  const a = summary.auction;
  const lossText = Object.entries(a.losses_by_reason)
    .map(([code, n]) => `${code}: ${String(n)}`)
    .join(', ');
  const thresholdRows = summary.threshold_list
    .map((t) =>
      row([t.name, `${t.op ?? '<='} ${String(t.limit)}`, t.value, t.ok ? 'pass' : 'FAIL']),
    )
    .join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>streambid load test ${esc(summary.run_id)}</title>
<style>body{font-family:sans-serif;margin:24px;max-width:1400px}table{border-collapse:collapse;margin:8px 0 24px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}th{background:#f4f4f4}figure{display:inline-block;margin:8px}figcaption{font-weight:bold;font-size:13px}.note{color:#a40}</style></head><body>
<h1>streambid multi-region load test — run ${esc(summary.run_id)}</h1>
<p>${esc(String(summary.scenario.rate))} req/s per region for ${esc(String(summary.scenario.durationS))} s, open model (latency from intended send time), bot share ${esc(String(summary.scenario.botShare))}; simulated exchange: ${esc(a.type)} auction${a.type === 'random' ? ` at win rate ${esc(String(summary.scenario.winRate))}` : ` against competing bids (log-normal CPM, median ${esc(String(summary.scenario.competingBid.median))}, sigma ${esc(String(summary.scenario.competingBid.sigma))})`}, our win rate ${esc(String(a.win_rate))} (${esc(String(a.wins))} of ${esc(String(a.bids))} bids; losses by reason code: ${esc(lossText || 'none')}).</p>
<p class="note">Inter-region delay: ${esc(String(summary.replication_delay_injected_ms))} ms injected — ${esc(summary.replication_delay_note)}. Generator, brokers and apps share one 2-core machine.</p>
<h2>Thresholds: ${summary.passed ? 'all passed' : 'FAILED'}</h2>
<table><tr><th>threshold</th><th>limit</th><th>value</th><th>result</th></tr>${thresholdRows}</table>
<h2>Checks on responses: pass rate ${esc(String(summary.checks_pass_rate))}</h2>
<table><tr><th>check</th><th>passes</th><th>fails</th><th>pass rate</th>${regionChecksHead}</tr>${checkRows}</table>
<h2>Per scenario</h2>
<table><tr><th>scenario</th><th>region</th><th>executor</th><th>tags</th><th>planned rps</th><th>rps</th><th>p50 ms</th><th>p99 ms</th><th>errors</th><th>checks pass rate</th></tr>${scenarioRows}</table>
<h2>Per region</h2>
<table><tr><th>region</th><th>rps</th><th>p50 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>bid rate</th><th>errors</th><th>wins</th><th>clicks</th><th>bot requests</th></tr>${regionRows}</table>
<h2>Business results</h2>
<table><tr><th>overspend % max</th><th>overspend % mean</th><th>under-delivery % mean</th><th>frequency-cap violations</th><th>bids on blocklisted entities</th><th>bids on known bots</th><th>invalid-traffic spend</th><th>replication lag p50 / p99 ms</th></tr>
${row([summary.overspend_pct_max, summary.overspend_pct_mean, summary.underdelivery_pct_mean, summary.freq_cap_violations, summary.blocklisted_bids, summary.bids_on_known_bots, (summary.invalid_spend_micros / 1e6).toFixed(4), `${String(summary.replication_lag_p50_ms ?? '–')} / ${String(summary.replication_lag_p99_ms ?? '–')}`])}</table>
${latencyOverTime}${throughput}${curve}${spend}
${renderDelivery(summary.campaigns, delivery)}
</body></html>`;
}
