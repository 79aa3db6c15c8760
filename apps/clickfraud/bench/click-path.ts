/**
 * The replay's per-click decode cost, fast byte path against the general path (JSON.parse, the
 * checker, the row, the line), on the same tracker click with its privacy field, interleaved
 * trials in one process; median of each. `node --conditions=@streambid/source --import tsx
 * apps/clickfraud/bench/click-path.ts`. Prints one JSON line.
 */
import { FeatureExtractor } from '../src/domain/features.js';
import { parseClick } from '../src/replay/click-decode.js';
import { FastClickEncoder } from '../src/replay/click-fast.js';
import { clickLine, isPlainJson } from '../src/replay/tsv.js';

const click = Buffer.from(
  JSON.stringify({
    eventId: 'c-0f4a1b2c-3d4e-5f60-7182-93a4b5c6d7e8',
    ts: 1_765_000_000_123,
    region: 'eu',
    bidId: 'b-0f4a1b2c-3d4e-5f60-7182-93a4b5c6d7e8',
    campaignId: 'camp-42',
    creativeId: 'camp-42-cr1',
    impressionTs: 1_764_999_990_000,
    privacy: { basis: 'none', p: 511 },
    userId: 'u-8d1f3c',
    ip: '81.2.69.142',
    ua: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/124.0 Safari/537.36',
    siteDomain: 'site7.example.com',
    publisherId: 'pub-7',
    placement: 'top',
    country: 'DEU',
    deviceType: 2,
  }),
);
const fx = new FeatureExtractor();
const enc = new FastClickEncoder(fx);
const out = Buffer.alloc(64 * 1024);
const src = { topic: 'clicks', partition: 0, offset: '123456' };
let sink = 0;

const fast = (): void => {
  if (enc.scan(click) < 0) throw new Error('not on the fast path');
  sink += enc.write(click, out, 0, 'clicks', 0, '123456');
};
const general = (): void => {
  const e = parseClick(click);
  if (e === null) throw new Error('rejected');
  sink += clickLine(fx.click(e, src), isPlainJson(click)).length;
};
const parseOnly = (): void => {
  sink += (JSON.parse(click.toString('utf8')) as { ts: number }).ts;
};

function trial(f: () => void, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t0) / n;
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? 0;

const N = 200_000;
const runs: Record<string, number[]> = { fast: [], general: [], parse: [] };
for (const f of [fast, general, parseOnly]) trial(f, N); // warm-up
for (let t = 0; t < 9; t++) {
  runs['fast']?.push(trial(fast, N));
  runs['general']?.push(trial(general, N));
  runs['parse']?.push(trial(parseOnly, N));
}
const ns = (k: string): number => Math.round(median(runs[k] ?? []));
console.log(
  JSON.stringify({
    bench: 'click-path',
    fast_ns_per_click: ns('fast'),
    general_ns_per_click: ns('general'),
    json_parse_ns: ns('parse'),
    fast_vs_general: Math.round((ns('fast') / ns('general')) * 100) / 100,
    trials: 9,
    sink: sink > 0,
  }),
);
