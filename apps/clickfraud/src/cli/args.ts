import { parseArgs, type ParseArgsConfig } from 'node:util';
import { z } from 'zod';
import { parseRegionList, type Region } from '@streambid/contracts';
import { isoTime } from '../report/params.js';
import { modelVersionSchema } from '../schema/names.js';

/** Bad command-line input: the message names the flag; the process exits with status 2. */
export class UsageError extends Error {
  readonly exitCode = 2;
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** Strict flag parsing: an unknown flag or a missing value is a UsageError naming the flag. */
export function parseFlags(
  argv: readonly string[],
  options: Options,
): Record<string, string | boolean | undefined> {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals: false })
      .values as Record<string, string | boolean | undefined>;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Validates one flag's value with zod; the error names the flag. */
export function flag<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  throw new UsageError(`--${name}: ${res.error.issues[0]?.message ?? 'invalid value'}`);
}

const timeOrEarliest = z.union([z.literal('earliest'), isoTime]);
const regions = z.string().transform((s, ctx) => {
  const list = parseRegionList(s);
  if (!list) {
    ctx.addIssue({ code: 'custom', message: 'expected a comma-separated list of eu, us, ap' });
    return z.NEVER;
  }
  return list;
});
const positiveInt = z.coerce.number().int().positive();

/** `replay` / `follow` flags. */
export interface ReplayArgs {
  fromMs: number | null;
  toMs: number | null;
  regions: Region[] | null;
  into: string | null;
  maxRate: number | null;
  /** Publish the blocklist after scoring. */
  publish: boolean;
}

export function parseReplayArgs(argv: readonly string[], follow: boolean): ReplayArgs {
  const v = parseFlags(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    regions: { type: 'string' },
    into: { type: 'string' },
    'max-rate': { type: 'string' },
    publish: { type: 'boolean' },
  });
  if (!follow && v['from'] === undefined)
    throw new UsageError('--from: required (an ISO time or "earliest")');
  const from = v['from'] === undefined ? 'earliest' : flag('from', timeOrEarliest, v['from']);
  const to = v['to'] === undefined ? null : flag('to', isoTime, v['to']);
  const fromMs = from === 'earliest' ? null : from;
  if (to !== null && fromMs !== null && to <= fromMs)
    throw new UsageError('--to: must be after --from');
  if (follow && to !== null) throw new UsageError('--to: follow mode has no end');
  return {
    fromMs,
    toMs: to,
    regions: v['regions'] === undefined ? null : flag('regions', regions, v['regions']),
    into: v['into'] === undefined ? null : flag('into', modelVersionSchema, v['into']),
    maxRate: v['max-rate'] === undefined ? null : flag('max-rate', positiveInt, v['max-rate']),
    publish: v['publish'] === true || follow,
  };
}

/** `score` flags. */
export interface ScoreArgs {
  fromMs: number;
  toMs: number;
  version: string | null;
  publish: boolean;
}

export function parseScoreArgs(argv: readonly string[]): ScoreArgs {
  const v = parseFlags(argv, {
    from: { type: 'string' },
    to: { type: 'string' },
    version: { type: 'string' },
    'dry-run': { type: 'boolean' },
  });
  const fromMs = flag('from', isoTime, v['from'] ?? '');
  const toMs = flag('to', isoTime, v['to'] ?? '');
  if (toMs <= fromMs) throw new UsageError('--to: must be after --from');
  return {
    fromMs,
    toMs,
    version: v['version'] === undefined ? null : flag('version', modelVersionSchema, v['version']),
    publish: v['dry-run'] !== true,
  };
}
