import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@streambid/adapters';
import { parseRegionList, REGIONS } from '@streambid/contracts';
import { DEFAULT_ALLOCATION } from './domain/allocation.js';

/**
 * Inventory configuration, from the environment. `INVENTORY_TOKEN` has no default: a campaign API
 * that accepts any caller must never start by accident, so the service refuses to start without it.
 */
export const inventoryEnv = z.object({
  ...commonEnv,
  /** @default 8090 */
  INVENTORY_PORT: env.port(8090),
  /** @default '0.0.0.0' */
  INVENTORY_HOST: z.string().min(1).default('0.0.0.0'),
  /** Bearer token every campaign API request must carry. Required. */
  INVENTORY_TOKEN: z
    .string({ error: 'required: the bearer token the campaign API accepts' })
    .min(1, 'must not be empty'),
  /** Regions that receive budget allowances. @default 'eu,us,ap' */
  INVENTORY_REGIONS: z
    .string()
    .default(REGIONS.join(','))
    .transform((v, ctx) => {
      const list = parseRegionList(v);
      if (!list) {
        ctx.addIssue({ code: 'custom', message: `expected a list of ${REGIONS.join(', ')}` });
        return z.NEVER;
      }
      return list;
    }),
  /** How often allowances are recomputed; changed ones are published. @default 250 */
  BUDGET_INTERVAL_MS: z.coerce
    .number()
    .int()
    .min(10)
    .max(1000)
    .default(DEFAULT_ALLOCATION.intervalMs),
  /** Every allowance is re-published at least this often. @default 1000 */
  BUDGET_REFRESH_MS: z.coerce.number().int().min(100).max(1000).default(1000),
  /** How often this region's cumulative spend per campaign goes to `spend-totals`. @default 10000 */
  SPEND_TOTALS_INTERVAL_MS: z.coerce.number().int().min(100).max(3_600_000).default(10_000),
  /**
   * How far behind the clock a total's cut lies: longer than any spend event takes from its
   * event time to the topic (billing deadline plus producer retries). @default 120000
   */
  SPEND_TOTALS_SETTLE_MS: z.coerce.number().int().min(0).max(600_000).default(120_000),
  /** Longest a write waits to become visible in the view before answering 503. @default 10000 */
  WRITE_VISIBLE_TIMEOUT_MS: z.coerce.number().int().min(100).default(10_000),
});
export type InventoryConfig = z.infer<typeof inventoryEnv>;

export function loadInventoryConfig(
  source: Record<string, string | undefined> = process.env,
): InventoryConfig {
  return loadConfig(inventoryEnv, source);
}
