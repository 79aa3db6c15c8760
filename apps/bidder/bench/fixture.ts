/**
 * What `bench:bidder` serves from: ~1,000 campaigns with budget allowances on topics of its own
 * namespace, profiles seeded for half of the users, and the request bodies the generator sends.
 */
import { campaigns, requests } from './workload.js';
import { randomUUID } from 'node:crypto';
import {
  createKafka,
  createPublisher,
  createRedis,
  deleteNamespace,
  ensureTopics,
  localClusters,
  silentLogger,
} from '@streambid/adapters';
import { catalogue, type BidRequest, type BudgetAllowance } from '@streambid/contracts';
import { ProfileWriter } from '@streambid/profiles';
import { mulberry32 } from '@streambid/testkit';

/** The bench's data, published and seeded. */
export interface Fixture {
  namespace: string;
  profilePrefix: string;
  campaigns: number;
  seededUsers: number;
  users: number;
  requests: BidRequest[];
  /** `requests` as JSON, one body per request. */
  bodies: string[];
  /** Deletes the namespace's topics. */
  cleanup(): Promise<void>;
}

/** Publishes campaigns and allowances to fresh topics and seeds profiles in Redis. */
export async function prepareFixture(): Promise<Fixture> {
  const namespace = `bench-${randomUUID().slice(0, 8)}-`;
  const topics = catalogue(namespace);
  const profilePrefix = `bench-${randomUUID().slice(0, 8)}:`;
  const kafka = createKafka({
    clientId: 'bench',
    brokers: ['127.0.0.1:9092'],
    logger: silentLogger(),
  });
  await ensureTopics(kafka, Object.values(topics));
  const pub = await createPublisher(kafka);
  const rng = mulberry32(7);
  const cs = campaigns(rng, 1000);
  await pub.publish(topics.campaigns, cs);
  const allowances: BudgetAllowance[] = cs.map((c) => ({
    eventId: randomUUID(),
    ts: Date.now(),
    campaignId: c.id,
    region: 'eu',
    capMicros: 1e12,
    paceMicrosPerSec: 1e10,
    exhausted: false,
  }));
  await pub.publish(topics.budget, allowances);
  await pub.close();

  // Request pool: realistic 2.6 traffic; some deals use ids campaigns buy, with our seat allowed.
  const reqs = requests(rng, 4000);
  const redis = createRedis('redis://127.0.0.1:6379', silentLogger(), { lazyConnect: false });
  const writer = new ProfileWriter(redis, { keyPrefix: profilePrefix });
  const users = reqs
    .map((r) => r.user?.buyeruid ?? r.user?.id)
    .filter((u): u is string => u !== undefined);
  const seeded = users.filter((_, i) => i % 2 === 0);
  for (let i = 0; i < seeded.length; i += 500)
    await writer.apply(
      seeded.slice(i, i + 500).map((userId) => ({
        type: 'segments' as const,
        userId,
        ts: Date.now(),
        segments: [{ id: `seg-${String(1 + Math.floor(rng() * 50))}`, score: 0.8 }],
      })),
    );
  redis.disconnect();
  return {
    namespace,
    profilePrefix,
    campaigns: cs.length,
    seededUsers: seeded.length,
    users: users.length,
    requests: reqs,
    bodies: reqs.map((r) => JSON.stringify(r)),
    cleanup: async () => {
      await deleteNamespace(localClusters('bench-cleanup', silentLogger()), namespace);
    },
  };
}
