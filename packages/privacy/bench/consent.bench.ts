/**
 * Consent parsing and policy benchmark. Prints one JSON line: the median over trials of µs (wall)
 * and CPU µs per call of parsing (cache miss and hit) and `decide`, and each as a multiple of
 * JSON.parse of a ~2 KB OpenRTB request measured in the same run (machines here differ ~2× in
 * absolute speed; the ratio travels).
 * Run: npm run bench:privacy
 */
import { argsOrExit } from '@streambid/adapters/cli';
import { makeBidRequest, mulberry32 } from '@streambid/testkit';
import { DEFAULT_PRIVACY_CONFIG, type PrivacyConfig } from '../src/config.js';
import { parseGpp } from '../src/gpp.js';
import { MAX_TCF_RANGE_IDS } from '../src/limits.js';
import { decide } from '../src/policy.js';
import { createSignalReader, type PrivacyInput, type Signals } from '../src/signals.js';
import { parseTcf } from '../src/tcf.js';
import { encodeGpp, encodeTcf, type TcfChoices } from '../src/testing/encode.js';
import { rawTcf } from '../src/testing/raw.js';
import { OUR_VENDOR } from '../src/testing/vendor-list.js';

const POOL = 1024;
const WARMUP = 5;
const TRIALS = 31;

argsOrExit(
  {
    name: 'bench:privacy',
    usage: 'npm run bench:privacy',
    about:
      'µs per call of TCF and GPP parsing (cache miss and hit) and of the privacy policy, against JSON.parse of a ~2 KB OpenRTB request in the same trials; needs no services. Prints one JSON line.',
    flags: {},
  },
  process.argv.slice(2),
);

const rng = mulberry32(42);
const pick = <T>(xs: readonly T[]): T[] => xs.filter(() => rng() < 0.8);
const CONFIG: PrivacyConfig = { ...DEFAULT_PRIVACY_CONFIG, vendorId: OUR_VENDOR };

