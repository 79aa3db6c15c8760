import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { addImpression, ZERO_SPEND, type SpendSum } from './money.js';
import { RegionSpend, type SpendCut } from './spend-cut.js';

const MARGIN = 100;

interface Copy {
  id: string;
  ts: number;
  cpm: number;
}

/** Events with copies: a copy shares its event's id and price, and lands within the margin. */
const history = fc
  .array(
    fc.record({
      ts: fc.integer({ min: 0, max: 10_000 }),
      cpm: fc.integer({ min: 0, max: 5_000_000 }),
      later: fc.array(fc.integer({ min: 0, max: MARGIN }), { maxLength: 2 }),
    }),
    { maxLength: 40 },
  )
  .map((events) =>
    events.flatMap((e, i): Copy[] => [
      { id: `e${String(i)}`, ts: e.ts, cpm: e.cpm },
      ...e.later.map((d) => ({ id: `e${String(i)}`, ts: e.ts + d, cpm: e.cpm })),
    ]),
  );

/** What a writer publishes for `cutTs`: every distinct event whose first copy is before it. */
function oracle(copies: readonly Copy[], cutTs: number): SpendCut {
  const first = new Map<string, Copy>();
  for (const c of copies) {
    const f = first.get(c.id);
    if (!f || c.ts < f.ts) first.set(c.id, c);
  }
  let sum: SpendSum = ZERO_SPEND;
  let events = 0;
  for (const c of first.values())
    if (c.ts < cutTs) {
      sum = addImpression(sum, c.cpm);
      events++;
    }
  return { cutTs, sum, events };
}

const asRecord = (c: SpendCut): Parameters<RegionSpend['applyTotal']>[0] => ({
  cutTs: c.cutTs,
  totalMicros: c.sum.micros,
  remainderNanos: c.sum.nanos,
  events: c.events,
});

type Item = { kind: 'event'; copy: Copy } | { kind: 'total'; cut: SpendCut };

function replay(items: readonly Item[], keepIdsFrom?: (cut: number) => number): RegionSpend {
  const r = new RegionSpend({ marginMs: MARGIN, ...(keepIdsFrom ? { keepIdsFrom } : {}) });
  for (const it of items)
    if (it.kind === 'event') r.applyEvent(it.copy.id, it.copy.ts, it.copy.cpm);
    else r.applyTotal(asRecord(it.cut));
  return r;
}

describe('RegionSpend: latest total plus the tail of the spend stream', () => {
  test.prop([
    history,
    fc.uniqueArray(fc.integer({ min: 1, max: 11_000 }), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 0, max: 11_000 }),
    fc.boolean(),
    fc.infiniteStream(fc.nat()),
  ])(
    'rebuilds the exact total in any order, whether or not retention deleted the history before the cut',
    (copies, cuts, retainedFrom, keepDays, order) => {
      const latest = Math.max(...cuts);
      // Retention may delete anything older than the margin before the latest cut, never more.
      const deleteBefore = Math.min(retainedFrom, latest - MARGIN);
      const retained = copies.filter((c) => c.ts >= deleteBefore);
      // Compaction may or may not have removed the older totals; the latest is always there.
      const totals = cuts
        .filter((c, i) => c === latest || i % 2 === 0)
        .map((c) => oracle(copies, c));
      const items: Item[] = [
        ...retained.map((copy): Item => ({ kind: 'event', copy })),
        ...totals.map((cut): Item => ({ kind: 'total', cut })),
      ];
      // A random interleaving (Fisher–Yates driven by the stream).
      const it = order[Symbol.iterator]();
      for (let i = items.length - 1; i > 0; i--) {
        const j = (it.next().value as number) % (i + 1);
        [items[i], items[j]] = [items[j] as Item, items[i] as Item];
      }
      const r = replay(items, keepDays ? (cut) => cut - 5_000 : undefined);
      const all = oracle(copies, Number.POSITIVE_INFINITY);
      expect(r.total()).toEqual(all.sum);
      expect(r.events).toBe(all.events);
      expect(r.cutTs).toBe(latest);
    },
  );

  test.prop([history, fc.integer({ min: 0, max: 11_000 }), fc.integer({ min: 0, max: 11_000 })])(
    'lets a writer that has read every event cut exactly at any later time',
    (copies, first, second) => {
      const [a, b] = first < second ? [first, second] : [second, first];
      const r = replay(copies.map((copy): Item => ({ kind: 'event', copy })));
      const atA = r.cutAt(a);
      const expectA = oracle(copies, a);
      expect(atA ?? { cutTs: a, sum: ZERO_SPEND, events: 0 }).toEqual(expectA);
      if (atA) r.applyTotal(asRecord(atA));
      const atB = r.cutAt(b);
      if (b > a && oracle(copies, b).events > expectA.events)
        expect(atB).toEqual(oracle(copies, b));
      else expect(atB).toBeUndefined();
      expect(r.total()).toEqual(oracle(copies, Number.POSITIVE_INFINITY).sum);
    },
  );

  it('does not count a retry landing just after the cut of a bid counted just before it', () => {
    const r = new RegionSpend({ marginMs: 1000 });
    r.applyTotal({ cutTs: 10_000, totalMicros: 1, remainderNanos: 500, events: 1 });
    expect(r.applyEvent('bid-1', 9_500, 1_500).outcome).toBe('covered');
    expect(r.applyEvent('bid-1', 10_200, 1_500).outcome).toBe('duplicate');
    expect(r.applyEvent('bid-2', 10_300, 2_000).outcome).toBe('counted');
    expect(r.total()).toEqual({ micros: 3, nanos: 500 });
    expect(r.events).toBe(2);
  });

  it('takes back events a later total covers, and ignores an older total', () => {
    const r = new RegionSpend({ marginMs: 0 });
    r.applyEvent('a', 100, 700);
    r.applyEvent('b', 200, 700);
    r.applyEvent('c', 300, 700);
    expect(r.total()).toEqual({ micros: 2, nanos: 100 });
    expect(r.applyTotal({ cutTs: 250, totalMicros: 1, remainderNanos: 400, events: 2 })).toBe(true);
    expect(r.total()).toEqual({ micros: 2, nanos: 100 });
    expect(r.trackedIds).toBe(1);
    expect(r.applyTotal({ cutTs: 150, totalMicros: 0, remainderNanos: 700, events: 1 })).toBe(
      false,
    );
    expect(r.total()).toEqual({ micros: 2, nanos: 100 });
  });

  it('counts an id at its earliest copy when a copy from before the cut arrives later', () => {
    const r = new RegionSpend({ marginMs: 1000 });
    r.applyTotal({ cutTs: 1_000, totalMicros: 5, remainderNanos: 0, events: 1 });
    expect(r.applyEvent('x', 1_100, 5_000).outcome).toBe('counted');
    expect(r.total().micros).toBe(10);
    // The same bid at 900 is the copy the total counted: the one at 1,100 is its duplicate.
    expect(r.applyEvent('x', 900, 5_000).outcome).toBe('duplicate');
    expect(r.total().micros).toBe(5);
  });

  it('freezes the figure when sealed and counts nothing more', () => {
    const r = new RegionSpend();
    r.applyEvent('a', 1, 1_500);
    r.seal();
    expect(r.applyEvent('b', 2, 1_500).outcome).toBe('duplicate');
    expect(r.applyTotal({ cutTs: 10, totalMicros: 100, remainderNanos: 0, events: 9 })).toBe(false);
    expect(r.total()).toEqual({ micros: 1, nanos: 500 });
    expect(r.trackedIds).toBe(0);
  });
});
