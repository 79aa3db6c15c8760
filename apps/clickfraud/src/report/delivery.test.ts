import { fc, test } from '@fast-check/vitest';
import { describe, expect, it } from 'vitest';
import { commandHelp } from '@streambid/adapters';
import { apportionSpend, type SpendPart } from './apportion.js';
import { DELIVERY_FLAGS, parseReportArgs, REPORT_COMMAND } from './delivery-args.js';
import { checkBounds, parseDeliveryParams } from './delivery-params.js';
import type { DeliveryPart } from './delivery-query.js';
import { assembleDelivery, wholeHours } from './delivery.js';
import { pacing, plannedMicros } from './pacing.js';

const HOUR = 3_600_000;

describe('apportionSpend', () => {
  const part = fc.record({
    key: fc.constantFrom('a', 'b', 'c', 'd'),
    campaign: fc.constantFrom('x', 'y', 'z'),
    cpm: fc.bigInt({ min: 0n, max: 10n ** 12n }),
  });

  test.prop([fc.array(part, { maxLength: 40 })])(
    'gives each campaign exactly floor(Σ cpm / 1000) micros, every part within a micro of its share',
    (parts: SpendPart[]) => {
      const out = apportionSpend(parts);
      const total = [...out.values()].reduce((a, b) => a + b, 0n);
      const campaigns = new Map<string, bigint>();
      for (const p of parts) campaigns.set(p.campaign, (campaigns.get(p.campaign) ?? 0n) + p.cpm);
      expect(total).toBe([...campaigns.values()].reduce((a, c) => a + c / 1000n, 0n));
      for (const key of new Set(parts.map((p) => p.key))) {
        const exact = parts.filter((p) => p.key === key).reduce((a, p) => a + p.cpm, 0n);
        const got = (out.get(key) ?? 0n) * 1000n;
        // Each part is off by less than a micro (the query yields one part per key and campaign).
        const n = BigInt(parts.filter((p) => p.key === key).length);
        expect(got - exact < 1000n * n && exact - got < 1000n * n).toBe(true);
      }
    },
  );

  it('hands a left-over micro to the part with the largest remainder', () => {
    const out = apportionSpend([
      { key: 'h1', campaign: 'c', cpm: 1_600n },
      { key: 'h2', campaign: 'c', cpm: 1_500n },
    ]);
    expect(out).toEqual(
      new Map([
        ['h1', 2n],
        ['h2', 1n],
      ]),
    );
  });
});

describe('even-delivery pacing', () => {
  const c = { id: 'c', budgetMicros: 24_000_000, flight: { start: 0, end: 24 * HOUR } };
  it('plans the budget share of the time inside the flight', () => {
    expect(plannedMicros(c, 0, HOUR)).toBe(1_000_000n);
    expect(plannedMicros(c, -5 * HOUR, 2 * HOUR)).toBe(2_000_000n);
    expect(plannedMicros(c, 30 * HOUR, 31 * HOUR)).toBe(0n);
    expect(pacing(1_500_000n, 1_000_000n)).toBe(1.5);
    expect(pacing(5n, 0n)).toBeNull();
  });

  it('sets plan and pacing on campaign and hour rows only', () => {
    const parts: DeliveryPart[] = [
      {
        key: 'c',
        cid: 'c',
        bids: '4',
        wins: '2',
        losses: '1',
        impressions: '2',
        clicks: '1',
        spend_cpm: '2000000',
        billed: '2',
      },
    ];
    const scope = { fromMs: 0, toMs: 2 * HOUR, campaigns: null, spendTopics: null };
    const plans = new Map([['c', c]]);
    const r = assembleDelivery(parts, { ...scope, by: 'campaign' }, plans, 10);
    expect(r.rows[0]).toMatchObject({
      key: 'c',
      win_rate: 0.5,
      ctr: 0.5,
      spend_micros: 2000,
      ecpm_micros: 1_000_000,
      ecpc_micros: 2000,
      plan_micros: 2_000_000,
      pacing: 0.001,
    });
    // An hour row plans the hour of the campaigns reported (c; not the unreported d).
    const hour = [{ ...parts[0], key: String(HOUR / 1000) }] as DeliveryPart[];
    const d = { id: 'd', budgetMicros: 10 ** 12, flight: { start: 0, end: 24 * HOUR } };
    const byHour = assembleDelivery(
      hour,
      { ...scope, by: 'hour' },
      new Map([
        ['c', c],
        ['d', d],
      ]),
      10,
    );
    expect(byHour.rows[0]).toMatchObject({
      key: new Date(HOUR).toISOString(),
      plan_micros: 1_000_000,
      pacing: 0.002,
    });
    const byPublisher = assembleDelivery(parts, { ...scope, by: 'publisher' }, plans, 10);
    expect(byPublisher.rows[0]).toMatchObject({ plan_micros: null, pacing: null });
    expect(byPublisher.pacing_note).toMatch(/per campaign or hour/);
  });

  it('grows a window to whole hours', () => {
    expect(wholeHours(HOUR + 1, 2 * HOUR + 1)).toEqual([HOUR, 3 * HOUR]);
    expect(wholeHours(null, null)).toEqual([null, null]);
  });
});

