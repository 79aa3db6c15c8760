import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseFlags, UsageError, type FlagTable } from '@streambid/adapters';
import { parseRegionList, type Region } from '@streambid/contracts';
import {
  namedScenarioSchema,
  phaseSeconds,
  requestsOf,
  plansFor,
  scenarioNameSchema,
} from './scenarios.js';
import { parseThreshold, type ThresholdExpr } from './threshold-expr.js';

/** A competing-bid distribution: log-normal CPM. */
const competingBidSchema = z
  .object({
    /** Median CPM of the best competing bid. */
    median: z.number().positive().max(1000),
    /** Sigma of its logarithm (0: always the median). */
    sigma: z.number().min(0).max(3),
  })
  .strict();

/** The built-in thresholds' limits (the scenario file's old `thresholds` object). */
const legacyThresholdsSchema = z
  .object({
    /** p99 latency per region must stay at or below this. */
    p99Ms: z.number().positive().default(50),
    /** Transport errors + 5xx over all requests. */
    errorRate: z.number().min(0).max(1).default(0.01),
    overspendPct: z.number().min(0).default(1),
    /**
     * Every region's share of passed checks must be at least this (optional in the type so
     * callers that judge traffic only need not name it). @default 0.999
     */
    checksPassRate: z.number().min(0).max(1).optional(),
  })
  .strict();

const LEGACY_THRESHOLD_DEFAULTS = {
  p99Ms: 50,
  errorRate: 0.01,
  overspendPct: 1,
  checksPassRate: 0.999,
};

/** One threshold expression, parsed (a bad one is an issue naming what is wrong with it). */
const thresholdExprSchema = z.string().transform((text, ctx): ThresholdExpr => {
  const r = parseThreshold(text);
  if (r.ok) return r.expr;
  ctx.addIssue({ code: 'custom', message: `bad threshold ${JSON.stringify(text)}: ${r.error}` });
  return z.NEVER;
});

