/**
 * Composition root of the clickfraud service:
 *   npm run clickfraud -- replay --from <ISO|earliest> [--to <ISO>] [--regions eu,us] [--into v2] [--max-rate n] [--publish]
 *   npm run clickfraud -- follow [--from <ISO>] [--regions eu,us]
 *   npm run clickfraud -- score --from <ISO> --to <ISO> [--version v] [--dry-run]
 *   npm run clickfraud -- serve
 * Exit status: 0 done, 1 fatal error, 2 bad command line or environment.
 */
import {
  ConfigError,
  Gauge,
  createClickHouse,
  createKafka,
  createLogger,
  createMetricsRegistry,
  createPublisher,
  defaultBrokers,
  type Publisher,
} from '@streambid/adapters';
import { parseReplayArgs, parseScoreArgs, UsageError } from './cli/args.js';
import { progressReporter } from './cli/progress.js';
import { loadClickfraudConfig } from './config.js';
import { startHttp } from './http/server.js';
import { report, runFollow, runReplay, runScore, type ServiceDeps } from './service.js';

const COMMANDS = ['replay', 'follow', 'score', 'serve'] as const;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!COMMANDS.includes(command as (typeof COMMANDS)[number]))
    throw new UsageError(
      `command: expected one of ${COMMANDS.join('|')}, got ${JSON.stringify(command ?? '')}`,
    );
  const config = loadClickfraudConfig();
  const replayArgs =
    command === 'replay' || command === 'follow'
      ? parseReplayArgs(rest, command === 'follow')
      : null;
  const scoreArgs = command === 'score' ? parseScoreArgs(rest) : null;
  if (command === 'serve' && rest.length > 0)
    throw new UsageError(`${rest[0] ?? ''}: serve takes no flags`);

  const logger = createLogger({ service: 'clickfraud', level: config.LOG_LEVEL, destination: 2 });
  const kafka = createKafka({
    clientId: `clickfraud-${config.REGION}`,
    brokers: defaultBrokers(config.REGION, config.KAFKA_BROKERS),
    logger,
  });
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL });
  const deps: ServiceDeps = { config, kafka, ch, logger };
  const abort = new AbortController();
  const stop = (sig: string): void => {
    logger.info({ module: 'main', sig }, 'draining');
    abort.abort();
  };
  process.once('SIGTERM', () => stop('SIGTERM'));
  process.once('SIGINT', () => stop('SIGINT'));

  const metrics = createMetricsRegistry('clickfraud', { region: config.REGION });
  const read = new Gauge({
    name: 'clickfraud_replay_read_total',
    help: 'Messages read by the replay',
    registers: [metrics],
  });
  const written = new Gauge({
    name: 'clickfraud_replay_rows_written_total',
    help: 'Rows stored in ClickHouse',
    registers: [metrics],
  });
  let publisher: Publisher | null = null;
  let http: { close: () => void } | null = null;
  try {
    if (command === 'serve' || command === 'follow')
      http = await startHttp(config.CLICKFRAUD_PORT, {
        report: (p) => report(deps, p),
        healthy: () => !abort.signal.aborted,
        metrics,
        logger,
      });
    if (command === 'serve') {
      logger.info({ module: 'main', port: config.CLICKFRAUD_PORT }, 'serving reports');
      await new Promise<void>((resolve) =>
        abort.signal.addEventListener('abort', () => resolve(), { once: true }),
      );
      return 0;
    }
    if (scoreArgs) {
      publisher = scoreArgs.publish ? await createPublisher(kafka) : null;
      await runScore(deps, scoreArgs, publisher);
      return 0;
    }
    if (!replayArgs) return 2;
    publisher = replayArgs.publish ? await createPublisher(kafka) : null;
    const bar = progressReporter();
    const onProgress = (
      p: { read: number; written: number } & Parameters<typeof bar.update>[0],
    ): void => {
      read.set(p.read);
      written.set(p.written);
      bar.update(p);
    };
    const opts = {
      signal: abort.signal,
      onProgress,
      ...(publisher ? { blocklist: publisher } : {}),
    };
    if (command === 'follow') await runFollow(deps, replayArgs, opts);
    else {
      const p = await runReplay(deps, replayArgs, opts);
      bar.done();
      process.stdout.write(
        `${JSON.stringify({ read: p.read, written: p.written, invalid: p.invalid, ms: Date.now() - p.startedAt })}\n`,
      );
    }
    return 0;
  } finally {
    http?.close();
    await publisher?.close();
    await ch.close();
    logger.flush();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof ConfigError) {
      console.error(`clickfraud: ${err.message}`);
      process.exit(2);
    }
    console.error('clickfraud: fatal', err);
    process.exit(1);
  },
);
