import { describe, expect, it } from 'vitest';
import { parseSimArgs, UsageError } from './args.js';
import { simulate } from './simulate.js';

describe('pacing simulation', () => {
  const opts = { lagMs: 250, regions: 3, campaigns: 8, seed: 'unit', flightMs: 60_000 };

  it('is deterministic: the same seed gives the same outcome', () => {
    expect(simulate(opts)).toEqual(simulate(opts));
  });

  it('keeps overspend within 1% at 250 ms lag while still delivering nearly all of the budget', () => {
    const run = simulate(opts);
    expect(run.campaigns).toHaveLength(8);
    expect(run.overspendPctMax).toBeLessThanOrEqual(1);
    expect(run.underdeliveryPct).toBeLessThan(5);
  });

  it('under-delivers more when allowances reach remote regions later', () => {
    const slow = simulate({ ...opts, lagMs: 5000 });
    const fast = simulate({ ...opts, lagMs: 0 });
    expect(slow.underdeliveryPct).toBeGreaterThan(fast.underdeliveryPct);
  });
});

describe('sim:pacing arguments', () => {
  it('reads the flags with their defaults', () => {
    expect(parseSimArgs(['--lag-ms', '250'])).toEqual({
      lagMs: 250,
      regions: 3,
      campaigns: 100,
      seed: 'streambid',
      runs: 1,
      flightS: 600,
    });
  });

  it.each([
    [['--lag-ms', 'soon'], '--lag-ms'],
    [[], '--lag-ms'],
    [['--lag-ms', '1', '--regions', '4'], '--regions'],
    [['--lag-ms', '1', '--campaigns', '0'], '--campaigns'],
    [['--lag-ms', '1', '--speed', '2'], '--speed'],
  ])('names the bad flag in %j', (argv, flag) => {
    expect(() => parseSimArgs(argv)).toThrow(UsageError);
    try {
      parseSimArgs(argv);
    } catch (err) {
      expect((err as UsageError).flag).toBe(flag);
    }
  });
});
