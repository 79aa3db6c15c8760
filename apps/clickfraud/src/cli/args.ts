import { z } from 'zod';
import { flagValue as flag, parseFlags, UsageError, type FlagTable } from '@streambid/adapters';
import { parseRegionList, type Region } from '@streambid/contracts';
import type { ReplayKind } from '../replay/lane.js';
import { isoTime } from '../report/params.js';
import { modelVersionSchema } from '../schema/names.js';

// One argument helper for every command (the adapters'): a UsageError names the flag; exit 2.
export { flag, UsageError };

const timeOrEarliest = z.union([z.literal('earliest'), isoTime]);
/** `--regions eu,us`: a comma-separated list of regions, each once (every command's flag). */
export const regionList = z.string().transform((s, ctx) => {
  const list = parseRegionList(s);
  if (!list) {
    ctx.addIssue({ code: 'custom', message: 'expected a comma-separated list of eu, us, ap' });
    return z.NEVER;
  }
  return list;
});
const positiveInt = z.coerce.number().int().positive();

/** What `replay` and `follow` load unless `--topics` says otherwise. */
export const REPLAY_KINDS: readonly ReplayKind[] = [
  'clicks',
  'impressions',
  'spend',
  'bids',
  'wins',
  'losses',
];
const replayKinds = z.string().transform((s, ctx) => {
  const list = s.split(',').map((p) => p.trim());
  const kinds = new Set<ReplayKind>();
  for (const k of list) {
    if (!(REPLAY_KINDS as readonly string[]).includes(k) || kinds.has(k as ReplayKind)) {
      ctx.addIssue({ code: 'custom', message: `expected a list of ${REPLAY_KINDS.join(', ')}` });
      return z.NEVER;
    }
    kinds.add(k as ReplayKind);
  }
  return REPLAY_KINDS.filter((k) => kinds.has(k));
});

/** `replay` / `follow` flags. */
export interface ReplayArgs {
  fromMs: number | null;
  toMs: number | null;
  regions: Region[] | null;
  into: string | null;
  maxRate: number | null;
  /** Publish the blocklist after scoring. */
  publish: boolean;
  /** Streams to load. @default all: clicks, impressions, spend, bids, wins and losses */
  topics?: readonly ReplayKind[];
}

/** Flags of `replay` (and, but for `--to`, of `follow`). */
export const REPLAY_FLAGS = {
  from: {
    value: '<ISO|earliest>',
    description: 'start of the event-time window (replay: required; follow: default earliest)',
  },
  to: { value: '<ISO>', description: 'end of the window (replay only)', default: 'the end' },
  regions: {
    value: 'eu,us',
    description:
      "regions whose history to load: this region's topics, MirrorMaker copies of others",
    default: 'REGION',
  },
  into: {
    value: '<version>',
    description: 'model version to build (beside the live one), switched to when complete',
    default: 'the current version',
  },
  'max-rate': { value: 'N', description: 'messages per second at most', default: 'unlimited' },
  publish: { description: 'publish the blocklist after scoring (follow always does)' },
  topics: {
    value: REPLAY_KINDS.join(','),
    description:
      "streams to load (bids from each region's own cluster: CLICKFRAUD_BROKERS; the others from this region's copies)",
    default: REPLAY_KINDS.join(','),
  },
} as const satisfies FlagTable;

const { to: _to, ...followFlags } = REPLAY_FLAGS;
/** Flags of `follow`: those of `replay` but `--to` (a follow has no end). */
export const FOLLOW_FLAGS = followFlags satisfies FlagTable;

/** Flags of `score`. */
export const SCORE_FLAGS = {
  from: { value: '<ISO>', description: 'start of the window to score (required)' },
  to: { value: '<ISO>', description: 'end of the window (required)' },
  version: { value: '<version>', description: 'model version to score', default: 'current' },
  'dry-run': { description: 'score without publishing the blocklist' },
} as const satisfies FlagTable;

export function parseReplayArgs(argv: readonly string[], follow: boolean): ReplayArgs {
  const { values: v } = parseFlags(argv, REPLAY_FLAGS);
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
    regions: v['regions'] === undefined ? null : flag('regions', regionList, v['regions']),
    into: v['into'] === undefined ? null : flag('into', modelVersionSchema, v['into']),
    maxRate: v['max-rate'] === undefined ? null : flag('max-rate', positiveInt, v['max-rate']),
    publish: v['publish'] === true || follow,
    topics: v['topics'] === undefined ? REPLAY_KINDS : flag('topics', replayKinds, v['topics']),
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
  const { values: v } = parseFlags(argv, SCORE_FLAGS);
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