/** A load-test scenario: what a k6 user would put in options + scenarios. File form is JSON. */
const scenarioFields = z.object({
  /** Arrival rate per region (requests/s). */
  rate: z.number().positive().max(100_000).default(1000),
  durationS: z.number().positive().max(3600).default(30),
  /**
   * Seconds of traffic at the same rate before the measured phase (JIT, connection pools, first
   * profile writes), reported on its own and left out of the latency thresholds; its bids, wins
   * and spend still count in the business results. 0 disables it.
   */
  warmupS: z.number().min(0).max(600).default(10),
  /**
   * Warm up in 2 s rounds until the stack has settled (JVM JIT compiler threads quiet, every
   * region's p99 steady over two rounds; settle.ts) instead of for a fixed time. `warmupS` is
   * then the most it takes.
   */
  warmupUntilSettled: z.boolean().default(false),
  /** Share of traffic from labelled bots (data-centre IPs, injection, bursts, farms). */
  botShare: z.number().min(0).max(1).default(0.1),
  /** Share of our bids that win at the simulated exchange, with `auction: 'random'` only. */
  winRate: z.number().min(0).max(1).default(0.3),
  /**
   * How the simulated exchange decides each impression (`auction.ts`): a second-price or
   * first-price auction of our bid against a competing bid drawn from `competingBid` and the
   * floor, or `random` (the old coin flip at `winRate`, no loss notices).
   * @default 'second-price'
   */
  auction: z.enum(['second-price', 'first-price', 'random']).default('second-price'),
  /**
   * The best competing bid of each auction: log-normal CPM (request currency) with this median
   * and sigma (of its logarithm). Against the seeded campaigns' bids (1.00–4.76 CPM) the default
   * lets about a third of our bids win, as the old fixed `winRate` did.
   * @default { median: 4, sigma: 0.5 }
   */
  competingBid: competingBidSchema.default({ median: 4, sigma: 0.5 }),
  /** Per-region competing-bid distributions, in place of `competingBid` for those regions. */
  competingBidByRegion: z
    .object({
      eu: competingBidSchema.optional(),
      us: competingBidSchema.optional(),
      ap: competingBidSchema.optional(),
    })
    .strict()
    .default({}),
  /** Share of responses the exchange checks (`checks.ts`), spread evenly. @default 1 */
  checkShare: z.number().min(0).max(1).default(1),
  /**
   * USD per unit of each currency the exchange converts floors with (a floor in a currency not
   * listed is not checked). @default { USD: 1, EUR: 1.08, GBP: 1.27 }
   */
  fxRates: z
    .record(z.string().regex(/^[A-Z]{3}$/, 'a currency code such as EUR'), z.number().positive())
    .default({ USD: 1, EUR: 1.08, GBP: 1.27 }),
  /** Share of requests sent as test traffic (`test: 1`): answered, never billed. */
  testShare: z.number().min(0).max(1).default(0.02),
  /** Share of win, billing and loss notices the exchange sends a second time on purpose. */
  duplicateNoticeShare: z.number().min(0).max(1).default(0.05),
  /** Click-through rate of human impressions (bots click far more). */
  clickRate: z.number().min(0).max(1).default(0.02),
  /** Campaigns seeded per region. */
  campaignsPerRegion: z.number().int().min(1).max(5000).default(20),
  /** Budget of each seeded campaign in currency units. */
  budgetPerCampaign: z.number().positive().default(5),
  /** Replication delay injected on the MirrorMaker 2 path (ms). */
  replicationDelayMs: z.number().int().min(0).max(10_000).default(0),
  /**
   * The old object form (limits of the built-in thresholds), or a list of threshold expressions
   * (threshold-expr.ts) judged besides the built-in ones at their default limits.
   */
  thresholds: z
    .union([z.array(thresholdExprSchema).max(100), legacyThresholdsSchema])
    .default(LEGACY_THRESHOLD_DEFAULTS),
  /**
   * Named scenarios (scenarios.ts), run at once, each with its own mix and executor. Without
   * them the run is one scenario named `default` at `rate` for `durationS`; with them `rate` and
   * `durationS` follow from the scenarios (busiest region's mean rate, last scenario's end).
   */
  scenarios: z.record(scenarioNameSchema, namedScenarioSchema).default({}),
  seed: z.number().int().default(42),
});

/**
 * The scenario, normalised: `thresholds` always the limits object, the file's expressions in
 * `thresholdExprs`, and with named scenarios `rate`/`durationS` derived from them.
 */
export const scenarioSchema = scenarioFields.transform((s) => {
  const exprs = Array.isArray(s.thresholds) ? s.thresholds : [];
  const thresholds = Array.isArray(s.thresholds) ? LEGACY_THRESHOLD_DEFAULTS : s.thresholds;
  const named = Object.keys(s.scenarios).length > 0;
  const busiest = named
    ? Math.max(
        ...(['eu', 'us', 'ap'] as const).map((r) =>
          plansFor(s, r).reduce((a, p) => a + requestsOf(p.profile), 0),
        ),
      )
    : 0;
  const durationS = named ? phaseSeconds(s.scenarios) : s.durationS;
  return {
    ...s,
    thresholds,
    thresholdExprs: exprs,
    durationS,
    rate: named ? Math.max(1, Math.round(busiest / Math.max(1, durationS))) : s.rate,
  };
});
export type Scenario = z.infer<typeof scenarioSchema>;

/** How `--find-max` steps the per-region rate. */
export interface FindMaxOptions {
  /** First rate (requests/s per region). @default 100 */
  start: number;
  /** Each step multiplies the rate by this, unless `step` is set. @default 1.5 */
  factor: number;
  /** Each step adds this many requests/s instead of multiplying. */
  step?: number;
  /** No step above this rate. @default 3000 */
  maxRate: number;
  /** Trials per step; the median one judges the step. @default 3 */
  trials: number;
  /** Seconds of traffic per trial. @default 8 */
  trialS: number;
}

