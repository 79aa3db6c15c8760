import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { isRegion, type Region } from '@streambid/contracts';
import type { LedgerCampaign, Window } from './facts.js';

/** A load-test run id: a directory name under the reports directory, nothing else. */
export const runIdSchema = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'a run id such as 78f7d65e (letters, digits, - and _)',
  );

/**
 * The fields of `loadtest/reports/<run>/summary.json` the reconciliation reads. `namespace`,
 * `window`, `brokers` and `inventory_urls` are optional: without them the namespace is the one the
 * load test derives from the run id, the window is the whole namespace (it holds that run only)
 * and endpoints come from the flags, the environment or the local defaults.
 */
const summarySchema = z.object({
  run_id: runIdSchema,
  namespace: z
    .string()
    .regex(/^[a-zA-Z0-9._-]*$/)
    .optional(),
  regions: z.record(z.string(), z.unknown()),
  window: z.object({ from_ms: z.number().int(), to_ms: z.number().int() }).optional(),
  brokers: z.record(z.string(), z.string().min(1)).optional(),
  inventory_urls: z.record(z.string(), z.url()).optional(),
  campaigns: z.array(z.object({ id: z.string().min(1), home: z.string() })),
});

/** What one run tells the reconciliation. */
export interface RunScope {
  runId: string;
  namespace: string;
  /** How the namespace was found (printed). */
  namespaceFrom: 'summary' | 'run id';
  regions: Region[];
  window: Window;
  campaigns: LedgerCampaign[];
  brokers: Map<Region, string>;
  inventory: Map<Region, string>;
}

/** A summary that cannot be used: the message says which file and field. */
export class RunSummaryError extends Error {}

function regionMap(rec: Record<string, string> | undefined): Map<Region, string> {
  const out = new Map<Region, string>();
  for (const [k, v] of Object.entries(rec ?? {})) if (isRegion(k)) out.set(k, v);
  return out;
}

export async function loadRunScope(reportsDir: string, runId: string): Promise<RunScope> {
  const file = join(reportsDir, runId, 'summary.json');
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    throw new RunSummaryError(`${file}: ${(err as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (err) {
    throw new RunSummaryError(`${file}: not JSON (${(err as Error).message})`);
  }
  const res = summarySchema.safeParse(parsed);
  if (!res.success) {
    const i = res.error.issues[0];
    throw new RunSummaryError(`${file}: ${i?.path.join('.') ?? ''}: ${i?.message ?? 'invalid'}`);
  }
  const s = res.data;
  if (s.run_id !== runId) throw new RunSummaryError(`${file}: run_id is ${s.run_id}, not ${runId}`);
  const regions = Object.keys(s.regions).filter(isRegion);
  if (regions.length === 0) throw new RunSummaryError(`${file}: regions: no region recorded`);
  return {
    runId,
    // loadtest/src/run.ts `startStack` names a run's topics `lt-<run id>-<topic>`.
    namespace: s.namespace ?? `lt-${runId}-`,
    namespaceFrom: s.namespace === undefined ? 'run id' : 'summary',
    regions,
    window: s.window
      ? { fromMs: s.window.from_ms, toMs: s.window.to_ms }
      : { fromMs: null, toMs: null },
    campaigns: s.campaigns.map((c) => ({ id: c.id, homeRegion: c.home })),
    brokers: regionMap(s.brokers),
    inventory: regionMap(s.inventory_urls),
  };
}
