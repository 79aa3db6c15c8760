/**
 * `npm run fuzz:http -- --cases N [--seed S]`: the HTTP fuzzer against a bidder (two workers) and
 * an inventory service it starts under a fresh topic namespace (Kafka and Redis from `npm run
 * infra -- up`), or against running ones (`--bidder URL --inventory URL --token T`). Progress and
 * findings go to stderr; the last line of stdout is the JSON summary
 * `{cases, crashes, hangs, status_5xx, invalid_events, rss_growth_mb, ms, seed}`. Exit 0 when every
 * count is 0 and RSS grew under 50 MB, 1 otherwise, 2 on a usage error.
 */
import { flagsOrExit, freshSeed, passed } from '@streambid/bidder/fuzz';
import { release, up } from '@streambid/infra';
import { fuzzHttp } from './http-fuzz.js';

const USAGE =
  'usage: npm run fuzz:http -- [--cases N] [--seed S] [--bidder URL --inventory URL --token T]';
const flags = flagsOrExit(
  USAGE,
  {
    cases: { kind: 'int', min: 1, help: 'requests to send (default 50000)' },
    seed: { kind: 'int', help: 'seed of the run, to replay it (default: fresh, printed)' },
    concurrency: { kind: 'int', min: 1, help: 'requests in flight (default 8)' },
    targets: { kind: 'string', help: 'which requests: bid,tracker,inventory (default all)' },
    keep: { kind: 'int', help: 'findings to print (default 20; the counts are exact)' },
    bidder: { kind: 'string', help: 'URL of a running bidder (with --inventory and --token)' },
    inventory: { kind: 'string', help: 'URL of a running inventory service' },
    token: { kind: 'string', help: "the inventory service's bearer token" },
  },
  process.argv.slice(2),
);
const given = ['bidder', 'inventory', 'token'].filter((k) => flags[k] !== undefined);
if (given.length !== 0 && given.length !== 3) {
  process.stderr.write(`--bidder, --inventory and --token go together\n\n${USAGE}\n`);
  process.exit(2);
}
const TARGETS = ['bid', 'tracker', 'inventory'] as const;
const targets = String(flags['targets'] ?? TARGETS.join(',')).split(',');
const unknown = targets.filter((t) => !(TARGETS as readonly string[]).includes(t));
if (unknown.length > 0 || targets.length === 0) {
  process.stderr.write(
    `--targets: unknown ${JSON.stringify(unknown)}; use ${TARGETS.join(',')}\n\n${USAGE}\n`,
  );
  process.exit(2);
}
const seed = typeof flags['seed'] === 'number' ? flags['seed'] >>> 0 : freshSeed();
const log = (line: string): void => void process.stderr.write(`[fuzz:http] ${line}\n`);
// A lease on the local stack (as `npm test` takes): another test run's cleanup then leaves this
// run's topics alone. Services already up are reused; at the end it stops the services it
// started (unless another run holds a lease, or TEST_KEEP_INFRA=1), as `npm test` does.
const ep = await up({ regions: ['eu', 'us'], lease: true, log: (l) => log(`infra: ${l}`) });
const cases = typeof flags['cases'] === 'number' ? flags['cases'] : 50_000;
log(`seed ${String(seed)}, ${String(cases)} cases`);
const report = await fuzzHttp({
  cases,
  seed,
  kafka: ep.kafka.eu ?? '127.0.0.1:9092',
  clusters: Object.values(ep.kafka),
  redis: ep.redis.eu ?? 'redis://127.0.0.1:6379',
  ...(given.length === 3
    ? {
        bidderUrl: String(flags['bidder']),
        inventoryUrl: String(flags['inventory']),
        inventoryToken: String(flags['token']),
      }
    : {}),
  ...(typeof flags['concurrency'] === 'number' ? { concurrency: flags['concurrency'] } : {}),
  keep: typeof flags['keep'] === 'number' ? flags['keep'] : 20,
  targets: targets as (typeof TARGETS)[number][],
  log,
}).finally(() => release({ keep: process.env['TEST_KEEP_INFRA'] === '1' }));
for (const f of report.findings)
  log(
    `${f.kind} at case ${String(f.case)}: ${f.detail}${f.request === '' ? '' : `\n  ${f.request}`}`,
  );
log(`stats ${JSON.stringify(report.stats)}`);
const ok = passed(report.summary);
if (!ok) log(`FAILED; rerun with --seed ${String(seed)}`);
process.stdout.write(`${JSON.stringify(report.summary)}\n`);
process.exit(ok ? 0 : 1);
