import type { BotClass, TrafficLabel } from './classes.js';
import { mulberry32 } from './random.js';

/** The label noise a generated mix carries. */
export interface LabelNoise {
  /** Share of events asked to be flipped. */
  share: number;
  /** Impressions whose `noisyLabel` differs from their `label`. */
  flippedImpressions: number;
  /** Clicks whose `noisyLabel` differs from their `label`. */
  flippedClicks: number;
}

/** A seed for the noise stream, apart from the events' own. */
const NOISE_SALT = 0x6e6f6973;

/**
 * Flips the `noisyLabel` of about `share` of the events, each drawn independently: a person becomes
 * one of the bot classes in the mix (an analyst's false accusation), a bot becomes `human` (a miss
 * in review). Draws from its own stream, so the events do not depend on the share.
 */
export function applyLabelNoise(
  lists: readonly (readonly { label: TrafficLabel; noisyLabel: TrafficLabel }[])[],
  share: number,
  seed: number,
  classes: readonly BotClass[],
): LabelNoise {
  if (!(share >= 0 && share <= 1))
    throw new RangeError(`labelNoise must be in [0, 1], got ${String(share)}`);
  const flipped = [0, 0];
  if (share > 0) {
    const rnd = mulberry32((seed ^ NOISE_SALT) >>> 0);
    lists.forEach((list, i) => {
      for (const x of list) {
        if (rnd() >= share) continue;
        x.noisyLabel =
          x.label === 'human'
            ? (classes[Math.floor(rnd() * classes.length)] ?? 'declared_bot')
            : 'human';
        flipped[i] = (flipped[i] ?? 0) + 1;
      }
    });
  }
  return { share, flippedImpressions: flipped[0] ?? 0, flippedClicks: flipped[1] ?? 0 };
}
