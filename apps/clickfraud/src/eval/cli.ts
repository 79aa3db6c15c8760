/**
 * npm run eval:fraud [-- --seed n --impressions n --bots n --keep]
 * Replays a labelled synthetic mix through the real pipeline and prints precision and recall; the
 * last line is one JSON object.
 */
import { parseArgs } from 'node:util';
import { createClickHouse, createKafka, createLogger, defaultBrokers } from '@streambid/adapters';
import { BOT_PATTERNS } from '@streambid/traffic';
import { loadClickfraudConfig } from '../config.js';
import { runEvaluation } from './run.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '42' },
    impressions: { type: 'string', default: '200000' },
    bots: { type: 'string', default: '300' },
    keep: { type: 'boolean', default: false },
  },
  strict: true,
});
const num = (name: string, v: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`eval:fraud: --${name}: expected a non-negative integer`);
    process.exit(2);
  }
  return n;
};
const seed = num('seed', values.seed);
const humanImpressions = num('impressions', values.impressions);
const perPattern = num('bots', values.bots);

const config = loadClickfraudConfig();
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
    keep: values.keep,
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
