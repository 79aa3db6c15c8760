import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { holds, MAX_THRESHOLD_LENGTH, parseThreshold, worstOf } from './threshold-expr.js';

const ok = (s: string) => {
  const r = parseThreshold(s);
  if (!r.ok) throw new Error(r.error);
  return r.expr;
};
const error = (s: string): string => {
  const r = parseThreshold(s);
  return r.ok ? '' : r.error;
};

describe('threshold expressions', () => {
  it('reads a metric, its tag filters, the operator and the limit', () => {
    const e = ok('  p99_ms{region:us, scenario:ctv} < 30 ');
    expect(e.text).toBe('p99_ms{region:us, scenario:ctv} < 30');
    expect(e.metric).toBe('p99_ms');
    expect(e.tags).toEqual([
      ['region', 'us'],
      ['scenario', 'ctv'],
    ]);
    expect(e.op).toBe('<');
    expect(e.limit).toBe(30);
    expect(ok('checks{scenario:*} > 0.999')).toMatchObject({ metric: 'checks', limit: 0.999 });
    expect(ok('double_bills == 0')).toMatchObject({ op: '==', limit: 0 });
    expect(ok('overspend_pct<1').op).toBe('<');
    expect(ok('error_rate <= 1e-3').limit).toBe(0.001);
    expect(ok('rps{media:video}>=-.5').limit).toBe(-0.5);
  });

  it('names what is wrong with a bad expression', () => {
    expect(error('p99 < 30')).toMatch(/unknown metric p99/);
    expect(error('p99_ms{region:us < 30')).toMatch(/expected metric/);
    expect(error('p99_ms{region=us} < 30')).toMatch(/bad tag "region=us"/);
    expect(error('p99_ms{region:us,region:eu} < 30')).toMatch(/tag region given twice/);
    expect(error('overspend_pct{region:us} < 1')).toMatch(/whole-run metric/);
    expect(error('p99_ms < Infinity')).toMatch(/expected metric/);
    expect(error('p99_ms < 1e999')).toMatch(/not a finite number/);
    expect(error('p99_ms < 0x10')).toMatch(/expected metric/);
    expect(error('p99_ms =< 3')).toMatch(/expected metric/);
    expect(error('__proto__ < 1')).toMatch(/expected metric/);
    expect(error('constructor < 1')).toMatch(/unknown metric constructor/);
    expect(error('p99_ms{__proto__:x} < 1')).toMatch(/bad tag/);
    expect(error(`p99_ms{region:${'a'.repeat(MAX_THRESHOLD_LENGTH)}} < 1`)).toMatch(/longer than/);
    expect(error('')).toMatch(/expected metric/);
  });

  test.prop([fc.string({ maxLength: 300 })])('never throws on any text', (s) => {
    const r = parseThreshold(s);
    if (r.ok) expect(Number.isFinite(r.expr.limit)).toBe(true);
    else expect(r.error.length).toBeGreaterThan(0);
  });

  it('judges each operator, and the worst group for the operator', () => {
    expect(holds(29.9, '<', 30)).toBe(true);
    expect(holds(30, '<', 30)).toBe(false);
    expect(holds(30, '<=', 30)).toBe(true);
    expect(holds(0.9991, '>', 0.999)).toBe(true);
    expect(holds(0, '==', 0)).toBe(true);
    expect(holds(1, '!=', 1)).toBe(false);
    expect(worstOf([3, 9, 5], '<', 8)).toBe(9);
    expect(worstOf([0.99, 1], '>', 0.999)).toBe(0.99);
    expect(worstOf([0, 2, 0], '==', 0)).toBe(2);
  });
});
