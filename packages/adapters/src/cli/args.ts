/**
 * Command-line flags of every streambid command: one table per command gives the flags' names,
 * values, defaults and descriptions; `--help` prints it, and an unknown flag or a bad value is a
 * {@link UsageError} naming the flag (exit 2).
 */
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import { ConfigError, StreambidError } from '../errors.js';
import { formatEnvRows, type EnvRow } from './env-help.js';
import { helpParagraph, helpTable } from './format.js';

/** Bad command-line input: the message starts with the flag at fault; the process exits 2. */
export class UsageError extends StreambidError {
  /** The flag (or argument) at fault, e.g. `--rate`, when there is one. */
  readonly flag: string | undefined;
  readonly exitCode = 2;

  constructor(message: string, opts: { flag?: string } = {}) {
    super(message, { code: 'USAGE' });
    this.flag = opts.flag ?? /^(--?[A-Za-z][\w-]*)/.exec(message)?.[1];
  }
}

/** Exit status of every streambid process. */
export const EXIT = {
  ok: 0,
  /** An error while running (or a failed check the command reports). */
  fatal: 1,
  /** A bad command line or environment: nothing was started. */
  usage: 2,
} as const;

/** The exit status an error ends a process with: 2 for usage and configuration, else 1. */
export function exitCodeOf(err: unknown): number {
  return err instanceof UsageError || err instanceof ConfigError ? EXIT.usage : EXIT.fatal;
}

/**
 * Ends a command's process with `main`'s exit status, or with the one its error calls for: a usage
 * or configuration error prints its message (it names the flag or variable), anything else its
 * stack, after `name: `.
 */
export function exitWith(name: string, main: Promise<number>): void {
  main.then(
    (code) => process.exit(code),
    (err: unknown) => {
      const code = exitCodeOf(err);
      const text =
        err instanceof Error
          ? code === EXIT.usage
            ? err.message
            : (err.stack ?? err.message)
          : String(err);
      process.stderr.write(`${name}: ${text}\n`);
      process.exit(code);
    },
  );
}

/** One flag: how it is read and what `--help` says about it. */
export interface FlagSpec {
  /** Placeholder of the value in `--help` (`<ISO>`, `N`). Without one the flag is a switch. */
  readonly value?: string;
  /** What the flag does. */
  readonly description: string;
  /** What applies when the flag is absent, as `--help` shows it. */
  readonly default?: string;
  /** One-letter alias (`-h`). */
  readonly short?: string;
}

/** A command's flags by name, without the leading `--`. */
export type FlagTable = Readonly<Record<string, FlagSpec>>;

/** Parsed flags: a string for a flag with a value, `true` for a switch; absent flags are absent. */
export type FlagValues<F extends FlagTable> = {
  [K in keyof F]?: F[K] extends { readonly value: string } ? string : boolean;
};

/** What `--help` prints about a command. */
export interface CommandSpec<F extends FlagTable = FlagTable> {
  /** Name in messages: `sim:pacing`, `clickfraud replay`. */
  readonly name: string;
  /** Usage line(s): `npm run sim:pacing -- --lag-ms N [flags]`. */
  readonly usage: string;
  /** What the command does, under the usage. */
  readonly about?: string;
  readonly flags: F;
  /** Subcommands and what they do (`infra up`). */
  readonly commands?: Readonly<Record<string, string>>;
  /** Environment variables it reads (see `envRows`). */
  readonly env?: readonly EnvRow[];
  /** Last lines: exit status, examples. */
  readonly footer?: string;
}

/** `--help` and `-h` are every command's, unless its table defines `help` itself. */
const HELP: FlagSpec = { description: 'print this help and exit', short: 'h' };

function withHelp(flags: FlagTable): FlagTable {
  return 'help' in flags ? flags : { ...flags, help: HELP };
}

/** True when `argv` asks for help (before a `--` terminator). */
export function wantsHelp(argv: readonly string[]): boolean {
  for (const a of argv) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

/** The flag a `node:util` parse error names (`'--rate <value>'` → `--rate`). */
function flagInMessage(message: string): string | undefined {
  const quoted = /'(-[^' ]+)/.exec(message)?.[1];
  return quoted ?? /(--?[A-Za-z][\w-]*)/.exec(message)?.[1];
}

/**
 * Parses `argv` (without node and the script) strictly against `flags`: an unknown flag, a
 * missing value, a value given to a switch or (unless allowed) a positional argument is a
 * UsageError naming it. `help` is set by `--help`/`-h`.
 */
