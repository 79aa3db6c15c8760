/**
 * npm run report -- delivery --from <ISO> --to <ISO> | --run <run_id>
 *   --by campaign|creative|publisher|site|deal|country|region|hour
 *   [--campaign id] [--format table|json|csv] [--limit n] [--reports dir] [--version v] [--no-load]
 * Exit status: 0 ok, 1 query failed, 2 bad flag or value (the message names it).
 */
import type { Kafka } from 'kafkajs';
import {
  argsOrExit,
  createClickHouse,
  createKafka,
  createLogger,
  defaultBrokers,
  envRows,
  exitWith,
  type Logger,
} from '@streambid/adapters';
import { DEFAULT_PORTS, type Region } from '@streambid/contracts';
import { UsageError } from '../cli/args.js';
import { configSchema, loadClickfraudConfig, type ClickfraudConfig } from '../config.js';
import { loadDelivery, loadSpend } from '../reconcile/load.js';
import { loadRunScope, RunSummaryError, type RunScope } from '../reconcile/run-summary.js';
import { migrateLedger } from '../schema/ledger.js';
import { migrate } from '../schema/migrations.js';
import { formatDelivery } from './delivery-format.js';
import { parseReportArgs, REPORT_COMMAND } from './delivery-args.js';
import { deliveryReport, reportTables, spendTopicsOf } from './delivery-service.js';

/** Every region's own cluster: the run's summary, then KAFKA_BROKERS for REGION, `CLICKFRAUD_BROKERS`, the local ports. */
function clusters(
  config: ClickfraudConfig,
  run: RunScope | null,
  logger: Logger,
): Map<Region, Kafka> {
  const out = new Map<Region, Kafka>();
  for (const r of new Set<Region>([config.REGION, ...(run?.regions ?? [])])) {
    const broker =
      run?.brokers.get(r) ??
      (r === config.REGION
        ? defaultBrokers(r, config.KAFKA_BROKERS)[0]
        : config.CLICKFRAUD_BROKERS?.get(r)) ??
      `127.0.0.1:${String(DEFAULT_PORTS.kafka[r])}`;
    out.set(r, createKafka({ clientId: `clickfraud-report-${r}`, brokers: [broker], logger }));
  }
  return out;
}

async function main(argv: readonly string[]): Promise<number> {
  const args = argsOrExit(
    { ...REPORT_COMMAND, env: envRows(configSchema, [import.meta.resolve('../config.js')]) },
    argv,
    parseReportArgs,
  );
  const { params } = args;
  const config = loadClickfraudConfig();
  let run: RunScope | null = null;
  if (params.run !== undefined)
    try {
      run = await loadRunScope(params.reports, params.run);
    } catch (err) {
      if (err instanceof RunSummaryError) throw new UsageError(`--run: ${err.message}`);
      throw err;
    }
  const logger = createLogger({
    service: 'clickfraud-report',
    level: config.LOG_LEVEL,
    destination: 2,
  });
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL });
  const db = config.CLICKFRAUD_DB;
  const say = (line: string): void => void process.stderr.write(`${line}\n`);
  try {
    const kafkas = clusters(config, run, logger);
    const ledger = await migrateLedger(ch, db);
    const tables = await migrate(ch, db, (await reportTables(ch, db, params.version)).version);
    if (run && args.load) {
      const load = {
        ch,
        logger,
        say,
        analytics: config.REGION,
        kafkas,
        batchRows: config.CLICKFRAUD_BATCH_ROWS,
        lanes: config.CLICKFRAUD_REPLAY_LANES,
        lingerMs: config.CLICKFRAUD_LINGER_MS,
      };
      const topics = spendTopicsOf(run.namespace, config.REGION, run.regions);
      const n =
        (await loadSpend(load, tables, ledger.spend, topics, run.window)) +
        (await loadDelivery(load, tables, run.namespace, run.regions, run.window));
      say(`loaded ${String(n)} rows of run ${run.runId} (${tables.version})`);
    }
    const report = await deliveryReport(
      {
        ch,
        db,
        kafka: kafkas.get(config.REGION) ?? null,
        analytics: config.REGION,
        namespace: config.TOPIC_NAMESPACE,
        logger,
      },
      { ...params, version: tables.version },
      run,
    );
    process.stdout.write(formatDelivery(report, params.format));
    return 0;
  } finally {
    await ch.close();
    logger.flush();
  }
}

exitWith('report', main(process.argv.slice(2)));
