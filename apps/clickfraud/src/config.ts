import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@streambid/adapters';
import { regionMapSchema } from './reconcile/args.js';

/** Environment of the clickfraud service; every variable has its default here. */
export const configSchema = z.object({
  ...commonEnv,
  /** HTTP port for reports, /healthz and /metrics. @default 8100 */
  CLICKFRAUD_PORT: env.port(8100),
  /** ClickHouse database holding every model version. @default 'clickfraud' */
  CLICKFRAUD_DB: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'letters, digits and underscore only')
    .default('clickfraud'),
  /** Rows per ClickHouse insert during replay. @default 100000 */
  CLICKFRAUD_BATCH_ROWS: z.coerce.number().int().min(1).max(500_000).default(100_000),
  /** Partition fetchers a replay runs side by side, each with its own partitions and sinks. @default 2 */
  CLICKFRAUD_REPLAY_LANES: z.coerce.number().int().min(1).max(16).default(2),
  /** Longest a partial batch waits before it is inserted. @default 1000 */
  CLICKFRAUD_LINGER_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  /** How often `follow` rescores the current day and republishes the blocklist. @default 60000 */
  CLICKFRAUD_SCORE_INTERVAL_MS: z.coerce.number().int().min(1000).default(60_000),
  /** How long a blocklist entry lasts. @default 86400000 (one day) */
  CLICKFRAUD_BLOCK_TTL_MS: z.coerce.number().int().min(60_000).default(86_400_000),
  /**
   * A bootstrap broker per other region, `us=host:port,ap=host:port`: bids are never replicated,
   * so a replay of `--regions eu,us` reads us's bids from us's own cluster.
   * @default the local ports (127.0.0.1:9192 us, 9292 ap)
   */
  CLICKFRAUD_BROKERS: regionMapSchema('broker').optional(),
  /**
   * Bearer token of the HTTP reports (`/reports/*`); without it every report request answers
   * 401. `/healthz` and `/metrics` stay open.
   */
  CLICKFRAUD_REPORT_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Widest `from`–`to` window an HTTP report may ask for, in hours. @default 744 (31 days) */
  CLICKFRAUD_REPORT_MAX_RANGE_H: z.coerce.number().int().min(1).max(87_600).default(744),
  /** Largest `limit` an HTTP report may ask for. @default 1000 */
  CLICKFRAUD_REPORT_MAX_ROWS: z.coerce.number().int().min(1).max(100_000).default(1000),
  /**
   * ClickHouse `max_execution_time` of an HTTP report's queries, in whole seconds (18.16 reads
   * the setting as whole seconds); a report over it answers 503. @default 10
   */
  CLICKFRAUD_REPORT_MAX_EXECUTION_S: z.coerce.number().int().min(1).max(3600).default(10),
});
export type ClickfraudConfig = z.infer<typeof configSchema>;

export function loadClickfraudConfig(
  source: Record<string, string | undefined> = process.env,
): ClickfraudConfig {
  return loadConfig(configSchema, source);
}
