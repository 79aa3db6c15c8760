import { parseArgs } from 'node:util';

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

/** A flag is missing or wrong; `flag` names it. */
export class UsageError extends Error {
  constructor(
    readonly flag: string,
    message: string,
  ) {
    super(`${flag}: ${message}`);
  }
}

function int(
  flag: string,
  raw: string | undefined,
  def: number | undefined,
  min: number,
  max: number,
): number {
  if (raw === undefined) {
    if (def === undefined) throw new UsageError(flag, 'is required');
    return def;
  }
  if (!/^\d+$/.test(raw))
    throw new UsageError(flag, `expected an integer, got ${JSON.stringify(raw)}`);
  const v = Number(raw);
  if (v < min || v > max)
    throw new UsageError(flag, `must be between ${String(min)} and ${String(max)}`);
  return v;
}

/** Parses and checks the command line; throws UsageError naming the bad flag. */
export function parseSimArgs(argv: readonly string[]): SimArgs {
  let values: Record<string, string | undefined>;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        'lag-ms': { type: 'string' },
        regions: { type: 'string' },
        campaigns: { type: 'string' },
        seed: { type: 'string' },
        runs: { type: 'string' },
        'flight-s': { type: 'string' },
      },
    }) as { values: Record<string, string | undefined> });
  } catch (err) {
    const msg = (err as Error).message;
    const flag = /'(-[^']*)'/.exec(msg)?.[1] ?? /(--?[\w-]+)/.exec(msg)?.[1] ?? '(arguments)';
    throw new UsageError(flag.split(' ')[0] ?? flag, msg);
  }
  const seed = values['seed'] ?? 'streambid';
  if (seed.length === 0) throw new UsageError('--seed', 'must not be empty');
  return {
    lagMs: int('--lag-ms', values['lag-ms'], undefined, 0, 60_000),
    regions: int('--regions', values['regions'], 3, 1, 3),
    campaigns: int('--campaigns', values['campaigns'], 100, 1, 10_000),
    seed,
    runs: int('--runs', values['runs'], 1, 1, 50),
    flightS: int('--flight-s', values['flight-s'], 600, 10, 86_400),
  };
}
