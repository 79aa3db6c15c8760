/**
 * npm run reconcile -- --from <ISO> --to <ISO> | --run <run_id> [flags]   (`--help`: RECONCILE_COMMAND)
 * Exit status: 0 no mismatch, 1 a mismatch or a failure, 2 bad flags or environment.
 */
import {
  argsOrExit,
  ConfigError,
  createClickHouse,
  createLogger,
  defaultBrokers,
  exitWith,
} from '@streambid/adapters';
import { DEFAULT_PORTS, type Region } from '@streambid/contracts';
import { UsageError } from '../cli/args.js';
import { parseReconcileArgs, RECONCILE_COMMAND, type ReconcileArgs } from './args.js';
import { loadReconcileConfig, type ReconcileConfig } from './config.js';
import { alignToMinutes } from './facts.js';
import { formatReconciliation } from './format.js';
import { runReconcile, type ReconcileScope } from './reconcile.js';
import { loadRunScope, RunSummaryError, type RunScope } from './run-summary.js';

/** Inventory ports of a local stack (the load test and demo: 8090 + 100 per region). */
const INVENTORY_PORT: Record<Region, number> = { eu: 8090, us: 8190, ap: 8290 };

/** First of: the flag, the run's summary, the environment, the local default. */
function endpoint(
  r: Region,
  ...sources: (ReadonlyMap<Region, string> | undefined)[]
): string | undefined {
  for (const s of sources) {
    const v = s?.get(r);
    if (v !== undefined) return v;
  }
  return undefined;
}

function scopeOf(
  args: ReconcileArgs,
  config: ReconcileConfig,
  run: RunScope | null,
): ReconcileScope {
  const regions = args.regions ?? run?.regions ?? (['eu', 'us'] as Region[]);
  const brokers = new Map<Region, string>();
  const inventory = new Map<Region, string>();
  for (const r of new Set<Region>([...regions, config.REGION])) {
    const local =
      r === config.REGION && config.KAFKA_BROKERS !== undefined
        ? defaultBrokers(r, config.KAFKA_BROKERS)[0]
        : `127.0.0.1:${String(DEFAULT_PORTS.kafka[r])}`;
    brokers.set(
      r,
      endpoint(r, args.brokers, run?.brokers, config.RECONCILE_BROKERS) ?? local ?? '',
    );
    inventory.set(
      r,
      endpoint(r, args.inventory, run?.inventory, config.RECONCILE_INVENTORY) ??
        `http://127.0.0.1:${String(INVENTORY_PORT[r])}`,
    );
  }
  const window = alignToMinutes(
    run ? run.window : { fromMs: args.window?.fromMs ?? null, toMs: args.window?.toMs ?? null },
  );
  return {
    namespace: run ? run.namespace : config.TOPIC_NAMESPACE,
    regions,
    window,
    brokers,
    inventory,
    campaigns: run
      ? { list: run.campaigns, selection: `campaigns of run ${run.runId} (from its summary)` }
      : null,
    load: args.load,
    ledger: args.ledger,
    settleMs: args.settleMs,
  };
}

async function main(argv: string[]): Promise<number> {
  const args = argsOrExit(RECONCILE_COMMAND, argv, parseReconcileArgs);
  const config = loadReconcileConfig();
  if (args.ledger && config.INVENTORY_TOKEN === undefined)
    throw new ConfigError(
      'INVENTORY_TOKEN',
      'required to read the inventory ledger (or pass --no-ledger)',
    );
  let run: RunScope | null = null;
  if (args.runId !== null)
    try {
      run = await loadRunScope(args.reportsDir, args.runId);
    } catch (err) {
      if (err instanceof RunSummaryError) throw new UsageError(`--run: ${err.message}`);
      throw err;
    }
  const scope = scopeOf(args, config, run);
  const say = (line: string): void => void process.stdout.write(`${line}\n`);
  if (run?.namespaceFrom === 'run id')
    say(
      `note: the summary records no namespace; using ${run.namespace}, the load test's name for run ${run.runId}`,
    );
  if (run && run.window.fromMs === null)
    say(
      'note: the summary records no window; the whole namespace is compared (it holds this run only)',
    );
  const logger = createLogger({
    service: 'clickfraud-reconcile',
    level: config.LOG_LEVEL,
    destination: 2,
  });
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL });
  try {
    const result = await runReconcile({ config, ch, logger, say }, scope);
    for (const line of formatReconciliation(result)) say(line);
    say(JSON.stringify(result));
    return result.mismatches === 0 ? 0 : 1;
  } finally {
    await ch.close();
    logger.flush();
  }
}

exitWith('reconcile', main(process.argv.slice(2)));
