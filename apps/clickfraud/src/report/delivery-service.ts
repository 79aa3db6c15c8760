import type { Kafka } from 'kafkajs';
import type { ClickHouseClient, Logger } from '@streambid/adapters';
import { REGIONS, remoteTopicName, TOPICS, type Region } from '@streambid/contracts';
import type { RunScope } from '../reconcile/run-summary.js';
import { ledgerTables } from '../schema/ledger.js';
import { currentVersion, INITIAL_VERSION } from '../schema/models.js';
import { modelTables, type ModelTables } from '../schema/names.js';
import { readCampaignPlans } from './campaigns.js';
import type { DeliveryParams } from './delivery-params.js';
import type { DeliveryScope } from './delivery-query.js';
import { runDelivery, wholeHours, type DeliveryReport } from './delivery.js';

/** What a delivery report reads. */
export interface DeliveryDeps {
  ch: ClickHouseClient;
  db: string;
  /** The analytics cluster (campaign budgets for pacing), or null to leave pacing out. */
  kafka: Kafka | null;
  analytics: Region;
  /** The namespace outside a run (`TOPIC_NAMESPACE`). */
  namespace: string;
  logger: Logger;
  /** ClickHouse settings of the query (the HTTP reports' `readonly`, `max_execution_time`). */
  settings?: Record<string, string | number>;
}

/** The spend topics of a namespace in the analytics cluster: its own and the copies. */
export function spendTopicsOf(namespace: string, analytics: Region, regions: readonly Region[]) {
  const local = `${namespace}${TOPICS.spend.name}`;
  return regions.map((r) => (r === analytics ? local : remoteTopicName(r, local)));
}

/** The model version a report reads: `--version`, else the current one, else the initial one. */
export async function reportTables(
  ch: ClickHouseClient,
  db: string,
  version: string | undefined,
): Promise<ModelTables> {
  return modelTables(db, version ?? (await currentVersion(ch, db)) ?? INITIAL_VERSION);
}

/**
 * A delivery report over a window (`--from/--to`, grown to whole hours) or a load-test run (its
 * campaigns, its namespace's spend topics, its window when recorded). Pacing needs the campaigns'
 * budgets from the campaigns topic; if it cannot be read the report says so and goes on.
 */
export async function deliveryReport(
  deps: DeliveryDeps,
  p: DeliveryParams,
  run: RunScope | null,
): Promise<DeliveryReport> {
  const [fromMs, toMs] = run
    ? wholeHours(run.window.fromMs, run.window.toMs)
    : wholeHours(p.from ?? null, p.to ?? null);
  let campaigns: string[] | null = run ? run.campaigns.map((c) => c.id) : null;
  if (p.campaign !== undefined)
    campaigns = campaigns === null ? [p.campaign] : campaigns.filter((c) => c === p.campaign);
  const scope: DeliveryScope = {
    by: p.by,
    fromMs,
    toMs,
    campaigns,
    spendTopics: run ? spendTopicsOf(run.namespace, deps.analytics, run.regions) : null,
  };
  let plans = null;
  if (deps.kafka !== null)
    try {
      plans = (
        await readCampaignPlans(deps.kafka, {
          namespace: run ? run.namespace : deps.namespace,
          analytics: deps.analytics,
          regions: run ? run.regions : REGIONS,
          logger: deps.logger,
        })
      ).plans;
    } catch (err) {
      deps.logger.warn({ module: 'report', err }, 'campaign budgets unavailable; no pacing');
    }
  const t = await reportTables(deps.ch, deps.db, p.version);
  return runDelivery(deps.ch, t, ledgerTables(deps.db).spend, scope, plans, p.limit, deps.settings);
}
