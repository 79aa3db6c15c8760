/**
 * `npm run loadtest -- --regions eu,us --rate 1000 --duration 30 [--scenario file.json] [--keep]`
 * (a scenario file with named `scenarios` runs them at once, each through its stages)
 * Brings up what it needs, drives every region at a fixed arrival rate, plays the exchange
 * (wins, notices, impressions, clicks, labelled bots), and prints a JSON summary as its last line.
 * `--find-max` steps the rate instead, until a step's median trial fails a threshold.
 * Exit: 0 thresholds held (find-max: a rate passed), 1 a threshold failed (find-max: even the
 * first step failed) or the run broke, 2 bad flags.
 */
import { argsOrExit } from '@streambid/adapters';
import { LOADTEST_FLAGS, parseArgs } from './args.js';
import { runFindMax } from './find-max-run.js';
import { runLoadtest, sayDashboardKept } from './loadtest.js';
import { keepStack } from './run.js';
import { failedThresholdLines } from './thresholds.js';

const COMMAND = {
  name: 'loadtest',
  usage:
    'npm run loadtest -- --regions eu,us --rate 1000 --duration 30 [flags]\n       npm run loadtest -- --regions eu,us --scenario loadtest/scenarios/mixed.json [flags]\n       npm run loadtest -- --regions eu,us --find-max [--trials 3] [--step-s 8] [--start 100] [--factor 1.5] [flags]',
  about:
    'Brings up what it needs, drives every region at a fixed arrival rate, plays the exchange (wins, notices, impressions, clicks, labelled bots), and prints a JSON summary as its last line. With --find-max it steps the per-region rate (a warm-up first, each step repeated and judged by its median trial against the scenario thresholds) until a step fails, and prints max_rps_per_region. Both sample every process role in 100 ms slices and report CPU, steal time and stalls per second, and start the live dashboard (its URL with the token is printed; --keep leaves it up).',
  flags: LOADTEST_FLAGS,
  footer:
    'Exit status: 0 thresholds held (--find-max: some rate passed), 1 a threshold failed (--find-max: even the first step failed) or the run broke, 2 bad flags.',
};

async function main(): Promise<number> {
  const args = argsOrExit(COMMAND, process.argv.slice(2), parseArgs);
  const say = (l: string): void => void process.stdout.write(`${l}\n`);
  if (args.findMax) {
    const { summary, stack } = await runFindMax(args, args.findMax, say);
    if (args.keep) {
      await keepStack(stack, say);
      sayDashboardKept(stack, say);
    }
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    return summary.found ? 0 : 1;
  }
  const { summary, stack } = await runLoadtest(args, say);
  if (args.keep) {
    await keepStack(stack, say);
    sayDashboardKept(stack, say);
  }
  for (const line of failedThresholdLines(summary.threshold_list))
    process.stdout.write(`${line}\n`);
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return summary.passed ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `loadtest failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