export const FIND_MAX_DEFAULTS = {
  start: 100,
  factor: 1.5,
  maxRate: 3000,
  trials: 3,
  trialS: 8,
} as const satisfies FindMaxOptions;

export interface LoadtestArgs {
  regions: Region[];
  scenario: Scenario;
  outDir: string;
  keep: boolean;
  /** Step the rate until a step fails (`--find-max`) instead of holding `scenario.rate`. */
  findMax?: FindMaxOptions;
  /** Start the Node apps with `--trace-gc` (into their log files). @default false */
  gcLogs?: boolean;
  /**
   * Added to every app port and the dashboard's (`--port-offset`), so a run can share the
   * machine with another stack. @default 0
   */
  portOffset?: number;
  /**
   * Save a screenshot of the live dashboard (`dashboard.png` in the run's folder) during the
   * warm-up, through Debian's Chromium (`--screenshot`). @default false
   */
  screenshot?: boolean;
}

/** A bad flag (the message names it): the adapters' one, as every command's. */
export { UsageError };

/** Flags of `npm run loadtest`; the scenario file's fields are the defaults they override. */
export const LOADTEST_FLAGS = {
  regions: { value: 'eu,us,ap', description: 'regions to drive', default: 'eu,us' },
  rate: { value: 'N', description: 'arrival rate per region (requests/s)', default: '1000' },
  duration: { value: 'S', description: 'seconds of measured traffic', default: '30' },
  warmup: {
    value: 'S',
    description:
      'seconds at the same rate before the measured phase, left out of the latency thresholds',
    default: '10',
  },
  scenario: {
    value: '<file.json>',
    description:
      'a scenario file (scenarioSchema): named scenarios with stages and tags, threshold expressions (examples in loadtest/scenarios/)',
  },
  out: { value: '<dir>', description: 'where reports go', default: 'loadtest/reports' },
  keep: { description: 'leave the stack running at the end' },
  'bot-share': { value: 'x', description: 'share of traffic from labelled bots', default: '0.1' },
  'delay-ms': {
    value: 'N',
    description: 'replication delay injected on the MirrorMaker 2 path',
    default: '0',
  },
  'gc-logs': { description: 'start the Node apps with --trace-gc (lines go into their logs)' },
  screenshot: {
    description:
      "save a screenshot of the live dashboard into the run's folder during the warm-up (needs /usr/bin/chromium: apt-get install chromium)",
  },
  'port-offset': {
    value: 'N',
    description:
      'added to every app port and the dashboard port (8060), to run beside another stack',
    default: '0',
  },
  'find-max': {
    description:
      'step the per-region rate until a step fails; each step is judged by its median trial',
  },
  start: {
    value: 'N',
    description: '--find-max: first rate per region',
    default: String(FIND_MAX_DEFAULTS.start),
  },
  factor: {
    value: 'x',
    description: '--find-max: each step multiplies the rate by this',
    default: String(FIND_MAX_DEFAULTS.factor),
  },
  step: { value: 'N', description: '--find-max: each step adds N req/s instead (no default)' },
  'max-rate': {
    value: 'N',
    description: '--find-max: highest rate tried',
    default: String(FIND_MAX_DEFAULTS.maxRate),
  },
  trials: {
    value: 'N',
    description: '--find-max: trials per step',
    default: String(FIND_MAX_DEFAULTS.trials),
  },
  'step-s': {
    value: 'S',
    description: '--find-max: seconds of traffic per trial',
    default: String(FIND_MAX_DEFAULTS.trialS),
  },
} as const satisfies FlagTable;

/** Flags that only `--find-max` reads. */
const FIND_MAX_ONLY = ['--start', '--factor', '--step', '--max-rate', '--trials', '--step-s'];

