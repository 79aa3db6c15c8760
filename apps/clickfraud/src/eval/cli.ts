/**
 * npm run eval:fraud [-- --seed n --impressions n --bots n --keep]
 * Replays a labelled synthetic mix through the real pipeline and prints precision and recall; the
 * last line is one JSON object.
 */
import {
  argsOrExit,
  configOrExit,
  createClickHouse,
  createKafka,
  createLogger,
  defaultBrokers,
  envRows,
  parseFlags,
  UsageError,
} from '@streambid/adapters';
import { BOT_PATTERNS } from '@streambid/traffic';
import { configSchema, loadClickfraudConfig } from '../config.js';
import { runEvaluation } from './run.js';

const COMMAND = {
  name: 'eval:fraud',
  usage: 'npm run eval:fraud [-- --seed n --impressions n --bots n --keep]',
  about:
    'Replays a labelled synthetic mix through the real pipeline (Kafka, replay, ClickHouse, scoring) and prints precision and recall; the last line is one JSON object.',
  flags: {
    seed: { value: 'n', description: 'seed of the synthetic traffic', default: '42' },
    impressions: { value: 'n', description: 'human impressions', default: '200000' },
    bots: { value: 'n', description: 'clicks per bot pattern', default: '300' },
    keep: { description: 'keep the topics and the database at the end' },
  },
  env: envRows(configSchema, [import.meta.resolve('../config.js')]),
  footer: 'Exit status: 0 done, 1 a failure, 2 bad flag or environment.',
} as const;

const args = argsOrExit(COMMAND, process.argv.slice(2), (argv) => {
  const { values } = parseFlags(argv, COMMAND.flags);
  const num = (name: 'seed' | 'impressions' | 'bots'): number => {
    const raw = values[name] ?? COMMAND.flags[name].default;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0)
      throw new UsageError(`--${name}: expected a non-negative integer`);
    return n;
  };
  return {
    seed: num('seed'),
    humanImpressions: num('impressions'),
    perPattern: num('bots'),
    keep: values.keep === true,
  };
});
const { seed, humanImpressions, perPattern } = args;

const config = configOrExit(COMMAND, () => loadClickfraudConfig());
const logger = createLogger({ service: 'clickfraud-eval', level: 'warn', destination: 2 });
const kafka = createKafka({
  clientId: 'clickfraud-eval',
  brokers: defaultBrokers(config.REGION, config.KAFKA_BROKERS),
  logger,
});
const ch = createClickHouse({ url: config.CLICKHOUSE_URL });
const started = Date.now();
try {
  const r = await runEvaluation({
    kafka,
    ch,
    clickhouseUrl: config.CLICKHOUSE_URL,
    logger,
    keep: args.keep,
    traffic: {
      seed,
      humanImpressions,
      bots: Object.fromEntries(BOT_PATTERNS.map((p) => [p, perPattern])),
    },
  });
  console.log(
    `clicks ${String(r.clicks)} (impressions ${String(r.impressions)}), produced in ${String(r.ms.produce)} ms, replayed+scored in ${String(r.ms.replayAndScore)} ms`,
  );
  console.log(`recall by pattern: ${JSON.stringify(r.recallByPattern)}`);
  console.log(
    `blocklisted entities: ${String(r.blocklisted.total)}; sites: ${r.blocklisted.sites.join(', ')} (farm: ${r.farmSite})`,
  );
  console.log(
    JSON.stringify({
      precision: r.precision,
      recall: r.recall,
      clicks: r.clicks,
      true_positives: r.truePositives,
      false_positives: r.falsePositives,
      false_negatives: r.falseNegatives,
      unscored: r.unscored,
      recall_by_pattern: r.recallByPattern,
      total_ms: Date.now() - started,
    }),
  );
} finally {
  await ch.close();
}
process.exit(0);
