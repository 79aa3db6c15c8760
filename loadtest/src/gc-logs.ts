/** Where the collectors of a run's processes log: the Node apps with `--gc-logs`, the JVMs always. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Where a run's GC logs are. */
export interface GcLogs {
  /** The apps' log files, which hold their `--trace-gc` lines; null without `--gc-logs`. */
  node: string | null;
  /** The JVMs' unified GC logs (`-Xlog:gc*`, wall-clock and uptime stamps) that exist now. */
  jvm: string[];
}

/** The Node flag `--gc-logs` adds to every app. */
export const NODE_GC_FLAGS = ['--trace-gc'] as const;

/** The data directory infra starts its services in (infra/src/proc.ts `DATA_DIR`). */
const DATA_DIR = new URL('../../.data/', import.meta.url).pathname;

/**
 * The GC logs of a run: `--trace-gc` lines land in each app's log (their times are milliseconds
 * since that app started); infra's brokers and MirrorMaker 2 write `gc.log` in their data
 * directories (kafka.ts, mm2.ts), from their next start on.
 */
export function gcLogs(regions: readonly string[], appLogDir: string, nodeOn: boolean): GcLogs {
  const jvm = [
    ...regions.map((r) => join(DATA_DIR, `kafka-${r}`, 'gc.log')),
    join(DATA_DIR, 'mm2', 'gc.log'),
  ];
  return {
    node: nodeOn ? `${appLogDir}/<app>.log (--trace-gc lines, ms since the app started)` : null,
    jvm: jvm.filter((f) => existsSync(f)),
  };
}
