/** Scrapes the services' `/metrics` over HTTP (the adapter around the pure parser). */
import { parsePrometheusText } from './prom-text.js';
import type { ScrapeResult, Target } from './snapshot.js';

/** Largest `/metrics` body read (a bidder's is ~40 KB). */
const MAX_BYTES = 4 * 1024 * 1024;

/** One scrape of `target`; a failure (down, slow, not Prometheus text) is a result, not a throw. */
export async function scrape(target: Target, timeoutMs: number): Promise<ScrapeResult> {
  try {
    const res = await fetch(`${target.url}/metrics`, { signal: AbortSignal.timeout(timeoutMs) });
    const text = await res.text();
    if (res.status !== 200) return { target, ok: false, error: `HTTP ${String(res.status)}` };
    if (text.length > MAX_BYTES) return { target, ok: false, error: 'response too large' };
    // Stamped on arrival: the rates divide by the time between two arrivals.
    return {
      target,
      ok: true,
      scrape: { atMs: Date.now(), index: parsePrometheusText(text).index },
    };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string } };
    return { target, ok: false, error: e.cause?.code ?? e.name };
  }
}

/** Scrapes every target at once. */
export function scrapeAll(targets: readonly Target[], timeoutMs: number): Promise<ScrapeResult[]> {
  return Promise.all(targets.map((t) => scrape(t, timeoutMs)));
}
