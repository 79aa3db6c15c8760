import { parseFlags, type CommandSpec } from '@streambid/adapters';
import { UsageError } from '../cli/args.js';
import {
  DELIVERY_DIMENSIONS,
  parseDeliveryParams,
  type DeliveryParams,
} from './delivery-params.js';
import { REPORT_FORMATS } from './params.js';

/** Flags of `npm run report -- delivery`. */
export const DELIVERY_FLAGS = {
  from: { value: '<ISO>', description: 'start of the window (grown to the hour; or --run)' },
  to: { value: '<ISO>', description: 'end of the window (grown to the hour)' },
  by: { value: DELIVERY_DIMENSIONS.join('|'), description: 'dimension to group by (required)' },
  campaign: { value: '<id>', description: 'only this campaign' },
  format: {
    value: REPORT_FORMATS.join('|'),
    description: 'output format (table and json end with the report as one JSON line)',
    default: 'table',
  },
  limit: { value: 'n', description: 'rows at most (1–100000)', default: '50' },
  run: {
    value: '<run_id>',
    description:
      "a load-test run, as `reconcile --run`: its campaigns, namespace and window from <reports>/<run_id>/summary.json; loads the run's streams first",
  },
  reports: {
    value: '<dir>',
    description: 'where load-test reports are',
    default: 'loadtest/reports',
  },
  version: { value: '<version>', description: 'model version to read', default: 'current' },
  'no-load': {
    description: 'with --run: report ClickHouse as it is, without loading the run first',
  },
  help: { description: 'this text', short: 'h' },
} as const;

/** `npm run report -- --help` (cli.ts adds the environment). */
export const REPORT_COMMAND = {
  name: 'report',
  usage: `npm run report -- delivery --from <ISO> --to <ISO> --by <dimension> [flags]
       npm run report -- delivery --run <run_id> --by <dimension> [flags]`,
  about: `Delivery and spend from ClickHouse, grouped by one dimension: bids, wins, win rate, impressions,
clicks, CTR, spend (exact micros, deduplicated by bid), eCPM, eCPC and pacing against the
even-delivery plan (campaign and hour rows; budgets from the campaigns topic).`,
  flags: DELIVERY_FLAGS,
  footer: 'Exit status: 0 ok, 1 query failed, 2 bad flag or value (the message names it).',
} as const satisfies CommandSpec<typeof DELIVERY_FLAGS>;

/** What `npm run report -- delivery` was asked. */
export interface ReportArgs {
  params: DeliveryParams;
  load: boolean;
}

export function parseReportArgs(argv: readonly string[]): ReportArgs {
  const [command, ...rest] = argv;
  if (command !== 'delivery')
    throw new UsageError(`command: expected delivery, got ${JSON.stringify(command ?? '')}`);
  const { values } = parseFlags(rest, DELIVERY_FLAGS);
  const raw: Record<string, string> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') raw[k] = v;
  const parsed = parseDeliveryParams(raw);
  if (!parsed.ok) throw new UsageError(parsed.error.message);
  if (values['no-load'] === true && parsed.params.run === undefined)
    throw new UsageError('--no-load: only with --run');
  return { params: parsed.params, load: values['no-load'] !== true };
}
