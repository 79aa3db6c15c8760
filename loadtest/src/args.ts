import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseRegionList, type Region } from '@streambid/contracts';

/** A load-test scenario: what a k6 user would put in options + scenarios. File form is JSON. */
export const scenarioSchema = z.object({
  /** Arrival rate per region (requests/s). */
  rate: z.number().positive().max(100_000).default(1000),
  durationS: z.number().positive().max(3600).default(30),
  /**
   * Seconds of traffic at the same rate before the measured phase (JIT, connection pools, first
   * profile writes), reported on its own and left out of the latency thresholds; its bids, wins
   * and spend still count in the business results. 0 disables it.
   */
  warmupS: z.number().min(0).max(600).default(10),
  /** Share of traffic from labelled bots (data-centre IPs, injection, bursts, farms). */
  botShare: z.number().min(0).max(1).default(0.1),
  /** Share of our bids that win at the simulated exchange. */
  winRate: z.number().min(0).max(1).default(0.3),
  /** Click-through rate of human impressions (bots click far more). */
  clickRate: z.number().min(0).max(1).default(0.02),
  /** Campaigns seeded per region. */
  campaignsPerRegion: z.number().int().min(1).max(5000).default(20),
  /** Budget of each seeded campaign in currency units. */
  budgetPerCampaign: z.number().positive().default(5),
  /** Replication delay injected on the MirrorMaker 2 path (ms). */
  replicationDelayMs: z.number().int().min(0).max(10_000).default(0),
  thresholds: z
    .object({
      /** p99 latency per region must stay at or below this. */
      p99Ms: z.number().positive().default(50),
      /** Transport errors + 5xx over all requests. */
      errorRate: z.number().min(0).max(1).default(0.01),
      overspendPct: z.number().min(0).default(1),
    })
    .default({ p99Ms: 50, errorRate: 0.01, overspendPct: 1 }),
  seed: z.number().int().default(42),
});
export type Scenario = z.infer<typeof scenarioSchema>;

export interface LoadtestArgs {
  regions: Region[];
  scenario: Scenario;
  outDir: string;
  keep: boolean;
}

export class UsageError extends Error {}

const FLAGS = new Set([
  '--regions',
  '--rate',
  '--duration',
  '--scenario',
  '--out',
  '--keep',
  '--bot-share',
  '--delay-ms',
  '--warmup',
]);

/**
 * Parses `--regions eu,us --rate 1000 --duration 30 [--warmup s] [--scenario file] [--out dir]
 * [--keep]`.
 */
export function parseArgs(argv: readonly string[]): LoadtestArgs {
  const flags = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] ?? '';
    if (!FLAGS.has(a)) throw new UsageError(`unknown flag ${a}; known: ${[...FLAGS].join(' ')}`);
    if (a === '--keep') {
      flags.set(a, 'true');
      continue;
    }
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${a} needs a value`);
    flags.set(a, v);
    i++;
  }
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
      fileScenario = JSON.parse(readFileSync(file, 'utf8'));
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
  const parsed = scenarioSchema.safeParse({ ...(fileScenario as object), ...overrides });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') ?? '';
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
  return {
    regions,
    scenario: parsed.data,
    outDir: flags.get('--out') ?? 'loadtest/reports',
    keep: flags.has('--keep'),
  };
}
