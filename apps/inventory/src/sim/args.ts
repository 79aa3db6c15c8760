import { parseFlags, UsageError, type FlagTable } from '@streambid/adapters/cli';

/** Options of `npm run sim:pacing`. */
export interface SimArgs {
  lagMs: number;
  /** @default 3 */
  regions: number;
  /** @default 100 */
  campaigns: number;
  /** @default 'streambid' */
  seed: string;
  /** Independent runs with seeds `<seed>-<i>`. @default 1 */
  runs: number;
  /** Flight window, simulated seconds. @default 600 */
  flightS: number;
}

/** A flag is missing or wrong; `flag` names it (the adapters' UsageError, as every command's). */
export { UsageError };

/** Flags of `npm run sim:pacing`. */
export const SIM_FLAGS = {
  'lag-ms': { value: 'N', description: 'replication lag between regions (required; 0–60000)' },
  regions: { value: 'N', description: 'regions (1–3)', default: '3' },
  campaigns: { value: 'N', description: 'campaigns (1–10000)', default: '100' },
  seed: { value: '<s>', description: 'seed of the simulation', default: 'streambid' },
  runs: { value: 'N', description: 'independent runs with seeds <seed>-<i> (1–50)', default: '1' },
  'flight-s': {
    value: 'N',
    description: 'flight window in simulated seconds (10–86400)',
    default: '600',
  },
} as const satisfies FlagTable;

const usage = (flag: string, message: string): UsageError =>
  new UsageError(`${flag}: ${message}`, { flag });

function int(
  flag: string,
  raw: string | undefined,
  def: number | undefined,
  min: number,
  max: number,
): number {
  if (raw === undefined) {
    if (def === undefined) throw usage(flag, 'is required');
    return def;
  }
  if (!/^\d+$/.test(raw)) throw usage(flag, `expected an integer, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (v < min || v > max) throw usage(flag, `must be between ${String(min)} and ${String(max)}`);
  return v;
}

/** Parses and checks the command line; throws UsageError naming the bad flag. */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  const { values } = parseFlags(argv, SIM_FLAGS);
  const seed = values['seed'] ?? 'streambid';
  if (seed.length === 0) throw usage('--seed', 'must not be empty');
  return {
    lagMs: int('--lag-ms', values['lag-ms'], undefined, 0, 60_000),
    regions: int('--regions', values['regions'], 3, 1, 3),
    campaigns: int('--campaigns', values['campaigns'], 100, 1, 10_000),
    seed,
    runs: int('--runs', values['runs'], 1, 1, 50),
    flightS: int('--flight-s', values['flight-s'], 600, 10, 86_400),
  };
}
