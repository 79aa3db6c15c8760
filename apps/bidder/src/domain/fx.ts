/**
 * Currency conversion with a configured rate table. The bidder thinks in USD micros internally;
 * floors arrive in `bidfloorcur`, campaigns price in their own currency, and the response is in a
 * currency the exchange allows (`cur`).
 */

/**
 * USD value of one unit of each currency (`EUR` → 1.08). USD is always present. A `Map`, because
 * the keys come from clients: a plain object would answer `constructor` or `__proto__`.
 */
export type FxRates = ReadonlyMap<string, number>;

/** Parses `EUR=1.08,GBP=1.27`; returns an error message on bad input. */
export function parseRates(spec: string): FxRates | string {
  const out = new Map<string, number>([['USD', 1]]);
  for (const part of spec.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const m = /^([A-Z]{3})=([0-9]*\.?[0-9]+(?:e-?[0-9]+)?)$/.exec(p);
    if (!m?.[1] || !m[2]) return `expected CUR=rate pairs, got ${JSON.stringify(p)}`;
    const rate = Number(m[2]);
    if (!(rate > 0)) return `rate of ${m[1]} must be positive`;
    out.set(m[1], rate);
  }
  return out;
}

/** Converts micros of `cur` to USD micros; undefined for an unknown currency. */
export function toUsdMicros(rates: FxRates, micros: number, cur: string): number | undefined {
  if (cur === 'USD') return micros;
  const r = rates.get(cur);
  return r === undefined ? undefined : Math.round(micros * r);
}

/** Converts USD micros to micros of `cur`; undefined for an unknown currency. */
export function fromUsdMicros(rates: FxRates, usdMicros: number, cur: string): number | undefined {
  if (cur === 'USD') return usdMicros;
  const r = rates.get(cur);
  return r === undefined ? undefined : Math.round(usdMicros / r);
}

/**
 * The currency to answer in: USD when the request allows any (`cur` absent or empty), otherwise
 * the first allowed currency we have a rate for; undefined when none is known.
 */
export function responseCurrency(
  rates: FxRates,
  allowed: readonly string[] | undefined,
): string | undefined {
  if (!allowed || allowed.length === 0) return 'USD';
  for (const c of allowed) if (c === 'USD' || rates.has(c)) return c;
  return undefined;
}