/**
 * Parses `--regions eu,us --rate 1000 --duration 30 [--warmup s] [--scenario file] [--out dir]
 * [--keep]`.
 */
export function parseArgs(argv: readonly string[]): LoadtestArgs {
  const flags = new Map<string, string>();
  for (const [k, v] of Object.entries(parseFlags(argv, LOADTEST_FLAGS).values))
    flags.set(`--${k}`, String(v));
  const regionsRaw = flags.get('--regions') ?? 'eu,us';
  const regions = parseRegionList(regionsRaw);
  if (!regions)
    throw new UsageError(
      `--regions: expected a list of eu, us, ap; got ${JSON.stringify(regionsRaw)}`,
    );
  let fileScenario: unknown = {};
  const file = flags.get('--scenario');
  if (file !== undefined) {
    try {
      // A `__proto__` key would be dropped by the schema's records (it names the prototype),
      // so a scenario named that would silently vanish: refuse it.
      fileScenario = JSON.parse(readFileSync(file, 'utf8'), (key, value: unknown) => {
        if (key === '__proto__') throw new Error('a key named __proto__ is not allowed');
        return value;
      });
    } catch (err) {
      throw new UsageError(`--scenario: cannot read ${file}: ${(err as Error).message}`);
    }
  }
  const num = (flag: string): number | undefined => {
    const v = flags.get(flag);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < 0)
      throw new UsageError(`${flag}: expected a non-negative number, got ${JSON.stringify(v)}`);
    return n;
  };
  const overrides: Record<string, number> = {};
  const rate = num('--rate');
  const duration = num('--duration');
  const botShare = num('--bot-share');
  const delay = num('--delay-ms');
  const warmup = num('--warmup');
  if (rate !== undefined) overrides['rate'] = rate;
  if (duration !== undefined) overrides['durationS'] = duration;
  if (botShare !== undefined) overrides['botShare'] = botShare;
  if (delay !== undefined) overrides['replicationDelayMs'] = delay;
  if (warmup !== undefined) overrides['warmupS'] = warmup;
  const named =
    typeof fileScenario === 'object' &&
    fileScenario !== null &&
    'scenarios' in fileScenario &&
    typeof fileScenario.scenarios === 'object' &&
    fileScenario.scenarios !== null &&
    Object.keys(fileScenario.scenarios).length > 0;
  if (named) {
    for (const [flag, field] of [
      ['--rate', 'rate'],
      ['--duration', 'durationS'],
    ] as const) {
      if (flags.has(flag))
        throw new UsageError(`${flag}: not with a scenario file's scenarios (their stages set it)`);
      if (field in (fileScenario as object))
        throw new UsageError(
          `--scenario (${field}): not with named scenarios (their stages set it)`,
        );
    }
    if (flags.has('--find-max'))
      throw new UsageError('--find-max: steps one rate, not a scenario file with scenarios');
  }
  const parsed = scenarioSchema.safeParse({ ...(fileScenario as object), ...overrides });
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    const issue = first ? deepestIssue(first) : undefined;
    const field = issue?.path.map(String).join('.') ?? '';
    const flag =
      {
        rate: '--rate',
        durationS: '--duration',
        botShare: '--bot-share',
        replicationDelayMs: '--delay-ms',
        warmupS: '--warmup',
      }[field] ?? `--scenario (${field})`;
    throw new UsageError(`${flag}: ${issue?.message ?? 'invalid'}`);
  }
  checkThresholdTags(parsed.data, regions);
  const portOffset = num('--port-offset') ?? 0;
  if (!Number.isInteger(portOffset) || portOffset > 50_000)
    throw new UsageError(
      `--port-offset: expected an integer in 0..50000, got ${String(portOffset)}`,
    );
  const findMax = flags.has('--find-max') ? findMaxOptions(flags, num) : undefined;
  if (!findMax)
    for (const f of FIND_MAX_ONLY)
      if (flags.has(f)) throw new UsageError(`${f}: only with --find-max`);
  return {
    regions,
    scenario: parsed.data,
    outDir: flags.get('--out') ?? 'loadtest/reports',
    keep: flags.has('--keep'),
    ...(findMax ? { findMax } : {}),
    gcLogs: flags.has('--gc-logs'),
    portOffset,
    screenshot: flags.has('--screenshot'),
  };
}

