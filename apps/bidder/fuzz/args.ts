/**
 * Command-line flags of the fuzzers: `--name value` pairs checked against a table; `--help` prints
 * the table; an unknown flag or a bad value is a usage error naming the flag (exit 2).
 */
import { argsOrExit, parseFlags, UsageError, type FlagTable } from '@streambid/adapters';

/** One flag: how it is read and what `--help` says about it. */
export interface Flag {
  kind: 'int' | 'string';
  help: string;
  /** Smallest accepted integer. @default 0 */
  min?: number;
}

export type Flags = Readonly<Record<string, Flag>>;

/**
 * Parses `argv` (without node and the script) against `flags` with the adapters' argument helper:
 * `--help` prints the table and exits 0; an unknown flag or a bad value prints a message naming
 * the flag and exits 2.
 */
export function flagsOrExit(
  usage: string,
  flags: Flags,
  argv: readonly string[],
): Record<string, string | number | undefined> {
  const table: FlagTable = Object.fromEntries(
    Object.entries(flags).map(([k, f]) => [
      k,
      { value: f.kind === 'int' ? 'N' : '<value>', description: f.help },
    ]),
  );
  const name = /npm run ([\w:-]+)/.exec(usage)?.[1] ?? 'fuzz';
  const command = { name, usage: usage.replace(/^usage:\s*/, ''), flags: table };
  return argsOrExit(command, argv, (a) => {
    const raw = parseFlags(a, table).values;
    const values: Record<string, string | number | undefined> = {};
    for (const [k, f] of Object.entries(flags)) {
      const v = raw[k];
      if (typeof v !== 'string') continue;
      if (f.kind === 'string') {
        values[k] = v;
        continue;
      }
      const n = Number(v);
      if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n) || n < (f.min ?? 0))
        throw new UsageError(
          `--${k}: expected a whole number of at least ${String(f.min ?? 0)}, got ${JSON.stringify(v)}`,
        );
      values[k] = n;
    }
    return values;
  });
}

/** A fresh seed when none is given: 32 bits from the clock and the process. */
export function freshSeed(): number {
  return (Date.now() ^ (process.pid << 16) ^ Math.floor(Math.random() * 2 ** 31)) >>> 0;
}
