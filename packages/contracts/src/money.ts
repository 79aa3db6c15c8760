/**
 * Money is integer micros (1e-6 of the currency unit) everywhere past the HTTP edge.
 * Prices in OpenRTB are CPM (cost per mille); one impression costs CPM / 1000.
 */
export const MICROS_PER_UNIT = 1_000_000;

/** Converts a decimal currency amount (e.g. an OpenRTB price) to integer micros, rounding half away from zero. */
export function toMicros(amount: number): number {
  if (!Number.isFinite(amount)) throw new RangeError(`not a finite amount: ${String(amount)}`);
  return Math.sign(amount) * Math.round(Math.abs(amount) * MICROS_PER_UNIT);
}

/** Converts integer micros to a decimal amount for the HTTP edge (OpenRTB `price`). */
export function fromMicros(micros: number): number {
  return micros / MICROS_PER_UNIT;
}

/**
 * Whole micros of one impression bought at a CPM expressed in micros: `floor(cpm / 1000)`. The
 * part below one micro is not lost: it is `cpmMicros % 1000` nano-units, and every ledger adds
 * those up exactly ({@link SpendSum}), so a campaign of many sub-micro impressions is billed.
 */
export function impressionCostMicros(cpmMicros: number): number {
  return Math.floor(cpmMicros / 1000);
}

/**
 * A sum of impression costs, exact: whole micros plus a remainder of nano-units (0–999). Summing
 * `cpmMicros` directly would be exact too, but 1,000 times larger: a campaign past ~9 million
 * currency units would leave the integers JavaScript holds exactly (2^53). This way every sum stays
 * below 2^53 for any budget the schemas allow.
 */
export interface SpendSum {
  micros: number;
  /** Nano-units (1e-9 of the currency unit) not yet a whole micro: 0–999. */
  nanos: number;
}

export const ZERO_SPEND: SpendSum = Object.freeze({ micros: 0, nanos: 0 });

/** `sum` plus one impression at `cpmMicros`: the total is floor(Σ cpm / 1000) micros, exactly. */
export function addImpression(sum: SpendSum, cpmMicros: number): SpendSum {
  const nanos = sum.nanos + (cpmMicros % 1000);
  return {
    micros: sum.micros + Math.floor(cpmMicros / 1000) + Math.floor(nanos / 1000),
    nanos: nanos % 1000,
  };
}

/** Two sums together (exact). */
export function addSpend(a: SpendSum, b: SpendSum): SpendSum {
  const nanos = a.nanos + b.nanos;
  return { micros: a.micros + b.micros + Math.floor(nanos / 1000), nanos: nanos % 1000 };
}
