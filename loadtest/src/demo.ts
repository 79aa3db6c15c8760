/**
 * `npm run demo [-- --keep] [--rate N] [--duration S]`: the main job. Brings up two regions (eu, us)
 * with every app, seeds campaigns, runs a short multi-region load test with bots, replays the
 * clicks into ClickHouse, scores them, and prints the latency table and the top of the fraud report.
 * Stops what it started unless `--keep` (then it prints the service URLs).
 */
import { spawn } from 'node:child_process';
import { ANALYTICS_REGION } from '@streambid/contracts';
import { argsOrExit, parseFlags, UsageError, type CommandSpec } from '@streambid/adapters';
import { scenarioSchema } from './args.js';
import { dashboardOf, runLoadtest, sayDashboardKept } from './loadtest.js';
import {
  appPorts,
  INVENTORY_TOKEN,
  keepStack,
  REPORT_TOKEN,
  stopStack,
  type Stack,
} from './run.js';

const say = (line: string): void => void process.stdout.write(`${line}\n`);

const COMMAND = {
  name: 'demo',
  usage: 'npm run demo [-- --keep] [--rate N] [--duration S]',
  about:
    'Brings up two regions (eu, us) with every app and the live dashboard (its URL is printed), seeds campaigns, runs a short multi-region load test with bots, replays the clicks into ClickHouse, scores them, and prints the latency table and the top of the fraud report.',
  flags: {
    keep: { description: 'leave the stack and the dashboard running and print their URLs' },
    rate: { value: 'N', description: 'arrival rate per region (requests/s)', default: '100' },
    duration: { value: 'S', description: 'seconds of load', default: '20' },
  },
  footer: 'Exit status: 0 done, 1 a step failed, 2 bad flags.',
} as const satisfies CommandSpec;

function parseDemoArgs(argv: readonly string[]): { keep: boolean; rate: number; duration: number } {
  const { values } = parseFlags(argv, COMMAND.flags);
  const positive = (flag: 'rate' | 'duration', def: number): number => {
    const raw = values[flag];
    const v = raw === undefined ? def : Number(raw);
    if (!Number.isFinite(v) || v <= 0)
      throw new UsageError(`--${flag}: expected a positive number`);
    return v;
  };
  return {
    keep: values.keep === true,
    rate: positive('rate', 100),
    duration: positive('duration', 20),
  };
}

/** Runs an app CLI to completion with the stack's environment, streaming its output indented. */
function runCli(stack: Stack, entry: string, args: string[], quiet = false): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['--conditions=@streambid/source', '--import', 'tsx', entry, ...args],
      {
        env: {
          ...process.env,
          REGION: ANALYTICS_REGION,
          KAFKA_BROKERS: stack.brokers[ANALYTICS_REGION] ?? '',
          CLICKHOUSE_URL: stack.endpoints.clickhouse,
          TOPIC_NAMESPACE: stack.ns,
          CLICKFRAUD_DB: `streambid_${stack.runId}`,
          LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!quiet) process.stdout.write(d.toString().replace(/^/gm, '    '));
    });
    child.stderr.on('data', (d: Buffer) => {
      const s = d.toString();
      // Progress lines are useful; JSON logs at warn are noise here.
      if (!s.startsWith('{')) process.stdout.write(s.replace(/^/gm, '    '));
    });
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${entry} ${args.join(' ')} exited with ${String(code)}`)),
    );
  });
}

async function main(): Promise<number> {
  const opts = argsOrExit(COMMAND, process.argv.slice(2), parseDemoArgs);
  const startedAt = new Date(Date.now() - 60_000).toISOString();
  const scenario = scenarioSchema.parse({
    rate: opts.rate,
    durationS: opts.duration,
    // From a cold machine the JVMs' JIT and MirrorMaker 2's start-up cost the first seconds: warm
    // up until that has settled (settle.ts), then measure.
    warmupS: 60,
    warmupUntilSettled: true,
    botShare: 0.15,
    thresholds: { p99Ms: 1000, errorRate: 0.05, overspendPct: 1 },
  });
  say('== streambid demo: two regions (eu, us), every app, a multi-region load test with bots ==');
  const { summary, stack } = await runLoadtest(
    { regions: ['eu', 'us'], scenario, outDir: 'loadtest/reports', keep: true, screenshot: true },
    say,
  );
  try {
    say('');
    say('== per-region latency (open model, from intended send time) ==');
    say('region   req/s    p50 ms    p99 ms  p99.9 ms  bid rate');
    for (const [r, s] of Object.entries(summary.regions))
      say(
        `${r.padEnd(6)} ${s.rps.toFixed(0).padStart(7)} ${s.p50_ms.toFixed(2).padStart(9)} ${s.p99_ms.toFixed(2).padStart(9)} ${s.p999_ms.toFixed(2).padStart(9)} ${s.bid_rate.toFixed(3).padStart(9)}`,
      );
    say(
      `overspend max ${String(summary.overspend_pct_max)} % | freq-cap violations ${String(summary.freq_cap_violations)} | bids on blocklisted entities ${String(summary.blocklisted_bids)} | bids on known bots ${String(summary.bids_on_known_bots)} | replication lag p99 ${String(summary.replication_lag_p99_ms)} ms`,
    );
    say(`HTML report: ${summary.report_html}`);
    say('');
    say(
      '== replaying click and impression history from eu and us (replicated copies) into ClickHouse ==',
    );
    await runCli(stack, 'apps/clickfraud/src/main.ts', [
      'replay',
      '--from',
      'earliest',
      '--regions',
      'eu,us',
    ]);
    const to = new Date(Date.now() + 60_000).toISOString();
    say('== scoring invalid traffic ==');
    await runCli(stack, 'apps/clickfraud/src/main.ts', ['score', '--from', startedAt, '--to', to]);
    say('== fraud report: top sites by invalid-traffic score ==');
    await runCli(stack, 'apps/clickfraud/src/report-cli.ts', [
      '--from',
      startedAt,
      '--to',
      to,
      '--by',
      'site',
      '--limit',
      '10',
      '--format',
      'table',
    ]);
    say('== fraud report: top IPs ==');
    await runCli(stack, 'apps/clickfraud/src/report-cli.ts', [
      '--from',
      startedAt,
      '--to',
      to,
      '--by',
      'ip',
      '--limit',
      '5',
      '--format',
      'table',
    ]);
    if (opts.keep) {
      say('');
      say('== services left running (--keep) ==');
      for (const r of stack.regions) {
        const p = appPorts(r);
        say(
          `${r}: bidder http://127.0.0.1:${String(p.bidder)}/openrtb2/bid | inventory http://127.0.0.1:${String(p.inventory)}/campaigns (Bearer ${INVENTORY_TOKEN}) | profile-builder http://127.0.0.1:${String(p.profileBuilder)}/metrics`,
        );
      }
      say(
        `clickfraud: http://127.0.0.1:${String(appPorts(ANALYTICS_REGION).clickfraud)}/reports/fraud?by=site and /reports/delivery?by=campaign (Bearer ${REPORT_TOKEN}) | topic namespace ${stack.ns}`,
      );
      const dashboard = dashboardOf(stack);
      if (dashboard) say(`dashboard: ${dashboard.url}`);
    }
  } finally {
    say('');
    if (opts.keep) {
      await keepStack(stack, say);
      sayDashboardKept(stack, say);
    } else await stopStack(stack, say);
  }
  say('demo finished.');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(
      `demo failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exit(1);
  },
);
