/**
 * `npm run loadtest -- --find-max`: one stack, a warm-up, then the per-region rate stepped up,
 * each step repeated and judged by its median trial, until a step fails. Every trial samples the
 * CPU of every role in 100 ms slices.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findMaxRates, type StepRecord } from '@streambid/loadgen';
import type { FindMaxOptions, LoadtestArgs } from './args.js';
import { slicesForFile } from './cpu-sampler.js';
import {
  findMaxSummary,
  plannedSearchS,
  searchBudget,
  stepJson,
  stepSchedule,
  trialOf,
  type FindMaxSummary,
  type Trial,
} from './find-max.js';
import { gcLogs } from './gc-logs.js';
import { bringUp } from './loadtest.js';
import { drive, sampledDrive, stackSampler } from './phase.js';
import { stopStack, type Stack } from './run.js';
import { formatStall } from './seconds.js';

const perRegion = (t: Trial, f: (r: Trial['regions'][string]) => number): string =>
  Object.entries(t.regions)
    .map(([r, v]) => `${r} ${String(f(v))}`)
    .join(', ');

function sayTrial(say: (l: string) => void, rate: number, trial: number, n: number, t: Trial) {
  say(
    `  ${String(rate)} req/s trial ${String(trial + 1)}/${String(n)}: p99 ${perRegion(t, (v) => Math.round(v.p99_ms * 10) / 10)} ms; bid rate ${perRegion(t, (v) => Math.round(v.bid_rate * 1000) / 1000)}; send lag p99 ${perRegion(t, (v) => Math.round(v.send_lag_p99_ms))} ms; error rate ${String(Math.round(t.errorRate * 1e5) / 1e5)}; steal ${String(t.view.cpu?.steal_pct ?? '–')} %; stalls ${String(t.view.stalls.length)}; ${t.ok ? 'pass' : 'FAIL'}`,
  );
}

function sayStep(say: (l: string) => void, step: StepRecord<Trial>) {
  const j = stepJson(step);
  const cpu = Object.entries(j.cpu)
    .map(([role, v]) => `${role} ${String(v)}`)
    .join(', ');
  say(
    `step ${String(step.rate)} req/s per region: ${step.ok ? 'PASS' : 'FAIL'} (median trial p99 ${String(j.median_p99_ms)} ms, ${String(j.passed)}/${String(step.trials.length)} trials passed); cpu % of one core: ${cpu}; host busy ${String(j.busy_pct ?? '–')} %, steal ${String(j.steal_pct ?? '–')} %`,
  );
  for (const st of j.stalls) say(`    stall in trial ${String(st.trial + 1)} ${formatStall(st)}`);
}

/** Runs the search; with `keep` the stack is left running and returned. */
export async function runFindMax(
  args: LoadtestArgs,
  o: FindMaxOptions,
  say: (l: string) => void,
): Promise<{ summary: FindMaxSummary; stack: Stack }> {
  const { scenario, regions } = args;
  const rates = stepSchedule(o);
  const flightS = plannedSearchS(o, rates, scenario.warmupS) + 20;
  const budget = searchBudget(scenario, flightS);
  const { stack, prepare } = await bringUp(
    args,
    { ...scenario, budgetPerCampaign: budget },
    { flightS, maxRequestsPerRegion: (rates.at(-1) ?? o.start) * o.trialS },
    say,
  );
  try {
    const first = rates[0] ?? o.start;
    say(
      `find-max: ${rates.join(', ')} req/s per region; ${String(o.trials)} trials of ${String(o.trialS)} s per step, judged by the median trial (p99 <= ${String(scenario.thresholds.p99Ms)} ms, error rate <= ${String(scenario.thresholds.errorRate)}); stops at the first failed step`,
    );
    const warmupP99: Record<string, number> = {};
    if (scenario.warmupS > 0) {
      say(`warm-up: ${String(first)} req/s per region for ${String(scenario.warmupS)} s ...`);
      const warm = await drive(
        prepare({ ...scenario, rate: first, durationS: scenario.warmupS, seed: scenario.seed + 1 }),
      );
      for (const r of warm) warmupP99[r.region] = r.result.latencyMs.p99;
    }
    const sampler = stackSampler(stack);
    const slices: Record<string, ReturnType<typeof slicesForFile>> = {};
    let n = 0;
    const search = await findMaxRates<Trial>({
      rates,
      trials: o.trials,
      goal: { p99Ms: scenario.thresholds.p99Ms },
      targets: [
        {
          name: 'stack',
          run: async (rate, trial) => {
            // A fresh seed per trial: no trial replays another's requests.
            const sc = { ...scenario, rate, durationS: o.trialS, seed: scenario.seed + 100 + n++ };
            const sampled = await sampledDrive(sampler, prepare(sc), o.trialS);
            slices[`${String(rate)}/${String(trial + 1)}`] = slicesForFile(
              sampled.rec,
              sampled.startMs,
            );
            return trialOf(sampled.runs, sampled.view, scenario.thresholds);
          },
        },
      ],
      onTrial: (_name, rate, trial, t) => sayTrial(say, rate, trial, o.trials, t),
      onStep: (_name, step) => sayStep(say, step),
    });
    const outDir = join(args.outDir, stack.runId);
    mkdirSync(outDir, { recursive: true });
    const input = {
      runId: stack.runId,
      regions,
      options: o,
      rates,
      scenario,
      budgetPerCampaign: budget,
      warmup: { rate: first, durationS: scenario.warmupS, p99Ms: warmupP99 },
      steps: search['stack']?.steps ?? [],
      gcLogs: gcLogs(regions, stack.logDir, args.gcLogs === true),
      reportJson: join(outDir, 'find-max.json'),
      cpuSlicesJson: join(outDir, 'cpu-slices.json'),
    };
    writeFileSync(
      input.reportJson,
      `${JSON.stringify(findMaxSummary({ ...input, full: true }), null, 2)}\n`,
    );
    writeFileSync(input.cpuSlicesJson, `${JSON.stringify(slices)}\n`);
    const summary = findMaxSummary(input);
    say(
      `max_rps_per_region ${String(summary.max_rps_per_region)} (${summary.stopped_by}); report: ${input.reportJson}`,
    );
    if (!args.keep) await stopStack(stack, say);
    return { summary, stack };
  } catch (err) {
    await stopStack(stack, say);
    throw err;
  }
}
