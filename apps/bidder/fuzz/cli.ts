/**
 * `npm run fuzz:bidder -- --cases N [--seed S] [--case I]`: the in-process bid-path fuzzer.
 * Prints progress and findings on stderr and one JSON summary as the last line of stdout:
 * `{cases, crashes, hangs, status_5xx, invalid_events, rss_growth_mb, ms, seed}`. Exit 0 when
 * every count is 0 and RSS grew under 50 MB, 1 otherwise, 2 on a usage error.
 * `--case I` replays one case of a run (with its `--seed`) and prints its body.
 */
import { flagsOrExit, freshSeed } from './args.js';
import { bidCase, fuzzBidder, passed } from './bid-fuzz.js';
import { bidSeeds } from './seeds.js';

const USAGE = 'usage: npm run fuzz:bidder -- [--cases N] [--seed S] [--case I] [--workers W]';
const flags = flagsOrExit(
  USAGE,
  {
    cases: { kind: 'int', min: 1, help: 'cases to run (default 100000)' },
    seed: { kind: 'int', help: 'seed of the run, to replay it (default: fresh, printed)' },
    case: { kind: 'int', help: 'replay only this case of the run (needs --seed)' },
    keep: { kind: 'int', help: 'findings to print (default 20; the counts are exact)' },
    workers: { kind: 'int', min: 1, help: 'worker threads sharing the cases (default 2)' },
  },
  process.argv.slice(2),
);
const seed = typeof flags['seed'] === 'number' ? flags['seed'] >>> 0 : freshSeed();
const only = typeof flags['case'] === 'number' ? flags['case'] : undefined;
if (only !== undefined && flags['seed'] === undefined) {
  process.stderr.write(`--case: needs the --seed of the run it comes from\n\n${USAGE}\n`);
  process.exit(2);
}
const log = (line: string): void => void process.stderr.write(`[fuzz:bidder] ${line}\n`);
if (only !== undefined) {
  const c = bidCase(bidSeeds(seed), seed, only);
  log(
    `case ${String(only)} of seed ${String(seed)}: seed text ${c.seedName}, edits ${c.classes.join(', ')}, version ${JSON.stringify(c.version)}`,
  );
  log(`body (${String(c.bytes.length)} bytes, base64): ${c.bytes.toString('base64')}`);
}
log(
  `seed ${String(seed)}${only === undefined ? `, ${String(flags['cases'] ?? 100_000)} cases` : ''}`,
);
const report = await fuzzBidder({
  cases: typeof flags['cases'] === 'number' ? flags['cases'] : 100_000,
  seed,
  ...(only === undefined ? {} : { only }),
  keep: typeof flags['keep'] === 'number' ? flags['keep'] : 20,
  workers: typeof flags['workers'] === 'number' ? flags['workers'] : 2,
  log,
});
for (const f of report.findings)
  log(
    `${f.kind} in case ${String(f.case)} (${f.seedName}; ${f.classes.join('+')}): ${f.detail}\n  body: ${f.body}`,
  );
log(`stats ${JSON.stringify(report.stats)}`);
const ok = passed(report.summary);
if (!ok) log(`FAILED; replay a case with --seed ${String(seed)} --case <case>`);
process.stdout.write(`${JSON.stringify(report.summary)}\n`);
process.exit(ok ? 0 : 1);
