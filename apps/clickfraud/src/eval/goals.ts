import { HARD_BOT_PATTERNS } from '@streambid/traffic';
import type { Breakdown, ClassFigures } from './breakdown.js';

/** The evaluation's goals (issue 19): judged on the noisy labels, the ones an operator has. */
export const GOALS = {
  /** Overall post-click precision. */
  precision: 0.95,
  /** Post-click recall of every bot class, hard or easy. */
  classRecall: 0.8,
} as const;

const HARD: ReadonlySet<string> = new Set(HARD_BOT_PATTERNS);

export type ClassVerdict = ClassFigures & { hard: boolean; goal_met: boolean };

/** A breakdown with each class's verdict and the list of misses. */
export interface Judged extends Omit<Breakdown, 'by_class'> {
  by_class: Record<string, ClassVerdict>;
  goals: {
    precision: number;
    class_recall: number;
    precision_met: boolean;
    /** Every goal met. */
    met: boolean;
    /** One line per goal missed, e.g. `recall of low_and_slow 0.12 < 0.8`. */
    misses: string[];
  };
}

/** Marks each class and the overall precision against {@link GOALS}. */
export function judge(b: Breakdown): Judged {
  const misses: string[] = [];
  const precisionMet = b.precision >= GOALS.precision;
  if (!precisionMet) misses.push(`precision ${String(b.precision)} < ${String(GOALS.precision)}`);
  const byClass: Record<string, ClassVerdict> = {};
  for (const [c, f] of Object.entries(b.by_class)) {
    const met = f.recall >= GOALS.classRecall;
    if (!met)
      misses.push(
        `recall of ${c}${HARD.has(c) ? ' (hard)' : ''} ${String(f.recall)} < ${String(GOALS.classRecall)}`,
      );
    byClass[c] = { ...f, hard: HARD.has(c), goal_met: met };
  }
  return {
    ...b,
    by_class: byClass,
    goals: {
      precision: GOALS.precision,
      class_recall: GOALS.classRecall,
      precision_met: precisionMet,
      met: misses.length === 0,
      misses,
    },
  };
}

/**
 * The eval's exit status: a miss is a finding, not a failure — 0 unless `strict`, then 1. (Its own
 * failures exit 1 and bad flags 2, as before.)
 */
export function exitCodeFor(j: Pick<Judged, 'goals'>, strict: boolean): 0 | 1 {
  return strict && !j.goals.met ? 1 : 0;
}
