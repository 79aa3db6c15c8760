import { z } from 'zod';
import { loadConfig } from '@streambid/adapters';
import { configSchema } from '../config.js';
import { regionMapSchema } from './args.js';

/** Environment of `reconcile`: the clickfraud service's, plus where the other regions are. */
export const reconcileEnvSchema = configSchema.extend({
  /** Bearer token of the inventory APIs; required unless `--no-ledger`. */
  INVENTORY_TOKEN: z.string().min(1).optional(),
  /** A bootstrap broker per region, `eu=host:port,us=host:port`. @default the local ports */
  RECONCILE_BROKERS: regionMapSchema('broker').optional(),
  /** The inventory API per region, `eu=http://…,us=http://…`. @default 127.0.0.1:8090/8190/8290 */
  RECONCILE_INVENTORY: regionMapSchema('url').optional(),
});
export type ReconcileConfig = z.infer<typeof reconcileEnvSchema>;

export function loadReconcileConfig(
  source: Record<string, string | undefined> = process.env,
): ReconcileConfig {
  return loadConfig(reconcileEnvSchema, source);
}
