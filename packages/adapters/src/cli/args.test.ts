import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  argsOrExit,
  commandHelp,
  configOrExit,
  flagValue,
  parseFlags,
  UsageError,
  type CliIo,
  type CommandSpec,
} from './args.js';
import { envRows, jsdocByKey } from './env-help.js';
import { ConfigError } from '../errors.js';

/** What a command printed and how it ended; `exit` throws so nothing runs after it. */
class Exited extends Error {
  constructor(readonly code: number) {
    super(`exit ${String(code)}`);
  }
}
function io(): CliIo & { stdout: string; stderr: string } {
  const rec = {
    stdout: '',
    stderr: '',
    out: (t: string) => void (rec.stdout += t),
    err: (t: string) => void (rec.stderr += t),
    exit: (code: number): never => {
      throw new Exited(code);
    },
  };
  return rec;
}
function exitOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    if (err instanceof Exited) return err.code;
    throw err;
  }
  return -1;
}

const COMMAND = {
  name: 'sim',
  usage: 'npm run sim -- --rate N [--keep]',
  about: 'Simulates.',
  flags: {
    rate: { value: 'N', description: 'arrival rate per region', default: '1000' },
    keep: { description: 'leave the stack running' },
  },
} as const satisfies CommandSpec;

const rate = z.coerce.number().int().positive();
const parse = (argv: readonly string[]): { rate: number; keep: boolean } => {
  const { values } = parseFlags(argv, COMMAND.flags);
  return {
    rate: values.rate === undefined ? 1000 : flagValue('rate', rate, values.rate),
    keep: values.keep === true,
  };
};

describe('command-line flags', () => {
  it('reads values and switches against the table', () => {
    expect(argsOrExit(COMMAND, ['--rate', '20', '--keep'], parse, io())).toEqual({
      rate: 20,
      keep: true,
    });
    expect(argsOrExit(COMMAND, ['--rate=7'], parse, io())).toEqual({ rate: 7, keep: false });
  });

  it('exits 2 on an unknown flag, naming it and the known ones', () => {
    const out = io();
    expect(exitOf(() => argsOrExit(COMMAND, ['--rate', '5', '--fast'], parse, out))).toBe(2);
    expect(out.stderr).toMatch(/^sim: unknown flag --fast; known: --rate --keep --help\n/);
    expect(out.stderr).toContain(
      'usage: npm run sim -- --rate N [--keep] (--help lists the flags)',
    );
    expect(out.stdout).toBe('');
    expect(() => parseFlags(['--fast'], COMMAND.flags)).toThrow(
      expect.objectContaining({ flag: '--fast' }),
    );
  });

  it('exits 2 on a bad value, naming the flag', () => {
    const out = io();
    expect(exitOf(() => argsOrExit(COMMAND, ['--rate', 'soon'], parse, out))).toBe(2);
    expect(out.stderr).toMatch(/^sim: --rate: /);
    for (const argv of [['--rate'], ['--rate', '--keep'], ['--keep=yes']]) {
      const err = (() => {
        try {
          parseFlags(argv, COMMAND.flags);
        } catch (e) {
          return e;
        }
        return null;
      })();
      expect(err, argv.join(' ')).toBeInstanceOf(UsageError);
      expect((err as UsageError).flag, argv.join(' ')).toBe(argv[0]?.split('=')[0]);
    }
  });

  it('refuses positional arguments unless the command takes them', () => {
    expect(() => parseFlags(['up'], COMMAND.flags)).toThrow(/unexpected argument "up"/);
    expect(parseFlags(['up', '--rate', '3'], COMMAND.flags, { positionals: true })).toMatchObject({
      positionals: ['up'],
      values: { rate: '3' },
    });
  });

  it('prints every flag with its value, default and description on --help, and exits 0 before parsing', () => {
    const out = io();
    let parsed = false;
    const code = exitOf(() =>
      argsOrExit(
        COMMAND,
        ['--rate', 'soon', '--help'],
        () => {
          parsed = true;
        },
        out,
      ),
    );
    expect(code).toBe(0);
    expect(parsed).toBe(false);
    expect(out.stdout).toMatch(/^usage: npm run sim -- --rate N \[--keep\]\n\nSimulates\.\n/);
    expect(out.stdout).toMatch(/^ {2}--rate N +arrival rate per region \(default: 1000\)$/m);
    expect(out.stdout).toMatch(/^ {2}--keep +leave the stack running$/m);
    expect(out.stdout).toMatch(/^ {2}--help, -h +print this help and exit$/m);
    expect(exitOf(() => argsOrExit(COMMAND, ['-h'], parse, io()))).toBe(0);
    // After `--`, `--help` is an argument, not a request for help.
    expect(exitOf(() => argsOrExit(COMMAND, ['--', '--help'], parse, io()))).toBe(2);
  });

  it('lists subcommands and the environment in --help', () => {
    const text = commandHelp({
      ...COMMAND,
      commands: { up: 'start everything' },
      env: [
        { name: 'PORT', value: 'int', default: '8080', description: 'where it listens' },
        { name: 'TOKEN', value: 'string', required: true },
      ],
      footer: 'Exit status: 0 ok, 2 bad flags.',
    });
    expect(text).toMatch(/^Commands:\n {2}up {2}start everything$/m);
    expect(text).toMatch(/^ {2}PORT=<int> +default 8080\. where it listens$/m);
    expect(text).toMatch(/^ {2}TOKEN=<string> +required\.$/m);
    expect(text.endsWith('\n\nExit status: 0 ok, 2 bad flags.')).toBe(true);
  });

  it('exits 2 on a configuration error, naming the variable', () => {
    const out = io();
    const load = (): never => {
      throw new ConfigError('PORT', 'expected a number');
    };
    expect(exitOf(() => configOrExit(COMMAND, load, out))).toBe(2);
    expect(out.stderr).toBe('sim: invalid configuration: PORT: expected a number\n');
  });
});

