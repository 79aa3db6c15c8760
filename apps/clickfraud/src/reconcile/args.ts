import { z } from 'zod';
import { isRegion, type Region } from '@streambid/contracts';
import { parseFlags, type CommandSpec, type FlagTable } from '@streambid/adapters';
import { flag, regionList, UsageError } from '../cli/args.js';
import { isoTime } from '../report/params.js';
import { runIdSchema } from './run-summary.js';

/** The flags of `reconcile`. */
export const RECONCILE_FLAGS = {
  from: {
    value: '<ISO>',
    description:
      'start of the event-time window (grown to whole minutes: acknowledgements are per minute)',
  },
  to: { value: '<ISO>', description: 'end of the window' },
  run: {
    value: '<run_id>',
    description:
      'a load-test run: namespace, regions, window and campaigns from <reports>/<run_id>/summary.json',
  },
  reports: {
    value: '<dir>',
    description: 'where load-test reports are',
    default: 'loadtest/reports',
  },
  regions: {
    value: 'eu,us',
    description: 'regions to reconcile',
    default: "the run's, else eu,us",
  },
  brokers: {
    value: 'r=host:port,...',
    description:
      "a bootstrap broker per region (else the run's summary, RECONCILE_BROKERS, KAFKA_BROKERS for REGION, the local ports)",
  },
  inventory: {
    value: 'r=url,...',
    description:
      "inventory API per region (else the run's summary, RECONCILE_INVENTORY, http://127.0.0.1:8090 / 8190 / 8290)",
  },
  'no-load': {
    description: "compare ClickHouse as it is (default: replay spend up to the topics' ends first)",
  },
  'no-ledger': { description: 'leave the inventory ledger out (said so in the output)' },
  settle: {
    value: '<s>',
    description:
      're-check differences once a second for up to s seconds before they count, for replication and acknowledgement flushes still under way',
    default: '10',
  },
  help: { description: 'this text', short: 'h' },
} as const satisfies FlagTable;

/** `npm run reconcile -- --help`. */
export const RECONCILE_COMMAND = {
  name: 'reconcile',
  usage: `npm run reconcile -- --from <ISO> --to <ISO> [flags]
       npm run reconcile -- --run <run_id> [flags]`,
  about: `Compares, over a window, billing notices acknowledged (billing-acks of every region), spend events
(every region's own spend topic), distinct bids in the ClickHouse spend table and the inventory
ledger of every region. Prints the differences; the last line is one JSON object.`,
  flags: RECONCILE_FLAGS,
  footer: `Environment read: CLICKHOUSE_URL, CLICKFRAUD_DB, TOPIC_NAMESPACE (not with --run), REGION (the
analytics region, whose cluster holds the MirrorMaker copies ClickHouse is loaded from),
INVENTORY_TOKEN.
Exit status: 0 no mismatch, 1 a mismatch (or a failure), 2 bad flags or environment.`,
} as const satisfies CommandSpec<typeof RECONCILE_FLAGS>;

/** `reconcile` flags. */
export interface ReconcileArgs {
  help: boolean;
  /** Set with `--from/--to`. */
  window: { fromMs: number; toMs: number } | null;
  /** Set with `--run`. */
  runId: string | null;
  reportsDir: string;
  regions: Region[] | null;
  brokers: Map<Region, string>;
  inventory: Map<Region, string>;
  load: boolean;
  ledger: boolean;
  settleMs: number;
}

const hostPort = /^[A-Za-z0-9._-]+:\d{1,5}$/;

/** `eu=value,us=value` with a checked value per region; each region at most once. */
export function regionMapSchema(what: 'broker' | 'url'): z.ZodType<Map<Region, string>, string> {
  return z.string().transform((s, ctx) => {
    const out = new Map<Region, string>();
    for (const part of s.split(',').map((p) => p.trim())) {
      const at = part.indexOf('=');
      const region = part.slice(0, Math.max(0, at));
      const value = part.slice(at + 1);
      const valueOk =
        what === 'broker'
          ? hostPort.test(value)
          : z.url().safeParse(value).success && /^https?:/.test(value);
      if (at < 0 || !isRegion(region) || out.has(region) || !valueOk) {
        ctx.addIssue({
          code: 'custom',
          message: `expected region=${what === 'broker' ? 'host:port' : 'http://host:port'} pairs separated by commas (regions eu, us, ap, each once); got ${JSON.stringify(part)}`,
        });
        return z.NEVER;
      }
      out.set(region, value);
    }
    return out;
  });
}

const settle = z.coerce.number().int('a whole number of seconds').min(0).max(600);
const dir = z.string().min(1).max(4096);

export function parseReconcileArgs(argv: readonly string[]): ReconcileArgs {
  const { values: v } = parseFlags(argv, RECONCILE_FLAGS);
  const base = {
    reportsDir:
      v['reports'] === undefined ? 'loadtest/reports' : flag('reports', dir, v['reports']),
    regions: v['regions'] === undefined ? null : flag('regions', regionList, v['regions']),
    brokers:
      v['brokers'] === undefined
        ? new Map<Region, string>()
        : flag('brokers', regionMapSchema('broker'), v['brokers']),
    inventory:
      v['inventory'] === undefined
        ? new Map<Region, string>()
        : flag('inventory', regionMapSchema('url'), v['inventory']),
    load: v['no-load'] !== true,
    ledger: v['no-ledger'] !== true,
    settleMs: v['settle'] === undefined ? 10_000 : flag('settle', settle, v['settle']) * 1000,
  };
  if (v['help'] === true) return { help: true, window: null, runId: null, ...base };
  if (v['run'] !== undefined) {
    for (const f of ['from', 'to'] as const)
      if (v[f] !== undefined)
        throw new UsageError(`--${f}: not with --run (the run's summary gives the window)`);
    return { help: false, window: null, runId: flag('run', runIdSchema, v['run']), ...base };
  }
  if (v['from'] === undefined) throw new UsageError('--from: required (or --run <run_id>)');
  if (v['to'] === undefined) throw new UsageError('--to: required (or --run <run_id>)');
  const fromMs = flag('from', isoTime, v['from']);
  const toMs = flag('to', isoTime, v['to']);
  if (toMs <= fromMs) throw new UsageError('--to: must be after --from');
  return { help: false, window: { fromMs, toMs }, runId: null, ...base };
}
