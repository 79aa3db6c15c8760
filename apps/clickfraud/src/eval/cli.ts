/**
 * npm run eval:fraud [-- --seed n --impressions n --bots n --classes all|easy|hard --label-noise p
 *   --human-timing realistic|legacy --strict --keep]
 * Replays a labelled synthetic mix through the real pipeline and prints precision and recall per
 * class and per signal, pre-bid against post-click; the last line is one JSON object. Goals
 * missed are reported (MISS lines, `goals.met: false`); only `--strict` makes them exit 1.
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
import { ALL_BOT_CLASSES, BOT_PATTERNS, HARD_BOT_PATTERNS } from '@streambid/traffic';
import { configSchema, loadClickfraudConfig } from '../config.js';
import { exitCodeFor } from './goals.js';
import { runEvaluation } from './run.js';
import { summaryJson, summaryLines } from './summary.js';

const CLASSES = { all: ALL_BOT_CLASSES, easy: BOT_PATTERNS, hard: HARD_BOT_PATTERNS } as const;
const TIMINGS = ['realistic', 'legacy'] as const;

const COMMAND = {
  name: 'eval:fraud',
  usage:
    'npm run eval:fraud [-- --seed n --impressions n --bots n --classes all|easy|hard --label-noise p --human-timing realistic|legacy --strict --keep]',
  about:
    'Replays a labelled synthetic mix (easy and hard bot classes, with label noise) through the real pipeline (Kafka, replay, ClickHouse, scoring) and prints precision and recall per class and per signal, pre-bid against post-click; goals missed are MISS lines; the last line is one JSON object.',
  flags: {
    seed: { value: 'n', description: 'seed of the synthetic traffic', default: '42' },
    impressions: { value: 'n', description: 'human impressions', default: '200000' },
    bots: { value: 'n', description: 'clicks per bot class', default: '300' },
    classes: {
      value: 'set',
      description: 'bot classes: easy (separable patterns), hard, or all',
      default: 'all',
    },
    'label-noise': {
      value: 'p',
      description: 'share of click and impression labels flipped (0..1)',
      default: '0.01',
    },
    'human-timing': {
      value: 'kind',
      description: "people's click timing: realistic (a few fast clickers) or legacy",
      default: 'realistic',
    },
    strict: { description: 'exit 1 when a goal is missed (default: report it and exit 0)' },
    keep: { description: 'keep the topics and the database at the end' },
  },
  env: envRows(configSchema, [import.meta.resolve('../config.js')]),
  footer:
    'Goals (judged on the noisy labels): precision >= 0.95, recall >= 0.8 for every bot class.\nExit status: 0 done (goals missed are reported, not failed), 1 a failure or, with --strict, a goal missed, 2 bad flag or environment.',
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
  const classes = values.classes ?? COMMAND.flags.classes.default;
  if (!Object.hasOwn(CLASSES, classes))
    throw new UsageError('--classes: expected all, easy or hard');
  const rawNoise = values['label-noise'] ?? COMMAND.flags['label-noise'].default;
  const noise = rawNoise.trim() === '' ? Number.NaN : Number(rawNoise);
  if (!(noise >= 0 && noise <= 1))
    throw new UsageError('--label-noise: expected a share in [0, 1]');
  const timing = values['human-timing'] ?? COMMAND.flags['human-timing'].default;
  const humanTiming = TIMINGS.find((x) => x === timing);
  if (humanTiming === undefined)
    throw new UsageError('--human-timing: expected realistic or legacy');
  return {
    seed: num('seed'),
    humanImpressions: num('impressions'),
    perPattern: num('bots'),
    classes: CLASSES[classes as keyof typeof CLASSES],
    labelNoise: noise,
    humanTiming,
    strict: values.strict === true,
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
let code = 0;
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
      humanTiming: args.humanTiming,
      labelNoise: args.labelNoise,
      bots: Object.fromEntries(args.classes.map((p) => [p, perPattern])),
    },
  });
  for (const line of summaryLines(r)) console.log(line);
  console.log(JSON.stringify(summaryJson(r, Date.now() - started)));
  code = exitCodeFor(r.judged, args.strict);
} finally {
  await ch.close();
}
process.exit(code);
