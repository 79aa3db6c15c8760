import type { RequestIvtReason } from '@streambid/reference-data';
import { REQUEST_IVT_REASONS } from '@streambid/reference-data';
import type { TrafficLabel } from '@streambid/traffic';
import { REASONS, type Reason } from '../domain/rules.js';

/** What happened to one generated click, before the bid and after the click. */
export interface ClickOutcome {
  /** Ground truth (the generator's `label`). */
  truth: TrafficLabel;
  /** The annotator's label, with label noise (the generator's `noisyLabel`). */
  noisy: TrafficLabel;
  /** Scored invalid after the click; undefined when the click was never scored. */
  postclick: boolean | undefined;
  /** The post-click reasons (`rules.ts`) that fired. */
  reasons: readonly string[];
  /** The pre-bid reason the request shows by itself (`prebidReason`), if any. */
  prebid: RequestIvtReason | undefined;
}

/** Precision and recall with the counts behind them (0 when a denominator is 0). */
export interface Rates {
  precision: number;
  recall: number;
  /** Clicks the detector flagged. */
  flagged: number;
}

export interface ClassFigures {
  clicks: number;
  /**
   * Post-click precision on this class and the people alone: TP(class) / (TP(class) + flagged
   * people). What an operator would see if this class were all the invalid traffic at this volume.
   */
  precision: number;
  /** Share of the class scored invalid after the click. */
  recall: number;
  /** Share refused before the bid (the request alone, `prebidReason`). */
  prebid_recall: number;
  /** Share caught before the bid or after the click. */
  combined_recall: number;
}

/** One labelling's figures: overall, per class, per signal, pre-bid against post-click. */
export interface Breakdown {
  precision: number;
  recall: number;
  true_positives: number;
  false_positives: number;
  false_negatives: number;
  by_class: Record<string, ClassFigures>;
  by_signal: { postclick: Record<Reason, Rates>; prebid: Record<RequestIvtReason, Rates> };
  /** Share of invalid clicks whose request would have been refused before the bid. */
  prebid_share: number;
  /** Pre-bid as one detector. */
  prebid: Rates;
  /** Pre-bid or post-click. */
  combined: Rates;
  /** Invalid clicks by which stage catches them. */
  prebid_vs_postclick: {
    both: number;
    prebid_only: number;
    postclick_only: number;
    neither: number;
  };
}

const round = (x: number): number => Math.round(x * 10_000) / 10_000;
const ratio = (a: number, b: number): number => (b === 0 ? 0 : round(a / b));

/** Tallies a detector against a labelling: counts of flagged bots, flagged people and bots. */
function rates(
  xs: readonly ClickOutcome[],
  isBot: (x: ClickOutcome) => boolean,
  hit: (x: ClickOutcome) => boolean,
): Rates & { tp: number; fp: number; fn: number } {
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const x of xs) {
    const h = hit(x);
    if (isBot(x)) {
      if (h) tp++;
      else fn++;
    } else if (h) fp++;
  }
  return {
    precision: ratio(tp, tp + fp),
    recall: ratio(tp, tp + fn),
    flagged: tp + fp,
    tp,
    fp,
    fn,
  };
}

/**
 * Every figure of the evaluation for one labelling (`noisy` or `truth`): anything but `human` is
 * invalid; a click never scored counts as not flagged.
 */
export function breakdown(
  outcomes: readonly ClickOutcome[],
  labelling: 'noisy' | 'truth',
): Breakdown {
  const label = (x: ClickOutcome): TrafficLabel => x[labelling];
  const isBot = (x: ClickOutcome): boolean => label(x) !== 'human';
  const post = (x: ClickOutcome): boolean => x.postclick === true;
  const pre = (x: ClickOutcome): boolean => x.prebid !== undefined;
  const overall = rates(outcomes, isBot, post);
  const classes = [...new Set(outcomes.map(label))].filter((c) => c !== 'human').sort();
  const by_class: Record<string, ClassFigures> = {};
  for (const c of classes) {
    const of = outcomes.filter((x) => label(x) === c);
    const hits = of.filter(post).length;
    by_class[c] = {
      clicks: of.length,
      precision: ratio(hits, hits + overall.fp),
      recall: ratio(hits, of.length),
      prebid_recall: ratio(of.filter(pre).length, of.length),
      combined_recall: ratio(of.filter((x) => post(x) || pre(x)).length, of.length),
    };
  }
  const strip = ({ precision, recall, flagged }: Rates): Rates => ({ precision, recall, flagged });
  const postclick = Object.fromEntries(
    REASONS.map((r) => [r, strip(rates(outcomes, isBot, (x) => x.reasons.includes(r)))]),
  ) as Record<Reason, Rates>;
  const prebid = Object.fromEntries(
    REQUEST_IVT_REASONS.map((r) => [r, strip(rates(outcomes, isBot, (x) => x.prebid === r))]),
  ) as Record<RequestIvtReason, Rates>;
  const bots = outcomes.filter(isBot);
  const preRates = rates(outcomes, isBot, pre);
  return {
    precision: overall.precision,
    recall: overall.recall,
    true_positives: overall.tp,
    false_positives: overall.fp,
    false_negatives: overall.fn,
    by_class,
    by_signal: { postclick, prebid },
    prebid_share: preRates.recall,
    prebid: strip(preRates),
    combined: strip(rates(outcomes, isBot, (x) => post(x) || pre(x))),
    prebid_vs_postclick: {
      both: bots.filter((x) => pre(x) && post(x)).length,
      prebid_only: bots.filter((x) => pre(x) && !post(x)).length,
      postclick_only: bots.filter((x) => !pre(x) && post(x)).length,
      neither: bots.filter((x) => !pre(x) && !post(x)).length,
    },
  };
}