function findMaxOptions(
  flags: ReadonlyMap<string, string>,
  num: (flag: string) => number | undefined,
): FindMaxOptions {
  for (const f of ['--rate', '--duration'])
    if (flags.has(f))
      throw new UsageError(`${f}: not with --find-max (it steps the rate: --start, --step-s)`);
  const d = FIND_MAX_DEFAULTS;
  const o: FindMaxOptions = {
    start: num('--start') ?? d.start,
    factor: num('--factor') ?? d.factor,
    maxRate: num('--max-rate') ?? d.maxRate,
    trials: num('--trials') ?? d.trials,
    trialS: num('--step-s') ?? d.trialS,
  };
  const step = num('--step');
  if (step !== undefined) o.step = step;
  const check = (flag: string, ok: boolean, expected: string): void => {
    if (!ok) throw new UsageError(`${flag}: expected ${expected}, got ${flags.get(flag) ?? ''}`);
  };
  check('--start', o.start > 0 && o.start <= 100_000, 'a rate in 1..100000');
  check('--factor', o.factor > 1 && o.factor <= 10, 'a factor above 1 (at most 10)');
  check('--step', o.step === undefined || o.step > 0, 'a positive rate increment');
  check('--max-rate', o.maxRate >= o.start && o.maxRate <= 100_000, 'a rate ≥ --start');
  check('--trials', Number.isInteger(o.trials) && o.trials >= 1 && o.trials <= 15, '1..15 trials');
  check('--step-s', o.trialS >= 1 && o.trialS <= 600, 'seconds in 1..600');
  return o;
}

/**
 * A threshold that filters on a scenario or region the run does not have would judge nothing:
 * a usage error naming it, rather than a run that fails (or passes) on no data.
 */
function checkThresholdTags(sc: Scenario, regions: readonly Region[]): void {
  const names = Object.keys(sc.scenarios);
  const known = names.length > 0 ? names : ['default'];
  sc.thresholdExprs.forEach((e, i) => {
    const where = `--scenario (thresholds.${String(i)})`;
    const scenario = e.tags.find(([k]) => k === 'scenario')?.[1];
    if (scenario !== undefined && scenario !== '*' && !known.includes(scenario))
      throw new UsageError(
        `${where}: ${JSON.stringify(e.text)} names scenario ${scenario}; the run has ${known.join(', ')}`,
      );
    const region = e.tags.find(([k]) => k === 'region')?.[1];
    if (region !== undefined && region !== '*' && !(regions as readonly string[]).includes(region))
      throw new UsageError(
        `${where}: ${JSON.stringify(e.text)} names region ${region}; the run drives ${regions.join(', ')}`,
      );
  });
}

/** What zod reports about one field (the part of its issue shape the messages use). */
interface IssueLike {
  path: readonly PropertyKey[];
  message: string;
  code?: string;
  errors?: readonly (readonly IssueLike[])[];
}

/**
 * The issue that says most: of a union's branches (`thresholds` is a list or the old object),
 * the one that got furthest into the input, with its full path.
 */
function deepestIssue(issue: IssueLike): IssueLike {
  if (issue.code !== 'invalid_union' || !issue.errors) return issue;
  let best: IssueLike = issue;
  for (const branch of issue.errors)
    for (const inner of branch) {
      const deep = deepestIssue(inner);
      const full = { ...deep, path: [...issue.path, ...deep.path] };
      if (best === issue || full.path.length > best.path.length) best = full;
    }
  return best;
}
