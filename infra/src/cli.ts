import {
  argsOrExit,
  exitCodeOf,
  parseFlags,
  UsageError,
  type CommandSpec,
} from '@streambid/adapters';
import { isRegion, type Region } from '@streambid/contracts';
import { DEFAULT_REGIONS, down, status, up } from './index.js';

const COMMAND = {
  name: 'infra',
  usage: 'npm run infra -- <up|down|status> [--regions eu,us,ap] [--delay-ms N]',
  commands: {
    up: `install what is missing, start Kafka + Redis per region and ClickHouse; with 2+ regions also a delay proxy per region and MirrorMaker 2 between all of them`,
    down: "stop what 'up' started (default: every region); external services are left alone",
    status: 'show each service and its endpoint (default: every region)',
  },
  flags: {
    regions: {
      value: 'eu,us,ap',
      description: 'regions to act on',
      default: `${DEFAULT_REGIONS.join(',')} for up, every region otherwise`,
    },
    'delay-ms': {
      value: 'N',
      description:
        'up: one-way delay on the replication path; no netem here, so it is injected by a user-space TCP proxy',
      default: 'REPLICATION_DELAY_MS, else what runs, else 0',
    },
  },
  footer: `Ports come from KAFKA_PORT_EU/US/AP, REDIS_PORT_EU/US/AP, CLICKHOUSE_HTTP_PORT and CLICKHOUSE_TCP_PORT
(README, "Local services"); a bad one exits 2 like a bad flag.`,
} as const satisfies CommandSpec;

interface Args {
  readonly command: 'up' | 'down' | 'status';
  readonly regions: readonly Region[] | undefined;
  readonly delayMs: number | undefined;
}

function parseArgs(argv: readonly string[]): Args {
  const { values, positionals } = parseFlags(argv, COMMAND.flags, { positionals: true });
  const [command, extra] = positionals;
  if (extra !== undefined) throw new UsageError(`unexpected argument ${extra}`);
  if (command !== 'up' && command !== 'down' && command !== 'status') {
    throw new UsageError(command === undefined ? 'missing command' : `unknown command ${command}`);
  }
  const regions = values.regions === undefined ? undefined : parseRegions(values.regions);
  let delayMs: number | undefined;
  if (values['delay-ms'] !== undefined) {
    const value = values['delay-ms'];
    delayMs = Number(value);
    if (value === '' || !Number.isInteger(delayMs) || delayMs < 0) {
      throw new UsageError(`--delay-ms: expected a non-negative integer, got ${value}`);
    }
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
  const args = argsOrExit(COMMAND, argv, parseArgs);
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
    process.exitCode = exitCodeOf(err);
    process.stderr.write(`infra: ${err instanceof Error ? err.message : String(err)}\n`);
  },
);
