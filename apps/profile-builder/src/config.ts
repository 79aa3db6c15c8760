import { z } from 'zod';
import { commonEnv, env, loadConfig } from '@streambid/adapters';

/** Environment of the profile builder; every default lives here. */
export const profileBuilderEnv = z.object({
  ...commonEnv,
  /** Port of /healthz and /metrics. */
  PROFILE_BUILDER_PORT: env.port(8070),
  /** Prefix of every profile key in Redis. */
  PROFILE_KEY_PREFIX: z.string().min(1).default('sb:'),
  /** Profile TTL, refreshed on activity (30 days). */
  PROFILE_TTL_SECONDS: z.coerce.number().int().positive().default(2_592_000),
  /** Opt-out tombstone TTL (365 days). */
  PROFILE_TOMBSTONE_TTL_SECONDS: z.coerce.number().int().positive().default(31_536_000),
  /** Segment score half-life (7 days); the bidder's reader must use the same value. */
  PROFILE_SEGMENT_HALF_LIFE_MS: z.coerce.number().int().positive().default(604_800_000),
  /** Updates per Redis script call: with the next, bounds how long one call blocks bid-path reads. */
  PROFILE_MAX_OPS_PER_CALL: z.coerce.number().int().min(1).max(5000).default(64),
  /** Profiles loaded and stored per Redis script call (the bulk of a call's cost). */
  PROFILE_MAX_PROFILES_PER_CALL: z.coerce.number().int().min(1).max(5000).default(16),
  /**
   * Script calls sent to Redis and not yet answered: a bid-path read can wait behind all of them,
   * so 1 keeps that wait to one call (see README).
   */
  PROFILE_MAX_CALLS_IN_FLIGHT: z.coerce.number().int().min(1).max(64).default(1),
  /** Partition batches applied concurrently. */
  PROFILE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
});

export type ProfileBuilderConfig = z.infer<typeof profileBuilderEnv>;

export function loadProfileBuilderConfig(
  e: Record<string, string | undefined> = process.env,
): ProfileBuilderConfig {
  return loadConfig(profileBuilderEnv, e);
}
