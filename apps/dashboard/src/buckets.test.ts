import { describe, expect, it } from 'vitest';
import { addBuckets, bucketDelta, histogramOf, quantileOf } from './buckets.js';
import { parsePrometheusText } from './prom-text.js';

const INF = Number.POSITIVE_INFINITY;

describe('histogram buckets', () => {
  it('sums the buckets of every series of a histogram, by group label', () => {
    const { index } = parsePrometheusText(
      [
        'lag_seconds_bucket{topic="us.spend",le="0.1",worker="0"} 1',
        'lag_seconds_bucket{topic="us.spend",le="+Inf",worker="0"} 2',
        'lag_seconds_bucket{topic="us.spend",le="0.1",worker="1"} 3',
        'lag_seconds_bucket{topic="us.spend",le="+Inf",worker="1"} 3',
        'lag_seconds_bucket{topic="us.budget",le="0.1"} 5',
        'lag_seconds_bucket{topic="us.budget",le="+Inf"} 5',
      ].join('\n'),
    );
    const h = histogramOf(index, 'lag_seconds', 'topic');
    expect(h.get('us.spend')).toEqual([
      { le: 0.1, count: 4 },
      { le: INF, count: 5 },
    ]);
    expect(histogramOf(index, 'lag_seconds').get('')?.[1]).toEqual({ le: INF, count: 10 });
  });

  it('counts what arrived between two scrapes, and all of the second after a restart', () => {
    const before = [
      { le: 0.001, count: 10 },
      { le: INF, count: 12 },
    ];
    const after = [
      { le: 0.001, count: 15 },
      { le: INF, count: 20 },
    ];
    expect(bucketDelta(before, after)).toEqual([
      { le: 0.001, count: 5 },
      { le: INF, count: 8 },
    ]);
    const restarted = [
      { le: 0.001, count: 2 },
      { le: INF, count: 3 },
    ];
    expect(bucketDelta(after, restarted)).toEqual(restarted);
  });

  it('adds the buckets of two processes', () => {
    expect(
      addBuckets(
        [
          { le: 1, count: 1 },
          { le: INF, count: 2 },
        ],
        [
          { le: 1, count: 3 },
          { le: INF, count: 3 },
        ],
      ),
    ).toEqual([
      { le: 1, count: 4 },
      { le: INF, count: 5 },
    ]);
  });

  it('interpolates a quantile inside its bucket as histogram_quantile does', () => {
    // 100 observations: 50 ≤ 1 ms, 40 in (1, 2] ms, 10 in (2, 5] ms.
    const b = [
      { le: 0.001, count: 50 },
      { le: 0.002, count: 90 },
      { le: 0.005, count: 100 },
      { le: INF, count: 100 },
    ];
    expect(quantileOf(0.5, b)).toBeCloseTo(0.001, 9);
    expect(quantileOf(0.25, b)).toBeCloseTo(0.0005, 9);
    expect(quantileOf(0.7, b)).toBeCloseTo(0.0015, 9);
    expect(quantileOf(0.99, b)).toBeCloseTo(0.0047, 9);
  });

  it('answers the highest finite bound for a rank in +Inf, and null without observations', () => {
    const b = [
      { le: 0.1, count: 1 },
      { le: INF, count: 10 },
    ];
    expect(quantileOf(0.99, b)).toBe(0.1);
    expect(
      quantileOf(0.5, [
        { le: 0.1, count: 0 },
        { le: INF, count: 0 },
      ]),
    ).toBeNull();
    expect(quantileOf(0.5, [])).toBeNull();
  });
});
