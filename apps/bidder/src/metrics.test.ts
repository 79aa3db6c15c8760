import { describe, expect, it } from 'vitest';
import { Counter, createMetricsRegistry } from '@streambid/adapters';
import { boundCounter } from './metrics.js';

describe('boundCounter', () => {
  it('counts into the same series as labelled increments, one child per label value', async () => {
    const registry = createMetricsRegistry('test', {});
    const c = new Counter({
      name: 'test_total',
      help: 'test',
      labelNames: ['code'],
      registers: [registry],
    });
    const byCode = boundCounter(c, 'code');
    byCode('200').inc();
    byCode('200').inc(2);
    byCode('204').inc();
    c.inc({ code: '200' });
    expect(byCode('200')).toBe(byCode('200'));
    const values = (await c.get()).values.map((v) => [v.labels['code'], v.value]);
    expect(values).toEqual(
      expect.arrayContaining([
        ['200', 4],
        ['204', 1],
      ]),
    );
    expect(values).toHaveLength(2);
  });
});
