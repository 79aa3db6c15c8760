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

/** Cost in micros of one impression bought at a CPM expressed in micros. */
export function impressionCostMicros(cpmMicros: number): number {
  return Math.round(cpmMicros / 1000);
}
