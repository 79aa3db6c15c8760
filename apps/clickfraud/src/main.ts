/**
 * Composition root of the clickfraud service:
 *   npm run clickfraud -- replay --from <ISO|earliest> [--to <ISO>] [--regions eu,us] [--into v2] [--max-rate n] [--publish]
 *       [--topics clicks,impressions,spend,bids,wins,losses]
 *   npm run clickfraud -- follow [--from <ISO>] [--regions eu,us] [--topics clicks,impressions,spend,bids,wins,losses]
 *   npm run clickfraud -- score --from <ISO> --to <ISO> [--version v] [--dry-run]
 *   npm run clickfraud -- serve
 * `--help` after a command lists its flags and the environment.
 * Exit status: 0 done, 1 fatal error, 2 bad command line or environment.
 */
import {
  Gauge,
  createClickHouse,
  createKafka,
  createLogger,
  createMetricsRegistry,
  createPublisher,
  defaultBrokers,
  envRows,
  runService,
  type Publisher,
  type ServiceContext,
} from '@streambid/adapters';
import { clickfraudCommandLine, type ClickfraudArgs } from './cli/commands.js';
import { progressReporter } from './cli/progress.js';
import { configSchema, loadClickfraudConfig, type ClickfraudConfig } from './config.js';
import { startHttp } from './http/server.js';
import {
  delivery,
  followHealthy,
  httpReportSettings,
  report,
  runFollow,
  runReplay,
  runScore,
  type FollowHealth,
  type ServiceDeps,
} from './service.js';

const cli = clickfraudCommandLine(
  process.argv.slice(2),
  envRows(configSchema, [import.meta.resolve('./config.js')]),
);

void runService({
  command: cli.command,
  argv: cli.argv,
  args: cli.parse,
  config: () => loadClickfraudConfig(),
  logger: (config) =>
    createLogger({ service: 'clickfraud', level: config.LOG_LEVEL, destination: 2 }),
  run,
});

async function run(ctx: ServiceContext<ClickfraudConfig, ClickfraudArgs>): Promise<number> {
  const { config, args, logger, closers, signal } = ctx;
  const kafka = createKafka({
    clientId: `clickfraud-${config.REGION}`,
    brokers: defaultBrokers(config.REGION, config.KAFKA_BROKERS),
    logger,
  });
  const ch = createClickHouse({ url: config.CLICKHOUSE_URL });
  closers.push('clickhouse', () => ch.close());
  const deps: ServiceDeps = { config, kafka, ch, logger };
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
  const follow: FollowHealth = { following: false, scoringFailures: 0 };
  if (args.command === 'serve' || args.command === 'follow') {
    const settings = httpReportSettings(config);
    const http = await startHttp(config.CLICKFRAUD_PORT, {
      report: (p) => report(deps, p, settings),
      delivery: (p) => delivery(deps, p, settings),
      access: {
        token: config.CLICKFRAUD_REPORT_TOKEN,
        maxRangeMs: config.CLICKFRAUD_REPORT_MAX_RANGE_H * 3_600_000,
        maxLimit: config.CLICKFRAUD_REPORT_MAX_ROWS,
      },
      // A follow whose replay is not running, or whose blocklist keeps failing, is not healthy.
      healthy: () => !signal.aborted && (args.command === 'serve' || followHealthy(follow)),
      metrics,
      logger,
    });
    closers.push('http', () => http.close());
  }
  const publisherIf = async (wanted: boolean): Promise<Publisher | null> => {
    if (!wanted) return null;
    const publisher = await createPublisher(kafka);
    closers.push('publisher', () => publisher.close());
    return publisher;
  };
  if (args.command === 'serve') {
    logger.info({ module: 'main', port: config.CLICKFRAUD_PORT }, 'serving reports');
    await ctx.stopped;
    return 0;
  }
  if (args.command === 'score') {
    await runScore(deps, args.score, await publisherIf(args.score.publish));
    return 0;
  }
  const publisher = await publisherIf(args.replay.publish);
  const bar = progressReporter();
  const onProgress = (
    p: { read: number; written: number } & Parameters<typeof bar.update>[0],
  ): void => {
    read.set(p.read);
    written.set(p.written);
    bar.update(p);
  };
  const opts = {
    signal,
    onProgress,
    health: follow,
    ...(publisher ? { blocklist: publisher } : {}),
  };
  if (args.command === 'follow') await runFollow(deps, args.replay, opts);
  else {
    const p = await runReplay(deps, args.replay, opts);
    bar.done();
    process.stdout.write(
      `${JSON.stringify({ read: p.read, written: p.written, invalid: p.invalid, ms: Date.now() - p.startedAt })}\n`,
    );
  }
  return 0;
}
