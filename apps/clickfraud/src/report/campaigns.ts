import type { Kafka } from 'kafkajs';
import { decode, type Logger } from '@streambid/adapters';
import { remoteTopicName, TOPICS, type Region } from '@streambid/contracts';
import { readTopic } from '../reconcile/topic-reader.js';
import type { CampaignPlan } from './pacing.js';

/**
 * Budgets and flights of every campaign, from the compacted `campaigns` topic of the analytics
 * cluster: its own and the MirrorMaker copies of the other regions' (a campaign is written in its
 * home region). The highest version of a campaign wins; invalid records are counted, not used.
 */
export async function readCampaignPlans(
  kafka: Kafka,
  opts: { namespace: string; analytics: Region; regions: readonly Region[]; logger: Logger },
): Promise<{ plans: Map<string, CampaignPlan>; invalid: number }> {
  const latest = new Map<string, { version: number; plan: CampaignPlan }>();
  let invalid = 0;
  const local = `${opts.namespace}${TOPICS.campaigns.name}`;
  const topics = new Set(
    [opts.analytics, ...opts.regions].map((r) =>
      r === opts.analytics ? local : remoteTopicName(r, local),
    ),
  );
  for (const topic of topics)
    await readTopic(
      kafka,
      topic,
      { fromMs: null, toMs: null },
      (r) => {
        if (r.value === null) return;
        const d = decode(TOPICS.campaigns, r.value);
        if (!d.ok) {
          invalid++;
          return;
        }
        const c = d.value;
        const seen = latest.get(c.id);
        if (seen !== undefined && seen.version >= c.version) return;
        latest.set(c.id, {
          version: c.version,
          plan: { id: c.id, budgetMicros: c.budget.totalMicros, flight: c.flight },
        });
      },
      opts.logger,
    );
  return { plans: new Map([...latest].map(([id, v]) => [id, v.plan])), invalid };
}
