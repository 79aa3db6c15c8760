import {
  DEFAULT_REGIONS,
  PortsConfigError,
  down,
  isRegion,
  status,
  up,
  type Region,
} from './index.js';

const USAGE = `usage: npm run infra -- <up|down|status> [--regions eu,us,ap] [--delay-ms N]
  up      install what is missing, start Kafka + Redis per region and ClickHouse (default regions: ${DEFAULT_REGIONS.join(',')});
          with 2+ regions also a delay proxy per region and MirrorMaker 2 between all of them
          --delay-ms N: one-way delay on the replication path (default REPLICATION_DELAY_MS, else
          what runs, else 0); no netem here, so it is injected by a user-space TCP proxy
  down    stop what 'up' started (default: every region); external services are left alone
  status  show each service and its endpoint (default: every region)`;

class UsageError extends Error {}

interface Args {
  readonly command: 'up' | 'down' | 'status';
  readonly regions: readonly Region[] | undefined;
  readonly delayMs: number | undefined;
}

function parseArgs(argv: readonly string[]): Args | 'help' {
  let command: string | undefined;
  let regions: Region[] | undefined;
  let delayMs: number | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '--regions' || arg.startsWith('--regions=')) {
      const value = arg === '--regions' ? argv[++i] : arg.slice('--regions='.length);
      regions = parseRegions(value);
    } else if (arg === '--delay-ms' || arg.startsWith('--delay-ms=')) {
      const value = arg === '--delay-ms' ? argv[++i] : arg.slice('--delay-ms='.length);
      delayMs = Number(value);
      if (value === undefined || value === '' || !Number.isInteger(delayMs) || delayMs < 0) {
        throw new UsageError(`--delay-ms: expected a non-negative integer, got ${String(value)}`);
      }
    } else if (arg.startsWith('-')) {
      throw new UsageError(`unknown flag ${arg}`);
    } else if (command === undefined) {
      command = arg;
    } else {
      throw new UsageError(`unexpected argument ${arg}`);
    }
  }
  if (command !== 'up' && command !== 'down' && command !== 'status') {
    throw new UsageError(command === undefined ? 'missing command' : `unknown command ${command}`);
  }
  return { command, regions, delayMs };
}

function parseRegions(value: string | undefined): Region[] {
  const parts = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (parts.length === 0) throw new UsageError('--regions needs a value such as eu,us');
  const bad = parts.filter((p) => !isRegion(p));
  if (bad.length > 0) {
    throw new UsageError(`--regions: unknown region ${bad.join(', ')} (expected eu, us, ap)`);
  }
  return [...new Set(parts as Region[])];
}

async function main(argv: readonly string[]): Promise<number> {
  let args: Args | 'help';
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    process.stderr.write(`infra: ${err.message}\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const log = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  switch (args.command) {
    case 'up': {
      const result = await up({
        regions: args.regions ?? DEFAULT_REGIONS,
        log,
        ...(args.delayMs === undefined ? {} : { delayMs: args.delayMs }),
      });
      log(`all up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
      log(JSON.stringify(result));
      return 0;
    }
    case 'down':
      await down(args.regions ? { regions: args.regions, log } : { log });
      return 0;
    case 'status': {
      const rows = await status(args.regions ? { regions: args.regions } : {});
      for (const r of rows) log(`${r.name.padEnd(15)} ${r.state.padEnd(14)} ${r.endpoint}`);
      log(JSON.stringify({ services: Object.fromEntries(rows.map((r) => [r.name, r])) }));
      return 0;
    }
  }
}

// `npm run infra -- status | head` closes the pipe early; that is not an error.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    // A bad port variable is a usage error, like a bad flag.
    process.exitCode = err instanceof PortsConfigError ? 2 : 1;
    process.stderr.write(`infra: ${err instanceof Error ? err.message : String(err)}\n`);
  },
);
