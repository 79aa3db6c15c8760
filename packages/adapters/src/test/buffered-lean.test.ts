import { describe, expect, it } from 'vitest';
import { brokerFixture, readAll } from '@streambid/kafka-wire/testing';
import { makeSpend } from '@streambid/testkit';
import { testTopics } from '@streambid/testkit/services';
import { ensureTopics } from '../kafka/admin.js';
import { BufferedPublisher } from '../kafka/buffered.js';
import { silentLogger } from '../logger.js';

describe('BufferedPublisher over the LeanProducer, against the real broker', () => {
  const broker = brokerFixture('lean');
  const { topics, connect } = broker;

  it('serves as the BatchSender of a BufferedPublisher', async () => {
    const { topics: cat } = testTopics();
    topics.push(cat.spend.name);
    await ensureTopics(broker.kafka, [cat.spend]);
    const p = await connect();
    const buf = new BufferedPublisher(p, silentLogger(), { lingerMs: 5 });
    const spends = Array.from({ length: 40 }, (_, i) =>
      makeSpend({ eventId: `lean-${String(i)}` }),
    );
    for (const s of spends) expect(buf.offer(cat.spend, s)).toBe(true);
    await buf.close();
    expect(buf.stats.sent).toBe(40);
    const got = await readAll(cat.spend.name, cat.spend.partitions, 40);
    expect(new Set(got.map((r) => (JSON.parse(r.value) as { eventId: string }).eventId))).toEqual(
      new Set(spends.map((s) => s.eventId)),
    );
    expect(got.map((r) => r.timestamp).sort()).toEqual(spends.map((s) => s.ts).sort());
  });
});