export function parseFlags<F extends FlagTable>(
  argv: readonly string[],
  flags: F,
  opts: { positionals?: boolean } = {},
): { values: FlagValues<F>; positionals: string[]; help: boolean } {
  const table = withHelp(flags);
  const options: Record<string, { type: 'string' | 'boolean'; short?: string }> = {};
  for (const [name, f] of Object.entries(table))
    options[name] = {
      type: f.value === undefined ? 'boolean' : 'string',
      ...(f.short === undefined ? {} : { short: f.short }),
    };
  let parsed: { values: Record<string, string | boolean | undefined>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options,
      strict: true,
      allowPositionals: opts.positionals ?? false,
    }) as typeof parsed;
  } catch (err) {
    const e = err as Error & { code?: string };
    const flag = flagInMessage(e.message);
    const known = Object.keys(table)
      .map((k) => `--${k}`)
      .join(' ');
    switch (e.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
        throw new UsageError(`unknown flag ${flag ?? '?'}; known: ${known}`, {
          ...(flag === undefined ? {} : { flag }),
        });
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
        const arg = /'([^']*)'/.exec(e.message)?.[1] ?? '';
        throw new UsageError(`unexpected argument ${JSON.stringify(arg)}; flags: ${known}`, {
          flag: arg,
        });
      }
      default: {
        // ERR_PARSE_ARGS_INVALID_OPTION_VALUE: a value missing, or one given to a switch.
        const spec = flag === undefined ? undefined : table[flag.replace(/^-+/, '')];
        const problem =
          spec === undefined ? e.message : spec.value ? 'needs a value' : 'takes no value';
        throw new UsageError(
          `${flag ?? '(arguments)'}: ${problem}`,
          flag === undefined ? {} : { flag },
        );
      }
    }
  }
  const { help, ...values } = parsed.values;
  return {
    values: ('help' in flags ? parsed.values : values) as FlagValues<F>,
    positionals: parsed.positionals,
    help: help === true,
  };
}

/** Checks one flag's value with zod; the UsageError names the flag. */
export function flagValue<T>(name: string, schema: z.ZodType<T>, value: unknown): T {
  const res = schema.safeParse(value);
  if (res.success) return res.data;
  throw new UsageError(`--${name}: ${res.error.issues[0]?.message ?? 'invalid value'}`, {
    flag: `--${name}`,
  });
}

/** The `--help` text of a command: usage, what it does, flags, subcommands, environment. */
export function commandHelp(cmd: CommandSpec): string {
  const out = [`usage: ${cmd.usage}`];
  if (cmd.about !== undefined) out.push('', helpParagraph(cmd.about));
  if (cmd.commands !== undefined) {
    out.push('', 'Commands:');
    out.push(...helpTable(Object.entries(cmd.commands)));
  }
  out.push('', 'Flags:');
  out.push(
    ...helpTable(
      Object.entries(withHelp(cmd.flags)).map(([name, f]) => [
        `--${name}${f.value === undefined ? '' : ` ${f.value}`}${f.short === undefined ? '' : `, -${f.short}`}`,
        `${f.description}${f.default === undefined ? '' : ` (default: ${f.default})`}`,
      ]),
    ),
  );
  if (cmd.env !== undefined && cmd.env.length > 0)
    out.push('', 'Environment:', ...formatEnvRows(cmd.env));
  if (cmd.footer !== undefined) out.push('', helpParagraph(cmd.footer));
  return out.join('\n');
}

/** Where a command writes and how it ends; tests replace it. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): never;
}

export const processIo: CliIo = {
  out: (text) => void process.stdout.write(text),
  err: (text) => void process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** Prints a usage error the way every command does: the message, then where help is. */
export function reportUsage(
  cmd: Pick<CommandSpec, 'name' | 'usage'>,
  err: Error,
  io: CliIo = processIo,
): void {
  io.err(`${cmd.name}: ${err.message}\nusage: ${cmd.usage} (--help lists the flags)\n`);
}

/**
 * The start of every command: `--help` prints {@link commandHelp} and exits 0; otherwise `parse`
 * reads `argv` (by default strictly against the table) and a UsageError it throws is printed,
 * naming the flag, with exit 2. Nothing has started when this returns.
 */
export function argsOrExit<F extends FlagTable, T = FlagValues<F>>(
  cmd: CommandSpec<F>,
  argv: readonly string[],
  parse?: (argv: readonly string[]) => T,
  io: CliIo = processIo,
): T {
  if (wantsHelp(argv)) {
    io.out(`${commandHelp(cmd)}\n`);
    return io.exit(EXIT.ok);
  }
  try {
    return parse ? parse(argv) : (parseFlags(argv, cmd.flags).values as T);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    reportUsage(cmd, err, io);
    return io.exit(EXIT.usage);
  }
}

/**
 * Loads a command's configuration; a ConfigError (the message names the variable) is printed and
 * ends the process with 2, as a bad flag does.
 */
export function configOrExit<C>(
  cmd: Pick<CommandSpec, 'name'>,
  load: () => C,
  io: CliIo = processIo,
): C {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    io.err(`${cmd.name}: invalid configuration: ${err.message}\n`);
    return io.exit(EXIT.usage);
  }
}
