import { describe, expect, it } from 'vitest';
import { encodeRequest } from './header.js';
import { PRODUCE, decodeProduce, encodeProduce } from './produce.js';
import { WireReader, WireWriter } from './wire.js';

describe('Produce v3 request and response', () => {
  it('writes each topic once, its partitions with their record bytes as sent', () => {
    const a = Buffer.from('batch-a');
    const b = Buffer.from('batch-b');
    const c = Buffer.from('batch-c');
    const frame = encodeRequest(
      PRODUCE.apiKey,
      PRODUCE.version,
      7,
      'client',
      encodeProduce({
        acks: -1,
        timeoutMs: 1500,
        batches: [
          { topic: 'x', partition: 2, records: a },
          { topic: 'y', partition: 0, records: b },
          { topic: 'x', partition: 0, records: c },
        ],
      }),
    );
    const r = new WireReader(frame, 4);
    expect([r.int16(), r.int16(), r.int32(), r.string()]).toEqual([0, 3, 7, 'client']);
    expect(r.string()).toBeNull(); // transactional_id
    expect(r.int16()).toBe(-1);
    expect(r.int32()).toBe(1500);
    const topics = r.array((t) => ({
      topic: t.string(),
      parts: t.array((p) => ({ partition: p.int32(), records: p.bytes()?.toString() })),
    }));
    expect(topics).toEqual([
      {
        topic: 'x',
        parts: [
          { partition: 2, records: 'batch-a' },
          { partition: 0, records: 'batch-c' },
        ],
      },
      { topic: 'y', parts: [{ partition: 0, records: 'batch-b' }] },
    ]);
    expect(r.pos).toBe(frame.length);
  });

  it('reads per-partition error codes and base offsets, and the throttle time', () => {
    const w = new WireWriter()
      .array(['x'], (x, topic) =>
        x.string(topic).array(
          [
            [0, 0, 41n],
            [1, 6, -1n],
          ] as const,
          (y, [partition, code, offset]) => y.int32(partition).int16(code).int64(offset).int64(-1n),
        ),
      )
      .int32(12);
    const frame = w.framed();
    expect(decodeProduce(new WireReader(frame, 4))).toEqual({
      partitions: [
        { topic: 'x', partition: 0, errorCode: 0, baseOffset: 41 },
        { topic: 'x', partition: 1, errorCode: 6, baseOffset: -1 },
      ],
      throttleTimeMs: 12,
    });
  });
});
