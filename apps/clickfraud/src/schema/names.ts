import { sqlIdent } from '@streambid/adapters';
import { z } from 'zod';

/** A model version name: becomes a table-name suffix, so only lower-case letters, digits and `_`. */
export const modelVersionSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,31}$/, 'a model version is a lower-case name such as v2');

/** Fully qualified table names of one model version (identifiers already validated). */
export interface ModelTables {
  version: string;
  clicks: string;
  impressions: string;
  ipHourly: string;
  subnetHourly: string;
  cookieDaily: string;
  placementHourly: string;
  campaignHourly: string;
  clickScores: string;
  scoreStage: string;
  /** Delivery models (`schema/delivery.ts`): raw bids, wins and losses, and their rollups. */
  bids: string;
  wins: string;
  losses: string;
  deliveryHourly: string;
  lossReasonsHourly: string;
}

export function modelTables(db: string, version: string): ModelTables {
  const v = modelVersionSchema.parse(version);
  const t = (name: string): string => `${sqlIdent(db)}.${sqlIdent(`${name}_${v}`)}`;
  return {
    version: v,
    clicks: t('clicks'),
    impressions: t('impressions'),
    ipHourly: t('ip_hourly'),
    subnetHourly: t('subnet_hourly'),
    cookieDaily: t('cookie_daily'),
    placementHourly: t('placement_hourly'),
    campaignHourly: t('campaign_hourly'),
    clickScores: t('click_scores'),
    scoreStage: t('click_scores_stage'),
    bids: t('bids'),
    wins: t('wins'),
    losses: t('losses'),
    deliveryHourly: t('delivery_hourly'),
    lossReasonsHourly: t('loss_reasons_hourly'),
  };
}

/** Service-wide tables (not per version). */
export function metaTables(db: string): { migrations: string; versions: string; current: string } {
  const d = sqlIdent(db);
  return {
    migrations: `${d}.schema_migrations`,
    versions: `${d}.model_versions`,
    current: `${d}.current_model`,
  };
}
