import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { maxOf, parsePrometheusText, parseSampleLine, sumOf } from './prom-text.js';

const SCRAPE = `# HELP bidder_requests_total Bid requests answered, by HTTP status
# TYPE bidder_requests_total counter
bidder_requests_total{code="200",service="bidder",region="eu",worker="0"} 120
bidder_requests_total{code="204",service="bidder",region="eu",worker="0"} 30
bidder_requests_total{code="200",service="bidder",region="eu",worker="1"} 80
# TYPE bidder_request_duration_seconds histogram
bidder_request_duration_seconds_bucket{le="0.001",service="bidder"} 10
bidder_request_duration_seconds_bucket{le="+Inf",service="bidder"} 12
bidder_request_duration_seconds_sum{service="bidder"} 0.05
bidder_blocklist_entries{worker="0"} 21
bidder_blocklist_entries{worker="1"} 20
process_start_time_seconds 1.7e9 1700000000000
`;

describe('the Prometheus text parser', () => {
  it('indexes samples by name with their labels and values', () => {
    const { index, skipped } = parsePrometheusText(SCRAPE);
    expect(skipped).toEqual([]);
    expect(index.get('bidder_requests_total')).toHaveLength(3);
    expect(index.get('bidder_request_duration_seconds_bucket')?.[1]).toEqual({
      name: 'bidder_request_duration_seconds_bucket',
      labels: { le: '+Inf', service: 'bidder' },
      value: 12,
    });
    expect(index.get('process_start_time_seconds')?.[0]?.value).toBe(1.7e9);
  });

  it('sums a counter over the series whose labels match, and takes a gauge’s largest series', () => {
    const { index } = parsePrometheusText(SCRAPE);
    expect(sumOf(index, 'bidder_requests_total')).toBe(230);
    expect(sumOf(index, 'bidder_requests_total', { code: '200' })).toBe(200);
    expect(sumOf(index, 'no_such_metric')).toBe(0);
    expect(maxOf(index, 'bidder_blocklist_entries')).toBe(21);
    expect(maxOf(index, 'no_such_metric')).toBeUndefined();
  });

  it('reads escaped quotes, backslashes and newlines in label values, and Inf and NaN values', () => {
    const s = parseSampleLine('m{path="a\\"b\\\\c\\nd",x="}"} +Inf');
    expect(s.labels).toEqual({ path: 'a"b\\c\nd', x: '}' });
    expect(s.value).toBe(Number.POSITIVE_INFINITY);
    expect(parseSampleLine('m NaN').value).toBeNaN();
    expect(parseSampleLine('m -Inf').value).toBe(Number.NEGATIVE_INFINITY);
  });

  it('keeps a label named __proto__ as plain data', () => {
    const s = parseSampleLine('m{__proto__="x",constructor="y"} 1');
    expect(Object.getPrototypeOf(s.labels)).toBe(Object.prototype);
    expect(s.labels['__proto__']).toBe('x');
    expect(s.labels['constructor']).toBe('y');
  });

  it('skips malformed lines with the line number and goes on', () => {
    const { index, skipped } = parsePrometheusText(
      'good 1\nbad{a="1" 2\n{x="1"} 3\nworse abc\ngood 2',
    );
    expect(index.get('good')?.map((s) => s.value)).toEqual([1, 2]);
    expect(skipped.map((s) => s.line)).toEqual([2, 3, 4]);
  });

  const labelValue = fc.string({ maxLength: 12 });
  const sample = fc.record({
    name: fc.stringMatching(/^[a-zA-Z_:][a-zA-Z0-9_:]{0,15}$/),
    labels: fc.dictionary(fc.stringMatching(/^[a-zA-Z_][a-zA-Z0-9_]{0,8}$/), labelValue, {
      maxKeys: 4,
    }),
    value: fc.double({ noNaN: true }),
  });
  const escape = (v: string): string =>
    v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const render = (v: number): string =>
    v === Number.POSITIVE_INFINITY ? '+Inf' : v === Number.NEGATIVE_INFINITY ? '-Inf' : String(v);

  test.prop([fc.array(sample, { maxLength: 20 })])(
    'reads back every sample that prom-client-style text renders',
    (samples) => {
      const text = samples
        .map((s) => {
          const labels = Object.entries(s.labels).map(([k, v]) => `${k}="${escape(v)}"`);
          return `${s.name}${labels.length > 0 ? `{${labels.join(',')}}` : ''} ${render(s.value)}`;
        })
        .join('\n');
      const { index, skipped } = parsePrometheusText(text);
      expect(skipped).toEqual([]);
      const byName = new Map<string, unknown[]>();
      for (const s of samples)
        byName.set(s.name, [
          ...(byName.get(s.name) ?? []),
          // String(-0) is "0": the sign of zero does not survive the text format.
          { name: s.name, labels: s.labels, value: s.value === 0 ? 0 : s.value },
        ]);
      expect(new Map([...index].map(([k, v]) => [k, v.map((x) => ({ ...x }))]))).toEqual(byName);
    },
  );

  test.prop([fc.string({ maxLength: 200 })])('never throws on arbitrary text', (text) => {
    expect(() => parsePrometheusText(text)).not.toThrow();
  });
});
