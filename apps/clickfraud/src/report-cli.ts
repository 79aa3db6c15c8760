/**
 * npm run fraud-report -- --from <ISO> --to <ISO> --by site|publisher|ip|subnet|campaign|region
 *   [--format table|json|csv] [--min-score x] [--limit n] [--campaign id] [--site s] [--publisher p]
 *   [--region r] [--version v]
 * Exit status: 0 ok, 1 query failed, 2 bad flag or value (the message names it).
 */
import { ConfigError, createClickHouse } from '@streambid/adapters';
import { parseFlags, UsageError } from './cli/args.js';
import { loadClickfraudConfig } from './config.js';
import { formatReport } from './report/format.js';
import { parseReportParams } from './report/params.js';
import { report } from './service.js';

const FLAGS = [
  'from',
  'to',
  'by',
  'format',
  'min-score',
  'limit',
  'campaign',
  'site',
  'publisher',
  'region',
  'version',
];

async function main(argv: string[]): Promise<number> {
  const values = parseFlags(
    argv,
    Object.fromEntries(FLAGS.map((f) => [f, { type: 'string' as const }])),
  );
  const raw: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(values)) if (typeof v === 'string') raw[k] = v;
  // Check the required flags in a fixed order so the message names the first one missing.
  for (const f of ['by', 'from', 'to'])
    if (raw[f] === undefined) throw new UsageError(`--${f}: required`);
  const parsed = parseReportParams(raw);
  if (!parsed.ok) throw new UsageError(parsed.error.message);
  const config = loadClickfraudConfig();
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL });
  try {
    const { rows } = await report({ ch, config }, parsed.params);
    process.stdout.write(formatReport(rows, parsed.params.format));
    return 0;
  } finally {
    await ch.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    const usage = err instanceof UsageError || err instanceof ConfigError;
    process.stderr.write(`fraud-report: ${usage ? (err as Error).message : String(err)}\n`);
    process.exit(usage ? 2 : 1);
  },
);
