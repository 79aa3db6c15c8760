/**
 * `npm run sim:pacing -- --lag-ms N [--regions 3] [--campaigns 100] [--seed s] [--runs 1] [--flight-s 600]`
 *
 * Runs the real allocation and pacing code in a deterministic, network-free simulation and prints
 * one line per campaign per run, then one JSON summary as the last line. Exit 2 on a bad flag.
 */
import { argsOrExit } from '@streambid/adapters/cli';
import { parseSimArgs, SIM_FLAGS } from './args.js';
import { simulate, type RunOutcome } from './simulate.js';

const COMMAND = {
  name: 'sim:pacing',
  usage:
    'npm run sim:pacing -- --lag-ms N [--regions 3] [--campaigns 100] [--seed s] [--runs 1] [--flight-s 600]',
  about:
    'Runs the real allocation and pacing code in a deterministic, network-free simulation; prints one line per campaign per run, then one JSON summary as the last line.',
  flags: SIM_FLAGS,
  footer: 'Exit status: 0 done, 2 bad flag.',
};

const round = (x: number, d = 4): number => Math.round(x * 10 ** d) / 10 ** d;

function main(): void {
  const args = argsOrExit(COMMAND, process.argv.slice(2), parseSimArgs);
  const started = Date.now();
  const runs: RunOutcome[] = [];
  for (let i = 0; i < args.runs; i++) {
    const run = simulate({
      lagMs: args.lagMs,
      regions: args.regions,
      campaigns: args.campaigns,
      seed: args.runs === 1 ? args.seed : `${args.seed}-${String(i)}`,
      flightMs: args.flightS * 1000,
    });
    runs.push(run);
    console.log(`run ${String(i)} seed=${run.seed}`);
    console.log(
      'campaign\tbudget_micros\tspend_micros\toverspend_pct\tunderdelivery_pct\tdemand_x',
    );
    for (const c of run.campaigns)
      console.log(
        [
          c.id,
          c.budgetMicros,
          c.spendMicros,
          round(c.overspendPct),
          round(c.underdeliveryPct),
          round(c.demandRatio, 2),
        ].join('\t'),
      );
    console.log(
      `run ${String(i)}: overspend_pct_max=${String(round(run.overspendPctMax))} overspend_pct_mean=${String(round(run.overspendPctMean))} underdelivery_pct=${String(round(run.underdeliveryPct))}`,
    );
  }
  const all = runs.flatMap((r) => r.campaigns);
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const over = all.map((c) => c.overspendPct).sort((a, b) => a - b);
  console.log(
    JSON.stringify({
      overspend_pct_max: round(Math.max(...over)),
      overspend_pct_mean: round(mean(over.map((x) => Math.max(0, x)))),
      overspend_pct_p95: round(
        over[Math.min(over.length - 1, Math.floor(over.length * 0.95))] ?? 0,
      ),
      underdelivery_pct: round(mean(all.map((c) => c.underdeliveryPct))),
      underdelivery_pct_max: round(Math.max(...all.map((c) => c.underdeliveryPct))),
      lag_ms: args.lagMs,
      regions: args.regions,
      campaigns: args.campaigns,
      runs: args.runs,
      seed: args.seed,
      flight_s: args.flightS,
      elapsed_ms: Date.now() - started,
    }),
  );
}

main();