describe('npm run report -- delivery arguments', () => {
  const window = ['--from', '2026-01-05T10:00:00Z', '--to', '2026-01-05T12:00:00Z'];

  it('parses a window or a run, and names the flag that is wrong', () => {
    expect(parseReportArgs(['delivery', ...window, '--by', 'deal']).params).toMatchObject({
      by: 'deal',
      limit: 50,
      format: 'table',
    });
    expect(parseReportArgs(['delivery', '--run', 'r-1', '--by', 'hour']).params.run).toBe('r-1');
    const fails = (argv: string[]): string => {
      try {
        parseReportArgs(argv);
      } catch (err) {
        return (err as Error).message;
      }
      return 'no error';
    };
    expect(fails(['fraud', '--by', 'site'])).toMatch(/^command: expected delivery/);
    expect(fails(['delivery', ...window, '--by', 'ip'])).toMatch(
      /^--by: expected one of campaign\|/,
    );
    expect(fails(['delivery', ...window, '--by', 'site', '--bogus', '1'])).toMatch(/--bogus/);
    expect(fails(['delivery', ...window, '--by', 'site', '--limit', '0'])).toMatch(/^--limit:/);
    expect(fails(['delivery', '--by', 'site'])).toMatch(/^--from: required/);
    expect(fails(['delivery', '--run', 'r1', ...window, '--by', 'site'])).toMatch(
      /^--from: not with --run/,
    );
    expect(fails(['delivery', '--run', '../etc', '--by', 'site'])).toMatch(/^--run:/);
    expect(fails(['delivery', ...window, '--by', 'site', '--no-load'])).toMatch(/^--no-load:/);
    expect(
      fails(['delivery', '--from', '2026-01-05', '--to', '2026-01-04', '--by', 'site']),
    ).toMatch(/^--to: must be after/);
  });

  it('lists every flag in --help', () => {
    const help = commandHelp(REPORT_COMMAND);
    for (const f of Object.keys(DELIVERY_FLAGS)) expect(help).toContain(`--${f}`);
  });

  it('bounds the window and the rows of an HTTP report', () => {
    const p = parseDeliveryParams({
      from: '2026-01-01',
      to: '2026-01-03',
      by: 'site',
      limit: '10',
    });
    if (!p.ok) throw p.error;
    expect(checkBounds(p.params, { maxRangeMs: 48 * HOUR, maxLimit: 10 })).toBeNull();
    expect(checkBounds(p.params, { maxRangeMs: 47 * HOUR, maxLimit: 10 })?.param).toBe('to');
    expect(checkBounds(p.params, { maxRangeMs: 48 * HOUR, maxLimit: 9 })?.param).toBe('limit');
  });
});
