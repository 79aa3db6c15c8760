import type { Kafka } from 'kafkajs';
import { decode, type Logger } from '@streambid/adapters';
import { TOPICS } from '@streambid/contracts';
import { inWindow, type RegionAcks, type RegionSpend, type Window } from './facts.js';
import { readTopic } from './topic-reader.js';

const SAMPLE = 5;

/**
 * The spend events of one region's local `spend` topic, on the region's own cluster (never a
 * MirrorMaker copy), whose event time lies in the window; a bid's copies count once.
 */
export async function readRegionSpend(
  kafka: Kafka,
  topic: string,
  window: Window,
  log: Logger,
): Promise<RegionSpend> {
  const out: RegionSpend = {
    bids: new Map(),
    records: 0,
    invalid: { count: 0, sample: [] },
    eventIdNotBidId: [],
    exists: true,
  };
  out.exists = await readTopic(
    kafka,
    topic,
    window,
    (r) => {
      if (r.value === null) return;
      const d = decode(TOPICS.spend, r.value);
      if (!d.ok) {
        out.invalid.count++;
        if (out.invalid.sample.length < SAMPLE)
          out.invalid.sample.push(`${String(r.partition)}@${String(r.offset)}: ${d.reason}`);
        return;
      }
      const s = d.value;
      if (!inWindow(window, s.ts)) return;
      out.records++;
      if (s.eventId !== s.bidId) out.eventIdNotBidId.push(s.bidId);
      const seen = out.bids.get(s.bidId);
      if (seen !== undefined && seen.ts <= s.ts) return;
      out.bids.set(s.bidId, {
        bidId: s.bidId,
        eventId: s.eventId,
        ts: s.ts,
        region: s.region,
        campaignId: s.campaignId,
        cpmMicros: s.cpmMicros,
        amountMicros: s.amountMicros,
      });
    },
    log,
  );
  return out;
}

/**
 * Billing notices acknowledged in one region, from its `billing-acks` topic (compacted, key
 * `instance:minute`, never replicated), over the minutes of the window. Each bidder process
 * rewrites its minute's entry as the minute fills, so the latest record of an (instance, minute)
 * is its count and earlier ones are superseded; a tombstone removes the entry. Read from the
 * window's start (less the planner's slack: an entry is written during or after its minute) to
 * the end of the topic, since a minute's last rewrite can come after the window.
 */
export async function readRegionAcks(
  kafka: Kafka,
  topic: string,
  window: Window,
  log: Logger,
): Promise<RegionAcks> {
  const latest = new Map<
    string,
    { ts: number; minute: number; acked: number; micros: number; instance: string }
  >();
  const invalid = { count: 0, sample: [] as string[] };
  const exists = await readTopic(
    kafka,
    topic,
    { fromMs: window.fromMs, toMs: null },
    (r) => {
      if (r.value === null) {
        // A tombstone removes its entry.
        if (r.key !== null) latest.delete(r.key);
        return;
      }
      const d = decode(TOPICS.billingAcks, r.value);
      if (!d.ok) {
        invalid.count++;
        if (invalid.sample.length < SAMPLE)
          invalid.sample.push(`${String(r.partition)}@${String(r.offset)}: ${d.reason}`);
        return;
      }
      const a = d.value;
      const key = r.key ?? TOPICS.billingAcks.keyOf(a);
      const seen = latest.get(key);
      // Offsets grow within a partition (one key, one partition); ts orders across partitions.
      if (seen !== undefined && seen.ts > a.ts) return;
      latest.set(key, {
        ts: a.ts,
        minute: a.minute,
        acked: a.acked,
        micros: a.ackedMicros,
        instance: a.instance,
      });
    },
    log,
  );
  const out: RegionAcks = { acked: 0, ackedMicros: 0, entries: 0, instances: 0, invalid, exists };
  const instances = new Set<string>();
  for (const e of latest.values()) {
    if (!inWindow(window, e.minute)) continue;
    out.acked += e.acked;
    out.ackedMicros += e.micros;
    out.entries++;
    instances.add(e.instance);
  }
  out.instances = instances.size;
  return out;
}

/** Physical name of a region's topic on its own cluster. */
export function localTopic(namespace: string, logical: string): string {
  return `${namespace}${logical}`;
}
