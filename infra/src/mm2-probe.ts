import { Kafka, logLevel } from 'kafkajs';
import type { Region } from '@streambid/contracts';
import type { Ports } from './ports.js';

/** MirrorMaker 2's heartbeat topic in each target cluster (default name). */
const HEARTBEATS = 'heartbeats';

async function withAdmin<T>(
  port: number,
  fn: (admin: ReturnType<Kafka['admin']>) => Promise<T>,
): Promise<T> {
  const kafka = new Kafka({
    clientId: 'streambid-infra-mm2-probe',
    brokers: [`127.0.0.1:${port}`],
    connectionTimeout: 1_000,
    requestTimeout: 3_000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/**
 * True when MirrorMaker 2 runs every flow between `regions`: each source cluster holds the
 * offset-syncs topic of each of its flows (created when that source connector starts) and each
 * target received a heartbeat written after `sinceMs` (its heartbeat connector is running now,
 * not in a previous life). Never throws.
 */
export async function mm2Ready(
  regions: readonly Region[],
  ports: Ports,
  sinceMs: number,
): Promise<boolean> {
  if (!Number.isFinite(sinceMs)) return false;
  try {
    for (const r of regions) {
      const ok = await withAdmin(ports.kafka[r], async (admin) => {
        const topics = new Set(await admin.listTopics());
        const others = regions.filter((o) => o !== r);
        if (!others.every((t) => topics.has(`mm2-offset-syncs.${t}.internal`))) return false;
        if (!topics.has(HEARTBEATS)) return false;
        const [high, fresh] = await Promise.all([
          admin.fetchTopicOffsets(HEARTBEATS),
          admin.fetchTopicOffsetsByTimestamp(HEARTBEATS, sinceMs),
        ]);
        // The first offset at or after `sinceMs` is below the end: such a heartbeat exists.
        return fresh.some((f) => {
          const h = high.find((x) => x.partition === f.partition);
          return h !== undefined && BigInt(f.offset) < BigInt(h.high);
        });
      });
      if (!ok) return false;
    }
    return true;
  } catch {
    return false;
  }
}
