/**
 * Cost of the pre-bid reference-data lookups, per call, in-process: the data-centre trie (IPv4,
 * IPv6, IPv4-mapped), IP canonicalisation, domain keys, and the user-agent rules (raw and
 * memoised). 10 % of the inputs hit (data-centre, upper case, bots). Median of 5 trials; prints
 * one JSON object.
 * `node --conditions=@streambid/source --import tsx packages/reference-data/bench/prebid.bench.ts`
 */
import { performance } from 'node:perf_hooks';
import { BROWSER_USER_AGENTS, BOT_USER_AGENTS, randomIpv4InDatacentre } from './inputs.js';
import {
  canonicalIp,
  classifyUserAgent,
  DataCentreIndex,
  domainKey,
  UserAgentClassifier,
} from '../src/index.js';

const N = Number(process.argv[2] ?? '200000');
const TRIALS = 5;

let seed = 7;
const rnd = (): number => {
  seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
  return seed / 2 ** 32;
};
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
const octet = (): string => String(Math.floor(rnd() * 256));
const hex = (): string => Math.floor(rnd() * 0x10000).toString(16);

const v4 = Array.from({ length: 4096 }, (_, i) =>
  i % 10 === 0 ? randomIpv4InDatacentre(rnd) : `${octet()}.${octet()}.${octet()}.${octet()}`,
);
const v6 = Array.from({ length: 4096 }, (_, i) =>
  i % 10 === 0 ? `2600:1f18:${hex()}::${hex()}` : `2a02:${hex()}:${hex()}:${hex()}::${hex()}`,
);
const mapped = v4.map((ip) => `::ffff:${ip}`);
const domains = Array.from({ length: 4096 }, (_, i) =>
  i % 10 === 0 ? `News${String(i)}.Example.` : `news${String(i)}.example`,
);
const uas = Array.from({ length: 4096 }, (_, i) =>
  i % 10 === 0 ? pick(BOT_USER_AGENTS) : pick(BROWSER_USER_AGENTS),
);
// Agents as a request carries them: a fresh string per request (JSON.parse), so the memo hashes.
const freshUas = uas.map((ua) => JSON.parse(JSON.stringify(ua)) as string);

let sink = 0;
/** ns per call of `f` over `inputs`, median of the trials. */
function measure<T>(inputs: readonly T[], f: (x: T) => unknown): number {
  for (let i = 0; i < 20_000; i++) if (f(inputs[i % inputs.length] as T) !== undefined) sink++;
  const trials: number[] = [];
  for (let t = 0; t < TRIALS; t++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) if (f(inputs[i % inputs.length] as T) !== undefined) sink++;
    trials.push(((performance.now() - t0) * 1e6) / N);
  }
  trials.sort((a, b) => a - b);
  return Math.round((trials[Math.floor(TRIALS / 2)] ?? 0) * 10) / 10;
}

const dc = new DataCentreIndex();
const classifier = new UserAgentClassifier();
console.log(
  JSON.stringify({
    n: N,
    trials: TRIALS,
    ranges: dc.size,
    ns_per_call: {
      datacentre_v4: measure(v4, (ip) => dc.lookup(ip)),
      datacentre_v6: measure(v6, (ip) => dc.lookup(ip)),
      datacentre_mapped: measure(mapped, (ip) => dc.lookup(ip)),
      canonical_ip_v4: measure(v4, canonicalIp),
      canonical_ip_v6: measure(v6, canonicalIp),
      domain_key: measure(domains, domainKey),
      user_agent_rules: measure(uas, classifyUserAgent),
      user_agent_memoised: measure(freshUas, (ua) => classifier.classify(ua)),
    },
    sink,
  }),
);
