import type { TrafficLabel } from '@streambid/traffic';

/** Precision/recall of "invalid" predictions against generator labels (anything but `human` is bot). */
export interface EvalResult {
  clicks: number;
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
  precision: number;
  recall: number;
  /** Recall per bot pattern. */
  recallByPattern: Record<string, number>;
  /** Clicks labelled but never scored (should be 0: every click must reach the model). */
  unscored: number;
}

export function evaluate(
  labels: ReadonlyMap<string, TrafficLabel>,
  predicted: ReadonlyMap<string, boolean>,
): EvalResult {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let unscored = 0;
  const perPattern = new Map<string, { hit: number; n: number }>();
  for (const [id, label] of labels) {
    const p = predicted.get(id);
    if (p === undefined) unscored++;
    const bot = label !== 'human';
    const flagged = p === true;
    if (bot) {
      const s = perPattern.get(label) ?? { hit: 0, n: 0 };
      s.n++;
      if (flagged) s.hit++;
      perPattern.set(label, s);
    }
    if (bot && flagged) tp++;
    else if (!bot && flagged) fp++;
    else if (bot && !flagged) fn++;
  }
  const round = (x: number): number => Math.round(x * 10_000) / 10_000;
  return {
    clicks: labels.size,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: fn,
    precision: round(tp + fp === 0 ? 0 : tp / (tp + fp)),
    recall: round(tp + fn === 0 ? 0 : tp / (tp + fn)),
    recallByPattern: Object.fromEntries([...perPattern].map(([k, v]) => [k, round(v.hit / v.n)])),
    unscored,
  };
}
