import type { Logger } from 'pino';
import {
  argsOrExit,
  exitCodeOf,
  parseFlags,
  processIo,
  reportUsage,
  UsageError,
  type CliIo,
  type CommandSpec,
} from '../cli/args.js';
import type { z } from 'zod';
import { envRows } from '../cli/env-help.js';
import { ConfigError } from '../errors.js';
import { createLogger, flushLogger } from '../logger.js';
import { Closers } from './closers.js';

/** An error for stderr: its stack, and its cause's. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const text = err.stack ?? err.message;
  return err.cause === undefined ? text : `${text}\ncaused by: ${describe(err.cause)}`;
}

/** What a service's `run` gets. */
export interface ServiceContext<C, A> {
  config: C;
  args: A;
  logger: Logger;
  /** Closed in reverse order after `run` ends, whether it returned or threw. */
  closers: Closers;
  /** Aborted by the first SIGTERM or SIGINT. */
  signal: AbortSignal;
  /** Resolves with the name of the first SIGTERM or SIGINT. */
  stopped: Promise<string>;
}

/** Where signals come from (the process; an EventEmitter in tests). */
export interface SignalSource {
  once(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  off(event: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
}

export interface ServiceOptions<C, A> {
  /** Name, usage line and environment for `--help` and messages; flags if it takes any. */
  command: CommandSpec;
  /** Reads the command line once `--help` was handled (throw UsageError). @default no flags */
  args?: (argv: readonly string[]) => A;
  /** Loads the configuration; a ConfigError ends the process with 2 before anything started. */
  config: () => C;
  /** The root logger. */
  logger: (config: C, args: A) => Logger;
  /**
   * Starts the service and runs it: resolve (with an exit code, default 0) when done, e.g. after
   * `await ctx.stopped`; throw to end with 1 (2 for a UsageError or ConfigError).
   */
  run: (ctx: ServiceContext<C, A>) => Promise<number> | Promise<void>;
  /** @default process.argv.slice(2) */
  argv?: readonly string[];
  /** @default the process's stdout, stderr and exit */
  io?: CliIo;
  /** @default process */
  signals?: SignalSource;
}

/**
 * The lifecycle of every streambid process. In order: `--help` (exit 0) and the command line
 * (exit 2 on a bad flag); SIGTERM/SIGINT handlers, so a signal during start-up still drains;
 * the configuration (exit 2 naming the variable); `run`. Then, however `run` ended: the closers in
 * reverse order, an awaited log flush, and an explicit exit (idle keep-alive connections would
 * hold uWS's loop open) with 0, `run`'s code, 1 on a fatal error or 2 on a usage or configuration
 * error. After the first signal the handlers are removed, so a second one kills the process.
 */
export async function runService<C, A = void>(opts: ServiceOptions<C, A>): Promise<never> {
  const io = opts.io ?? processIo;
  const name = opts.command.name;
  const argv = opts.argv ?? process.argv.slice(2);
  const args = argsOrExit(
    opts.command,
    argv,
    opts.args ?? ((a) => parseFlags(a, opts.command.flags).values as A),
    io,
  );

  const signals = opts.signals ?? process;
  const abort = new AbortController();
  let onSignal: (sig: string) => void = () => undefined;
  const stopped = new Promise<string>((resolve) => {
    onSignal = resolve;
  });
  const handlers = {
    SIGTERM: (): void => stop('SIGTERM'),
    SIGINT: (): void => stop('SIGINT'),
  };
  const unlisten = (): void => {
    signals.off('SIGTERM', handlers.SIGTERM);
    signals.off('SIGINT', handlers.SIGINT);
  };
  function stop(sig: string): void {
    unlisten();
    onSignal(sig);
    abort.abort();
  }
  signals.once('SIGTERM', handlers.SIGTERM);
  signals.once('SIGINT', handlers.SIGINT);

  let config: C;
  try {
    config = opts.config();
  } catch (err) {
    unlisten();
    if (err instanceof ConfigError) io.err(`${name}: invalid configuration: ${err.message}\n`);
    else io.err(`${name}: fatal: ${describe(err)}\n`);
    return io.exit(exitCodeOf(err));
  }
  const logger = opts.logger(config, args);
  const log = logger.child({ module: 'main' });
  void stopped.then((signal) => log.info({ signal }, 'draining'));
  const closers = new Closers(logger);
  let code: number;
  try {
    code = (await opts.run({ config, args, logger, closers, signal: abort.signal, stopped })) ?? 0;
  } catch (err) {
    code = exitCodeOf(err);
    if (err instanceof UsageError) reportUsage(opts.command, err, io);
    else if (err instanceof ConfigError) io.err(`${name}: invalid configuration: ${err.message}\n`);
    else {
      log.fatal({ err }, 'fatal error');
      io.err(`${name}: fatal: ${describe(err)}\n`);
    }
  }
  await closers.closeAll();
  log.info({ code }, 'stopped');
  await flushLogger(logger);
  unlisten();
  return io.exit(code);
}

/** What an app's main says about itself; {@link runApp} fills in the rest. */
export interface AppOptions<C extends { LOG_LEVEL: string }> {
  /** The npm script, the service name in logs and metrics. */
  name: string;
  about: string;
  /** The environment schema, listed by `--help`; `envFile` is where its comments are read. */
  env: z.ZodObject;
  envFile: string;
  config: () => C;
  run: ServiceOptions<C, void>['run'];
}

/** {@link runService} for a service main: no flags, `--help` lists the environment. */
export function runApp<C extends { LOG_LEVEL: string }>(o: AppOptions<C>): Promise<never> {
  return runService({
    command: {
      name: o.name,
      usage: `npm run ${o.name}`,
      about: o.about,
      flags: {},
      env: envRows(o.env, [o.envFile]),
    },
    config: o.config,
    logger: (cfg) => createLogger({ service: o.name, level: cfg.LOG_LEVEL }),
    run: o.run,
  });
}
