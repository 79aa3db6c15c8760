import type { EvalReport } from './run.js';

/**
 * The eval's last line: every figure against the noisy labels (what an operator with reviewed
 * labels would measure; the goals are judged on these), then the same against the true labels.
 */
export function summaryJson(r: EvalReport, totalMs: number): Record<string, unknown> {
  const j = r.judged;
  return {
    precision: j.precision,
    recall: j.recall,
    clicks: r.clicks,
    true_positives: j.true_positives,
    false_positives: j.false_positives,
    false_negatives: j.false_negatives,
    unscored: r.unscored,
    prebid_share: j.prebid_share,
    goals: j.goals,
    by_class: j.by_class,
    by_signal: j.by_signal,
    prebid: j.prebid,
    combined: j.combined,
    prebid_vs_postclick: j.prebid_vs_postclick,
    label_noise: {
      share: r.labelNoise.share,
      flipped_clicks: r.labelNoise.flippedClicks,
      flipped_impressions: r.labelNoise.flippedImpressions,
    },
    ground_truth: r.truth,
    recall_by_pattern: r.recallByPattern,
    total_ms: totalMs,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

/** The human-readable lines before the JSON: one per class, per signal, and one per miss. */
export function summaryLines(r: EvalReport): string[] {
  const j = r.judged;
  const out = [
    `clicks ${String(r.clicks)} (impressions ${String(r.impressions)}), produced in ${String(r.ms.produce)} ms, replayed+scored in ${String(r.ms.replayAndScore)} ms`,
    `label noise ${String(r.labelNoise.share)}: ${String(r.labelNoise.flippedClicks)} click labels flipped (figures below are against the noisy labels; ground_truth in the JSON)`,
    `post-click precision ${String(j.precision)} recall ${String(j.recall)}; pre-bid share ${String(j.prebid_share)} (precision ${String(j.prebid.precision)}); either ${String(j.combined.recall)}`,
    'class                     clicks  recall  precision  prebid  either  goal',
  ];
  for (const [c, f] of Object.entries(j.by_class))
    out.push(
      `${(c + (f.hard ? ' (hard)' : '')).padEnd(26)}${String(f.clicks).padStart(6)}  ${pct(f.recall).padStart(6)}  ${pct(f.precision).padStart(9)}  ${pct(f.prebid_recall).padStart(6)}  ${pct(f.combined_recall).padStart(6)}  ${f.goal_met ? 'met' : 'MISS'}`,
    );
  const signals = [
    ...Object.entries(j.by_signal.postclick).map(([s, v]) => [`post-click ${s}`, v] as const),
    ...Object.entries(j.by_signal.prebid).map(([s, v]) => [`pre-bid ${s}`, v] as const),
  ];
  for (const [s, v] of signals)
    out.push(
      `signal ${s.padEnd(28)} flagged ${String(v.flagged).padStart(6)}  precision ${pct(v.precision).padStart(6)}  recall ${pct(v.recall).padStart(6)}`,
    );
  out.push(
    `blocklisted entities: ${String(r.blocklisted.total)}; sites: ${r.blocklisted.sites.join(', ')} (farm: ${r.farmSite})`,
  );
  for (const m of j.goals.misses) out.push(`MISS: ${m}`);
  out.push(j.goals.met ? 'goals: all met' : `goals: ${String(j.goals.misses.length)} missed`);
  return out;
}
