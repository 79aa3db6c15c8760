/**
 * npm run fraud-report -- --from <ISO> --to <ISO> --by site|publisher|ip|subnet|campaign|region
 *   [--format table|json|csv] [--min-score x] [--limit n] [--campaign id] [--site s] [--publisher p]
 *   [--region r] [--version v]
 * Exit status: 0 ok, 1 query failed, 2 bad flag or value (the message names it).
 */
import {
  argsOrExit,
  createClickHouse,
  envRows,
  exitWith,
  parseFlags,
  type CommandSpec,
} from '@streambid/adapters';
import { UsageError } from './cli/args.js';
import { configSchema, loadClickfraudConfig } from './config.js';
import { formatReport } from './report/format.js';
import {
  parseReportParams,
  REPORT_DIMENSIONS,
  REPORT_FORMATS,
  type ReportParams,
} from './report/params.js';
import { report } from './service.js';

const COMMAND = {
  name: 'fraud-report',
  usage:
    'npm run fraud-report -- --from <ISO> --to <ISO> --by site|publisher|ip|subnet|campaign|region [flags]',
  about: 'Invalid-traffic scores from ClickHouse, grouped by one dimension.',
  flags: {
    from: { value: '<ISO>', description: 'start of the window (required)' },
    to: { value: '<ISO>', description: 'end of the window (required)' },
    by: { value: REPORT_DIMENSIONS.join('|'), description: 'dimension to group by (required)' },
    format: { value: REPORT_FORMATS.join('|'), description: 'output format', default: 'table' },
    'min-score': { value: 'x', description: 'only rows scoring at least x (0–1)', default: '0' },
    limit: { value: 'n', description: 'rows at most', default: '50' },
    campaign: { value: '<id>', description: 'only clicks of this campaign' },
    site: { value: '<site>', description: 'only clicks on this site or app' },
    publisher: { value: '<id>', description: 'only clicks of this publisher' },
    region: { value: 'eu|us|ap', description: 'only clicks of this region' },
    version: { value: '<version>', description: 'model version to read', default: 'current' },
  },
  env: envRows(configSchema, [import.meta.resolve('./config.js')]),
  footer: 'Exit status: 0 ok, 1 query failed, 2 bad flag or value (the message names it).',
} as const satisfies CommandSpec;

function parseReportArgs(argv: readonly string[]): ReportParams {
  const raw: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(parseFlags(argv, COMMAND.flags).values))
    if (typeof v === 'string') raw[k] = v;
  // Check the required flags in a fixed order so the message names the first one missing.
  for (const f of ['by', 'from', 'to'])
    if (raw[f] === undefined) throw new UsageError(`--${f}: required`);
  const parsed = parseReportParams(raw);
  if (!parsed.ok) throw new UsageError(parsed.error.message);
  return parsed.params;
}

async function main(argv: readonly string[]): Promise<number> {
  const params = argsOrExit(COMMAND, argv, parseReportArgs);
  const config = loadClickfraudConfig();
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL });
  try {
    const { rows } = await report({ ch, config }, params);
    process.stdout.write(formatReport(rows, params.format));
    return 0;
  } finally {
    await ch.close();
  }
}

exitWith('fraud-report', main(process.argv.slice(2)));
