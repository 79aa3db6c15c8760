import type { CommandSpec, EnvRow } from '@streambid/adapters';
import {
  FOLLOW_FLAGS,
  parseReplayArgs,
  parseScoreArgs,
  REPLAY_FLAGS,
  SCORE_FLAGS,
  UsageError,
  type ReplayArgs,
  type ScoreArgs,
} from './args.js';

const EXIT_STATUS = 'Exit status: 0 done, 1 fatal error, 2 bad command line or environment.';

/** `--help` of each clickfraud command (the environment is added by main.ts). */
export const CLICKFRAUD_COMMANDS = {
  replay: {
    name: 'clickfraud replay',
    usage:
      'npm run clickfraud -- replay --from <ISO|earliest> [--to <ISO>] [--regions eu,us] [--into v2] [--max-rate n] [--publish] [--topics clicks,impressions,spend,bids,wins,losses]',
    about:
      'Replays click, impression, spend, bid, win and loss history from Kafka into ClickHouse, then scores it.',
    flags: REPLAY_FLAGS,
    footer: EXIT_STATUS,
  },
  follow: {
    name: 'clickfraud follow',
    usage: 'npm run clickfraud -- follow [--from <ISO>] [--regions eu,us] [--topics …]',
    about:
      'Replays live, rescoring and publishing the blocklist every CLICKFRAUD_SCORE_INTERVAL_MS; serves /reports/fraud, /healthz and /metrics on CLICKFRAUD_PORT.',
    flags: FOLLOW_FLAGS,
    footer: EXIT_STATUS,
  },
  score: {
    name: 'clickfraud score',
    usage: 'npm run clickfraud -- score --from <ISO> --to <ISO> [--version v] [--dry-run]',
    about: 'Scores a window of stored clicks and publishes the blocklist.',
    flags: SCORE_FLAGS,
    footer: EXIT_STATUS,
  },
  serve: {
    name: 'clickfraud serve',
    usage: 'npm run clickfraud -- serve',
    about: 'Serves GET /reports/fraud, /healthz and /metrics on CLICKFRAUD_PORT.',
    flags: {},
    footer: EXIT_STATUS,
  },
} as const satisfies Record<string, CommandSpec>;

type Command = keyof typeof CLICKFRAUD_COMMANDS;
const COMMANDS = Object.keys(CLICKFRAUD_COMMANDS) as Command[];
const isCommand = (c: string): c is Command => (COMMANDS as string[]).includes(c);

/** What `npm run clickfraud` was asked to do. */
export type ClickfraudArgs =
  | { command: 'replay' | 'follow'; replay: ReplayArgs }
  | { command: 'score'; score: ScoreArgs }
  | { command: 'serve' };

/**
 * The command line of `npm run clickfraud -- <command> [flags]`: the spec whose `--help` applies
 * (the command's, or the list of commands), the flags after the command, and their parser.
 */
export function clickfraudCommandLine(
  argv: readonly string[],
  env: readonly EnvRow[],
): {
  command: CommandSpec;
  argv: readonly string[];
  parse: (argv: readonly string[]) => ClickfraudArgs;
} {
  const [first = '', ...rest] = argv;
  if (!isCommand(first))
    return {
      command: {
        name: 'clickfraud',
        usage: `npm run clickfraud -- <${COMMANDS.join('|')}> [flags]`,
        about:
          'Fraud models in ClickHouse: `npm run clickfraud -- <command> --help` lists its flags.',
        commands: Object.fromEntries(COMMANDS.map((c) => [c, CLICKFRAUD_COMMANDS[c].about])),
        flags: {},
        env,
        footer: EXIT_STATUS,
      },
      argv,
      parse: () => {
        throw new UsageError(
          `command: expected one of ${COMMANDS.join('|')}, got ${JSON.stringify(first)}`,
        );
      },
    };
  const parse = (flags: readonly string[]): ClickfraudArgs => {
    switch (first) {
      case 'replay':
      case 'follow':
        return { command: first, replay: parseReplayArgs(flags, first === 'follow') };
      case 'score':
        return { command: 'score', score: parseScoreArgs(flags) };
      case 'serve':
        if (flags.length > 0) throw new UsageError(`${flags[0] ?? ''}: serve takes no flags`);
        return { command: 'serve' };
    }
  };
  return { command: { ...CLICKFRAUD_COMMANDS[first], env }, argv: rest, parse };
}
