/**
 * `npm run loadtest -- --regions eu,us --rate 1000 --duration 30 [--scenario file.json] [--keep]`
 * Brings up what it needs, drives every region at a fixed arrival rate, plays the exchange
 * (wins, notices, impressions, clicks, labelled bots), and prints a JSON summary as its last line.
 * Exit: 0 thresholds held, 1 a threshold failed or the run broke, 2 bad flags.
 */
import { parseArgs, UsageError } from './args.js';
import { runLoadtest } from './loadtest.js';

async function main(): Promise<number> {
  let args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`loadtest: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { summary } = await runLoadtest(args, (l) => process.stdout.write(`${l}\n`));
  for (const t of summary.thresholds)
    if (!t.ok)
      process.stdout.write(
        `threshold FAILED: ${t.name} = ${String(t.value)} > ${String(t.limit)}\n`,
      );
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