// Distinct strings, so that a pass over the pool never hits a cache.
const tcfPool = Array.from({ length: POOL }, (_, i) => {
  const c: TcfChoices = {
    purposeConsents: pick([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    purposeLegitimateInterests: pick([2, 7, 8, 9, 10, 11]),
    vendorConsents: pick([OUR_VENDOR, 10]),
    vendorLegitimateInterests: pick([OUR_VENDOR]),
    specialFeatureOptins: pick([1, 2]),
    createdOffsetS: i,
  };
  return encodeTcf(c);
});
const gppPool = tcfPool.map((tcf, i) =>
  encodeGpp(
    { usnat: { SaleOptOutNotice: 1, SaleOptOut: 1 + (i % 2), SharingOptOut: 2 } },
    { tcfeuv2: tcf },
  ),
);
const gdprRequests: PrivacyInput[] = tcfPool.map((consent) => ({
  regs: { gdpr: 1, coppa: 0 },
  user: { consent },
  device: { lmt: 0, dnt: 0 },
}));
const gppRequests: PrivacyInput[] = gppPool.map((gpp) => ({
  regs: { gpp, gpp_sid: [2, 7] },
  device: { lmt: 0 },
}));
// The hit case: a few strings repeat, as they do across an exchange's traffic.
const hitRequests: PrivacyInput[] = Array.from({ length: POOL }, (_, i) =>
  i % 2 === 0 ? (gdprRequests[i % 64] ?? {}) : (gppRequests[i % 64] ?? {}),
);

// ~2 KB OpenRTB requests, JSON text.
const bodies: string[] = [];
while (bodies.length < POOL) {
  const body = JSON.stringify(makeBidRequest(rng));
  if (body.length >= 1900 && body.length <= 2200) bodies.push(body);
}
const meanBytes = Math.round(bodies.reduce((a, b) => a + b.length, 0) / POOL);

// The most work the guard lets through: vendor ranges at their cap, restrictions over every id
// (read by the scan, never expanded).
const worst = rawTcf({
  purposeConsents: 0xffffff,
  vendorConsentRanges: [[1, MAX_TCF_RANGE_IDS / 2]],
  vendorLiRanges: [[1, MAX_TCF_RANGE_IDS / 2]],
  restrictions: Array.from({ length: 24 }, (_, i) => ({
    purpose: i + 1,
    type: 1,
    ranges: [[1, 65_535] as const],
  })),
});
if (!parseTcf(worst, OUR_VENDOR).valid) throw new Error('the worst-case string must parse');

let sink = 0;
const us = (ns: bigint): number => Number(ns) / 1000;
const round = (x: number): number => Math.round(x * 100) / 100;
const median = (xs: number[]): number => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

const cold = createSignalReader({ vendorId: OUR_VENDOR, cacheSize: 0 });
const warm = createSignalReader({ vendorId: OUR_VENDOR });
const signals: Signals[] = hitRequests.map((r) => warm.read(r));

/** Each case: calls per trial and the call. */
const CASES = {
  json_parse_2kb: [POOL, (i: number) => JSON.parse(bodies[i] ?? '{}') as unknown],
  tcf_parse_miss: [POOL, (i: number) => parseTcf(tcfPool[i] ?? '', OUR_VENDOR)],
  gpp_parse_miss: [POOL, (i: number) => parseGpp(gppPool[i] ?? '')],
  read_miss_tcf: [POOL, (i: number) => cold.read(gdprRequests[i] ?? {})],
  read_miss_gpp: [POOL, (i: number) => cold.read(gppRequests[i] ?? {})],
  read_hit: [POOL, (i: number) => warm.read(hitRequests[i] ?? {})],
  decide: [POOL, (i: number) => decide(signals[i] ?? (signals[0] as Signals), CONFIG)],
  tcf_parse_worst_allowed: [8, () => parseTcf(worst, OUR_VENDOR)],
} as const satisfies Record<string, readonly [number, (i: number) => unknown]>;
type Case = keyof typeof CASES;
type Figure = { us: number; cpu_us: number };

// Trials interleave the cases, so that the machine's noise falls on all of them alike.
const wall = new Map<Case, number[]>();
const cpu = new Map<Case, number[]>();
for (let t = 0; t < WARMUP + TRIALS; t++) {
  for (const [name, [n, fn]] of Object.entries(CASES) as [Case, (typeof CASES)[Case]][]) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < n; i++) if (fn(i) !== undefined) sink++;
    const dt = us(process.hrtime.bigint() - t0) / n;
    const dc = process.cpuUsage(c0);
    if (t < WARMUP) continue;
    wall.set(name, [...(wall.get(name) ?? []), dt]);
    cpu.set(name, [...(cpu.get(name) ?? []), (dc.user + dc.system) / n]);
  }
}
const figures = Object.fromEntries(
  (Object.keys(CASES) as Case[]).map((name) => [
    name,
    { us: round(median(wall.get(name) ?? [])), cpu_us: round(median(cpu.get(name) ?? [])) },
  ]),
) as Record<Case, Figure>;
const ratios = (key: keyof Figure) =>
  Object.fromEntries(
    (Object.keys(CASES) as Case[])
      .filter((name) => name !== 'json_parse_2kb')
      .map((name) => [name, round(figures[name][key] / figures.json_parse_2kb[key])]),
  );

console.log(
  JSON.stringify({
    bench: 'privacy.consent',
    node: process.version,
    trials: TRIALS,
    calls_per_trial: POOL,
    json_bytes_mean: meanBytes,
    tcf_chars_mean: Math.round(tcfPool.reduce((a, s) => a + s.length, 0) / POOL),
    gpp_chars_mean: Math.round(gppPool.reduce((a, s) => a + s.length, 0) / POOL),
    us_per_call: figures,
    // Each figure as a multiple of JSON.parse of the ~2 KB request, wall and CPU.
    x_json_parse: ratios('us'),
    x_json_parse_cpu: ratios('cpu_us'),
    cache: warm.stats(),
    sink: sink > 0,
  }),
);
