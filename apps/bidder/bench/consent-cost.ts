/**
 * What the consent policy costs per bid request, in process: signals read (TCF, GPP, US privacy;
 * strings cached) and decided, over the bench's own requests, against `JSON.parse` of the same
 * bodies measured in the same run (the machine reference). Medians of repeated trials.
 */
import { performance } from 'node:perf_hooks';
import type { BidRequest } from '@streambid/contracts';
import { createSignalReader, decide, DEFAULT_PRIVACY_CONFIG } from '@streambid/privacy';

export interface ConsentCost {
  /** µs per request, a fresh reader for each trial (every distinct string parsed once). */
  privacy_us: number;
  /** µs per request of `JSON.parse` of the same bodies. */
  json_parse_us: number;
  ratio_to_json_parse: number;
  /** Share of the requests carrying a TCF or GPP string. */
  with_consent_strings: number;
  cache_hit_rate: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};

export function consentCost(reqs: readonly BidRequest[], trials = 9): ConsentCost {
  const bodies = reqs.map((r) => JSON.stringify(r));
  const withStrings = reqs.filter(
    (r) => typeof r.user?.consent === 'string' || typeof r.regs?.gpp === 'string',
  ).length;
  const privacy: number[] = [];
  const json: number[] = [];
  let hits = 0;
  let misses = 0;
  for (let t = 0; t < trials; t++) {
    const reader = createSignalReader(DEFAULT_PRIVACY_CONFIG);
    const t0 = performance.now();
    for (const r of reqs) decide(reader.read(r), DEFAULT_PRIVACY_CONFIG);
    const t1 = performance.now();
    for (const b of bodies) JSON.parse(b);
    const t2 = performance.now();
    privacy.push(((t1 - t0) * 1000) / reqs.length);
    json.push(((t2 - t1) * 1000) / reqs.length);
    const s = reader.stats();
    hits += s.hits;
    misses += s.misses;
  }
  const p = median(privacy);
  const j = median(json);
  const round = (v: number): number => Math.round(v * 100) / 100;
  return {
    privacy_us: round(p),
    json_parse_us: round(j),
    ratio_to_json_parse: round(p / j),
    with_consent_strings: round(withStrings / reqs.length),
    cache_hit_rate: hits + misses > 0 ? round(hits / (hits + misses)) : 0,
  };
}