describe('environment help', () => {
  const schema = z.object({
    REGION: z.enum(['eu', 'us']).default('eu'),
    PORT: z.coerce.number().int().min(1).default(8080),
    DEV: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
    URL: z.url().optional(),
    TOKEN: z.string().min(1),
    SAID: z.string().describe('described in the schema').default('x'),
    LIST: z
      .string()
      .transform((v) => v.split(','))
      .default([]),
  });

  it('gives each variable its type, default and whether it is required', () => {
    const rows = new Map(envRows(schema).map((r) => [r.name, r]));
    expect(rows.get('REGION')).toMatchObject({ value: 'eu|us', default: 'eu' });
    expect(rows.get('PORT')).toMatchObject({ value: 'int', default: '8080' });
    expect(rows.get('DEV')).toMatchObject({ value: 'true|false', default: 'false' });
    expect(rows.get('URL')).toEqual({ name: 'URL', value: 'url' });
    expect(rows.get('TOKEN')).toEqual({ name: 'TOKEN', value: 'string', required: true });
    expect(rows.get('SAID')?.description).toBe('described in the schema');
    expect(rows.get('LIST')?.default).toBeUndefined();
  });

  it('takes descriptions and prose defaults from the JSDoc of the config file', () => {
    const source = `export const e = z.object({
  /**
   * Bearer token the API accepts.
   * Required; see {@link TOKEN_RULES}.
   */
  TOKEN: z.string(),
  /** Values, comma-separated. @default none */
  LIST: list(),
});`;
    expect(jsdocByKey(source).get('TOKEN')).toEqual({
      text: 'Bearer token the API accepts. Required; see TOKEN_RULES.',
    });
    const file = join(mkdtempSync(join(tmpdir(), 'env-help-')), 'config.ts');
    writeFileSync(file, source);
    const rows = new Map(envRows(schema, [file]).map((r) => [r.name, r]));
    expect(rows.get('TOKEN')?.description).toBe(
      'Bearer token the API accepts. Required; see TOKEN_RULES.',
    );
    expect(rows.get('LIST')).toMatchObject({
      default: 'none',
      description: 'Values, comma-separated.',
    });
    // The variables every service shares are described by the adapters' own config.
    expect(rows.get('REGION')?.description).toBe('Region this process serves.');
  });
});
